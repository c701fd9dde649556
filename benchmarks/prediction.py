"""Back-tests and what-if tests of `--predict` on worlds whose reply mechanics are not
the model's (benchmarks/truth.py). Prints, per shape, predicted vs actual on a held-out
week, the 90 % intervals' coverage, and what-if errors against a known truth.

    .venv/bin/python benchmarks/prediction.py               # every shape, 3 seeds
    .venv/bin/python benchmarks/prediction.py --seeds 1 --shapes example-lognormal

docs/prediction.md quotes its output.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import worlds
from truth import record, world, write_world

from routectl.config import load_config
from routectl.logio.source import open_events
from routectl.model import ShopConfig
from routectl.replay import run
from routectl.report import Window, build_report
from routectl.sim.backtest import backtest
from routectl.sim.calibrate import learned_model
from routectl.sim.generate import HEADER, generate_rows
from routectl.sim.generate_team import scale_team
from routectl.sim.inputs import Inputs
from routectl.sim.predict import figures_of
from routectl.sim.prepare import Preparation
from routectl.sim.whatif import predict

ROOT = Path(__file__).resolve().parent.parent


def _bot(config: ShopConfig) -> ShopConfig:
    return dataclasses.replace(
        config, bot=config.bot._replace(enabled=True, priority_reception=True)
    )


def _pool(config: ShopConfig) -> ShopConfig:
    return dataclasses.replace(config, routing=config.routing._replace(offline_routing=False))


SHAPES = {
    # name: (team size or None, config change, mechanics, rows per day)
    "example-lognormal": (None, None, "lognormal", 1500),
    "example-step": (None, None, "step", 2500),
    "example-bot": (None, _bot, "two-regime", 1500),
    "example-pool": (None, _pool, "lognormal", 1200),
    "team40-two-regime": (40, None, "two-regime", 8000),
    "team200-lognormal": (200, None, "lognormal", 20000),
}


def _new_config(config: ShopConfig) -> ShopConfig:
    """The what-if: the first agent's weight tripled (or set to 100 when it is not 100)."""
    agents = list(config.agents)
    first = agents[0]
    weight = 100 if first.weight != 100 else 300
    agents[0] = first._replace(weight=weight)
    return dataclasses.replace(config, agents=tuple(agents))


def _write_rows(path: Path, rows: object) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)  # type: ignore[arg-type]


def shape_config(name: str) -> ShopConfig:
    team, change, _, _ = SHAPES[name]
    config = load_config(str(ROOT / "shopconfig.example.toml"))
    if team is not None:
        config = scale_team(config, team)
    return change(config) if change is not None else config


def one(
    name: str, seed: int, days: int, runs: int, folder: Path, oracle: int = 0
) -> dict[str, object]:
    _, _, mechanics, per_day = SHAPES[name]
    config = shape_config(name)
    raw = folder / f"{name}-{seed}-raw.csv"
    _write_rows(raw, generate_rows(config, seed=seed, days=days, rows_per_day=per_day))
    truth = world(config, mechanics, seed)
    log = folder / f"{name}-{seed}.csv"
    redraws = []
    with Inputs() as inputs:
        with open_events(str(raw), config) as (events, _):
            record(config, events, inputs)
        write_world(config, truth, inputs, seed + 1000, log)
        new = _new_config(config)
        truth_new = folder / f"{name}-{seed}-new.csv"
        write_world(new, truth, inputs, seed + 1000, truth_new)
        for draw in range(1, oracle + 1):
            again = folder / f"{name}-{seed}-oracle{draw}.csv"
            write_world(config, world(config, mechanics, seed, mood_seed=7 + draw), inputs,
                        seed + 1000 + 7919 * draw, again)  # fmt: skip
            redraws.append(again)
    row = measure(name, seed, runs, config, log, new, truth_new)
    return with_oracle(row, config, log, redraws)


def with_oracle(
    row: dict[str, object], config: ShopConfig, log: Path, redraws: list[Path]
) -> dict[str, object]:
    """The oracle: the same world again (same arrivals and shifts; other service draws
    and moods), as often as asked. A perfect model predicts the mean of such weeks; how
    far one week falls from the mean of the others is the error no model can remove."""
    if not redraws:
        return row
    window = row["holdout"]
    assert isinstance(window, Window)
    weeks = [figures_of(_report(config, path, window)) for path in (log, *redraws)]
    row["oracle"] = {name: [week[name] for week in weeks]
                     for name in ("response_rate", "avg_response_s")}  # fmt: skip
    return row


def _report(config: ShopConfig, log: Path, window: Window):  # type: ignore[no-untyped-def]
    with open_events(str(log), config) as (found, _):
        return build_report(config, run(config, found), window)


def measure(
    name: str,
    seed: int,
    runs: int,
    config: ShopConfig,
    log: Path,
    new: ShopConfig,
    truth_new: Path,
) -> dict[str, object]:
    """Back-test ``log`` (last 7 days) and predict NEW from it; the NEW world is the truth."""

    def events():  # type: ignore[no-untyped-def]
        with open_events(str(log), config) as (found, _):
            yield from found

    first = last = None
    for event in events():
        first = event.time if first is None else first
        last = event.time
    started = time.perf_counter()
    result = backtest(config, events, (first, last), holdout_s=7 * 86400.0, runs=runs,
                      seed=seed, jobs=2)  # fmt: skip
    wall = time.perf_counter() - started
    out: dict[str, object] = {"shape": name, "seed": seed, "backtest_wall_s": round(wall, 1),
                              "holdout": Window(result.since, result.until)}  # fmt: skip
    for figure in ("response_rate", "avg_response_s", "reply_rate", "conversion_rate"):
        actual, found = result.figures[figure]
        out[figure] = (actual, None if found is None else (found.mean, found.low, found.high))
    with open_events(str(truth_new), new) as (found_events, _):
        truth_report = build_report(new, run(new, found_events))
    with Inputs() as inputs:
        preparation = Preparation(config, inputs)
        with open_events(str(log), config) as (found_events, _):
            pairs = list(run(config, found_events))
        base_report = build_report(config, iter(pairs))
        model = learned_model(config, preparation.consume(iter(pairs)), inputs.events, seed)
        prediction = predict(config, new, model, inputs, base_report, runs=runs, seed=seed,
                             jobs=2)  # fmt: skip
    truth_figures = figures_of(truth_report)
    # The simulated new side, and the reading the docs advise first: the log's own figure
    # plus the predicted change ("log + change"), which cancels a bias on both sides.
    for key, side in (("whatif", prediction.new), ("whatif_change", prediction.expected)):
        found = side["response_rate"]
        out[f"{key}_response_rate"] = (
            truth_figures["response_rate"],
            None if found is None else (found.mean, found.low, found.high),
        )
    return out


def one_world(name: str, seed: int, runs: int, folder: Path, oracle: int = 0) -> dict[str, object]:
    """An independent shop (benchmarks/worlds.py); the what-if triples the first
    agent's weight, and the NEW world is the same shop run with that weight."""
    place = folder / f"{name}-{seed}"
    config_path, log = worlds.write_world(name, place, seed)
    config = load_config(str(config_path))
    first = config.agents[0]
    weights = {first.id: 300 if first.weight != 300 else 100}
    new_path, truth_new = worlds.write_world(name, place, seed, weights, tag="-new")
    row = measure(name, seed, runs, config, log, load_config(str(new_path)), truth_new)
    redraws = [
        worlds.write_world(name, place, seed, tag=f"-oracle{draw}",
                           service_seed=seed + 7919 * draw)[1]
        for draw in range(1, oracle + 1)
    ]  # fmt: skip
    return with_oracle(row, config, log, redraws)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", default=",".join([*SHAPES, *worlds.SHAPES]))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument(
        "--oracle", type=int, default=0,
        help="also run each world this many more times (same arrivals and shifts, other "
        "service draws) and report how far one week falls from the others' mean",
    )  # fmt: skip
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.shapes.split(","):
            for seed in range(1, args.seeds + 1):
                if name in worlds.SHAPES:
                    row = one_world(name, seed, args.runs, Path(folder), args.oracle)
                else:
                    row = one(name, seed, args.days, args.runs, Path(folder), args.oracle)
                rows.append(row)
                print(_line(row), flush=True)
    _summary(rows)
    _oracle_summary(rows)


def _line(row: dict[str, object]) -> str:
    parts = [f"{row['shape']:<20} seed {row['seed']}"]
    for key in (
        "response_rate", "avg_response_s", "whatif_response_rate", "whatif_change_response_rate",
    ):  # fmt: skip
        actual, found = row[key]  # type: ignore[misc]
        if found is None or actual is None:
            parts.append(f"{key}: -")
            continue
        scale = 100 if key.endswith("rate") else 1
        mean, low, high = found
        inside = "in" if low <= actual <= high else "OUT"
        parts.append(
            f"{key}: actual {actual * scale:.1f} predicted {mean * scale:.1f} "
            f"[{low * scale:.1f}, {high * scale:.1f}] {inside}"
        )
    parts.append(f"backtest {row['backtest_wall_s']}s")
    oracle = row.get("oracle")
    if isinstance(oracle, dict):
        rates, averages = oracle["response_rate"], oracle["avg_response_s"]
        spread = _sd(averages) / _mean(averages) * 100
        parts.append(f"oracle: rate sd {_sd(rates) * 100:.2f} pt, avg sd {spread:.1f} %")
        errors = _expected_errors(row)
        if errors is not None:
            parts.append(
                f"vs the weeks' mean: rate {errors[0] * 100:+.1f} pt, avg {errors[1] * 100:+.1f} %"
            )
    return " | ".join(parts)


def _expected_errors(row: dict[str, object]) -> tuple[float, float] | None:
    """The prediction against the mean of the world's weeks (the logged one and the
    oracle's redraws): the model's own error, with most of one week's noise taken out.
    None without an oracle or a prediction."""
    oracle = row.get("oracle")
    rate, average = row["response_rate"][1], row["avg_response_s"][1]  # type: ignore[index]
    if not isinstance(oracle, dict) or rate is None or average is None:
        return None
    weeks_average = _mean(oracle["avg_response_s"])
    return (rate[0] - _mean(oracle["response_rate"]),
            (average[0] - weeks_average) / weeks_average)  # fmt: skip


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _sd(values: list[float]) -> float:
    centre = _mean(values)
    return (sum((v - centre) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def _oracle_summary(rows: list[dict[str, object]]) -> None:
    """How often a perfect model would meet the goal: each week against the mean of the
    other weeks of its world (leave one out)."""
    counts = {"response_rate": [0, 0], "avg_response_s": [0, 0]}
    for row in rows:
        oracle = row.get("oracle")
        if not isinstance(oracle, dict):
            continue
        for name, (limit, relative) in (("response_rate", (0.02, False)),
                                         ("avg_response_s", (0.10, True))):  # fmt: skip
            weeks = oracle[name]
            for index, week in enumerate(weeks):
                others = _mean(weeks[:index] + weeks[index + 1 :])
                error = (others - week) / week if relative else others - week
                counts[name][0] += abs(error) <= limit
                counts[name][1] += 1
    if counts["response_rate"][1]:
        rate, average = counts["response_rate"], counts["avg_response_s"]
        print(
            f"oracle (a perfect model's mean against one week): 3-min rate within ±2 pt "
            f"{rate[0]}/{rate[1]}, average response within ±10 % {average[0]}/{average[1]}"
        )
    faithful = _faithful(rows)
    for label, chosen in (("every run", rows), ("the config describes the platform", faithful)):
        errors = [found for found in map(_expected_errors, chosen) if found is not None]
        if errors:
            print(
                f"prediction vs the mean of the world's weeks ({label}): rate within ±2 pt "
                f"{sum(abs(r) <= 0.02 for r, _ in errors)}/{len(errors)} (worst "
                f"{max(abs(r) for r, _ in errors) * 100:.1f} pt), average within ±10 % "
                f"{sum(abs(a) <= 0.10 for _, a in errors)}/{len(errors)} (worst "
                f"{max(abs(a) for _, a in errors) * 100:.1f} %)"
            )


def _faithful(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The runs whose config describes the platform (all but ``mismatch-*``)."""
    return [row for row in rows if not str(row["shape"]).startswith("mismatch")]


def _summary(rows: list[dict[str, object]]) -> None:
    """Every run, then the runs whose config describes the platform (docs/prediction.md
    counts those: ``mismatch-40``'s platform ignores its config on purpose)."""
    _counts(rows)
    faithful = _faithful(rows)
    if len(faithful) < len(rows):
        print("where the config describes the platform:")
        _counts(faithful)


def _counts(rows: list[dict[str, object]]) -> None:
    for key, limit, relative in (
        ("response_rate", 0.02, False), ("avg_response_s", 0.10, True),
        ("reply_rate", 0.02, False), ("whatif_response_rate", 0.02, False),
        ("whatif_change_response_rate", 0.02, False),
    ):  # fmt: skip
        within = inside = total = 0
        worst = 0.0
        for row in rows:
            actual, found = row[key]  # type: ignore[misc]
            if actual is None or found is None:
                continue
            total += 1
            error = found[0] - actual
            if relative:
                error /= actual
            worst = max(worst, abs(error))
            within += abs(error) <= limit
            inside += found[1] <= actual <= found[2]
        print(f"{key}: {within}/{total} within ±{limit * 100:g}{' %' if relative else ' pt'}, "
              f"worst {worst * 100:.1f}{' %' if relative else ' pt'}; "
              f"90 % interval held the actual {inside}/{total}")  # fmt: skip


if __name__ == "__main__":
    main()
