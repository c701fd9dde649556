#!/usr/bin/env python3
"""Benchmark routectl on the log shapes users have, pure and compiled, in one run.

Shapes (``generate-log --agents/--time-format``): 7 agents naive times, 7 agents with
``+08:00`` offsets, 40 and 200 agents with offsets. Each shape's figures are ratios to
a bare ``csv.reader`` pass over the same file, measured in the same run. Builds: the
interpreter running this script (the pure, editable install) and, with ``--compiled``,
a venv holding the mypyc build. Steps per shape and build: ``read_events`` alone,
``routectl replay``, ``routectl report`` and ``routectl diff BASE NEW LOG``, where NEW is
the shape's config with one agent's weight changed (written next to it as
``<config stem>.new.toml``). Run from the repository root::

    python3 -m venv /tmp/rc-compiled && ROUTECTL_COMPILE=1 /tmp/rc-compiled/bin/pip install .
    .venv/bin/python benchmarks/bench.py --compiled /tmp/rc-compiled/bin/python --repeat 3
    .venv/bin/python benchmarks/bench.py --big   # 7 agents at 3x the rows: flat memory

Every measured program runs as its own child process; its CPU time (user + system) and
peak RSS come from ``os.wait4`` (that child alone), its wall time is taken around it.
Ratios use CPU time, so that other jobs on a shared machine disturb them less. The
script prints figures and a PASS/MISS per target (issues 5 and 13: ratios to the floor,
pure vs compiled, offset vs naive times, memory, start-up; issue 10: report at most
1.15x replay; issue 11: diff at most 1.6x replay, both per shape and build); it never
fails on a MISS (exit 0), only on its own errors. See docs/performance.md for what each
figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
import tomllib

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "shopconfig.example.toml"

# Every program starts the same way (`python -c ...`), so start-up ratios compare like
# with like. ROUTECTL is what the `routectl` console script runs.
ROUTECTL = "from routectl.cli import main; main()"
BUILD = "import routectl; print(routectl.build())"
FLOOR = """
import csv, sys
n = 0
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for row in csv.reader(f):
        n += 1
print(n)
"""
LOG_READER = """
import sys
from zoneinfo import ZoneInfo
from routectl.config import load_config
from routectl.logio.reader import read_events
config = load_config(sys.argv[2])
n = 0
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for event in read_events(f, sys.argv[1], ZoneInfo(config.shop.timezone),
                             known_agents=frozenset(a.id for a in config.agents)):
        n += 1
print(n)
"""
HELLO = """
import click

@click.command()
def hello():
    click.echo("hello")

hello()
"""

# Targets (issues 5, 10, 11 and 13).
REPLAY_RATIO = 4.0  # compiled
REPORT_RATIO = 3.0  # compiled
PURE_OVER_COMPILED = 2.0
OFFSET_OVER_NAIVE = 1.10
PER_MESSAGE_GROWTH = 1.15  # 7 -> 200 agents
RSS_LIMIT_MB = 120.0
RSS_GROWTH = 0.10  # 1M -> 3M: at most 10% (or RSS_GROWTH_MB, whichever is larger)
RSS_GROWTH_MB = 8.0
STARTUP_RATIO = 1.5
REPORT_OVER_REPLAY = 1.15  # issue 10: report CPU / replay CPU, per build
DIFF_OVER_REPLAY = 1.6  # issue 11: diff CPU / replay CPU, per build


@dataclass
class Run:
    """One child process: CPU seconds (user + system), wall seconds, peak RSS in MB, exit.

    Ratios use CPU seconds: on a machine shared with other jobs, wall time measures the
    neighbours as much as the program; the child's own CPU time much less so.
    """

    seconds: float
    wall: float
    rss_mb: float
    exit: int
    error: str = ""


@dataclass(frozen=True)
class Shape:
    key: str
    label: str
    agents: int | None  # None: the config's own team (7 agents)
    time_format: str


SHAPES = (
    Shape("7-naive", "7 agents, naive times", None, "naive"),
    Shape("7-offset", "7 agents, +08:00 times", None, "offset"),
    Shape("40-offset", "40 agents, +08:00 times", 40, "offset"),
    Shape("200-offset", "200 agents, +08:00 times", 200, "offset"),
)
STEPS = ("reader", "replay", "report", "diff")
# diff's NEW config: the first agent whose weight is not DEFAULT_WEIGHT gets DEFAULT_WEIGHT;
# if all have it, the first agent gets CHANGED_WEIGHT.
DEFAULT_WEIGHT = 100
CHANGED_WEIGHT = 300


@dataclass
class ShapeResult:
    shape: str
    rows: int
    messages: int
    log_mb: float
    floor: Run
    runs: dict[str, dict[str, Run]] = field(default_factory=dict)  # build -> step -> best


@dataclass
class Results:
    rows: int
    python: str
    cpus: int
    repeat: int
    builds: dict[str, str] = field(default_factory=dict)  # name -> what routectl.build() says
    shapes: list[ShapeResult] = field(default_factory=list)
    big: list[ShapeResult] = field(default_factory=list)
    startup_ms: dict[str, dict[str, float | None]] = field(default_factory=dict)
    targets: list[tuple[str, str, str]] = field(default_factory=list)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CI"] = "1"  # no progress bar (stderr is not a terminal anyway)
    env.pop("ROUTECTL_CONFIG", None)
    # As installed (pip writes .pyc files): with PYTHONDONTWRITEBYTECODE set, every run of
    # the editable pure build would compile its sources again and start-up would mislead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(cmd: list[str], *, terminal: bool = False) -> Run:
    """Run ``cmd``; return its CPU and wall time and its own peak RSS (``os.wait4``).

    With ``terminal`` the child's stderr is a pseudo-terminal and ``CI`` is unset, so
    routectl draws its progress bar (drained by a thread, not shown).
    """
    with tempfile.TemporaryFile() as err:
        env = child_env()
        stderr: Any = err
        drain = None
        if terminal:
            env.pop("CI", None)
            master, stderr = pty.openpty()
            drain = threading.Thread(target=_drain, args=(master,), daemon=True)
            drain.start()
        try:
            started = time.perf_counter()
            child = subprocess.Popen(
                cmd,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=ROOT,
            )
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if drain is not None:
                os.close(stderr)
                drain.join(timeout=5)
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip().splitlines()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    rss_mb = usage.ru_maxrss * scale / 1_000_000
    cpu = usage.ru_utime + usage.ru_stime
    return Run(cpu, seconds, rss_mb, child.returncode, message[-1] if message else "")


def _drain(master: int) -> None:
    try:
        while os.read(master, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(master)


def faster(old: Run | None, new: Run) -> Run:
    """The better of two runs: a success, then the least disturbed (fastest)."""
    if old is None:
        return new
    return min(old, new, key=lambda run: (run.exit != 0, run.seconds))


def build_of(python: str) -> str:
    done = subprocess.run(
        [python, "-c", BUILD], capture_output=True, text=True, env=child_env(), check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: {python} cannot import routectl: {done.stderr.strip()}")
    return done.stdout.strip()


def generate(python: str, shape: Shape, rows: int, seed: int, folder: Path) -> tuple[Path, Path]:
    log = folder / f"{shape.key}-{rows}-seed{seed}.csv"
    config = folder / f"{shape.key}-{rows}-seed{seed}.toml"
    if log.exists() and config.exists():
        return log, config
    args = ["generate-log", "-c", str(DEFAULT_CONFIG), "--rows", str(rows), "--seed", str(seed)]
    args += ["--time-format", shape.time_format, "--write-config", str(config)]
    if shape.agents is not None:
        args += ["--agents", str(shape.agents)]
    run = measure([python, "-c", ROUTECTL, *args, "-o", str(log)])
    if run.exit != 0:
        raise SystemExit(f"bench: generate-log failed: {run.error}")
    return log, config


def changed_config(config: Path) -> Path:
    """``<config stem>.new.toml`` next to ``config``: the diff's NEW, one weight changed.

    The first agent whose weight is not 100 gets 100; if all are 100, the first agent
    gets 300. Written again on every run (cheap, and never stale in a reused data dir).
    """
    document = tomllib.loads(config.read_text(encoding="utf-8"))
    agents = document.get("agents") or []
    if not agents:
        raise SystemExit(f"bench: {config} has no [[agents]] to change for diff")
    _change_one_weight(agents)
    new = config.with_name(f"{config.stem}.new.toml")
    new.write_text(tomli_w.dumps(document), encoding="utf-8")
    return new


def _change_one_weight(agents: list[dict[str, Any]]) -> None:
    for agent in agents:
        if agent.get("weight", DEFAULT_WEIGHT) != DEFAULT_WEIGHT:
            agent["weight"] = DEFAULT_WEIGHT
            return
    agents[0]["weight"] = CHANGED_WEIGHT


def count_messages(log: Path) -> int:
    with log.open(encoding="utf-8") as lines:
        return sum(1 for line in lines if ",message," in line)


def step_commands(python: str, log: Path, config: Path, new: Path) -> dict[str, list[str]]:
    return {
        "reader": [python, "-c", LOG_READER, str(log), str(config)],
        "replay": [python, "-c", ROUTECTL, "replay", str(log), "-c", str(config),
                   "-o", os.devnull, "--format", "csv"],
        "report": [python, "-c", ROUTECTL, "report", str(log), "-c", str(config),
                   "--format", "json", "-o", os.devnull],
        "diff": [python, "-c", ROUTECTL, "diff", str(config), str(new), str(log),
                 "--format", "json", "-o", os.devnull],
    }  # fmt: skip


def run_shape(
    shape: Shape, rows: int, seed: int, folder: Path, builds: dict[str, str], repeat: int
) -> ShapeResult:
    """Floor and every step of every build, interleaved ``repeat`` times; best kept."""
    log, config = generate(next(iter(builds.values())), shape, rows, seed, folder)
    new = changed_config(config)
    floor: Run | None = None
    runs: dict[str, dict[str, Run]] = {name: {} for name in builds}
    for _ in range(max(1, repeat)):
        for _ in range(3):  # the floor is short: the least disturbed of more runs
            floor = faster(floor, measure([sys.executable, "-c", FLOOR, str(log)]))
        for name, python in builds.items():
            for step, cmd in step_commands(python, log, config, new).items():
                runs[name][step] = faster(runs[name].get(step), measure(cmd))
    assert floor is not None
    size = log.stat().st_size / 1_000_000
    return ShapeResult(shape.key, rows, count_messages(log), size, floor, runs)


def startup(python: str, config: Path, runs: int) -> dict[str, float | None]:
    programs = {
        "hello-world click": [python, "-c", HELLO],
        "routectl --help": [python, "-c", ROUTECTL, "--help"],
        "routectl validate": [python, "-c", ROUTECTL, "validate", str(config)],
    }
    times: dict[str, list[float]] = {name: [] for name in programs}
    for cmd in programs.values():
        measure(cmd)  # warm-up: bytecode caches written, files in the page cache
    for _ in range(runs):  # interleaved, so a busy moment hits all three alike
        for name, cmd in programs.items():
            run = measure(cmd)
            if run.exit == 0:
                times[name].append(run.seconds)
    return {
        name: statistics.median(values) * 1000 if values else None for name, values in times.items()
    }


# --- targets and printing -----------------------------------------------------------


def ratio(result: ShapeResult, build: str, step: str) -> float | None:
    run = result.runs.get(build, {}).get(step)
    if run is None or run.exit != 0 or result.floor.exit != 0:
        return None
    return run.seconds / result.floor.seconds


def over_replay(result: ShapeResult, build: str, step: str) -> float | None:
    """CPU seconds of ``step`` over those of ``replay``, same build and log (issues 10, 11)."""
    runs = result.runs.get(build, {})
    run, replay = runs.get(step), runs.get("replay")
    if run is None or replay is None or run.exit != 0 or replay.exit != 0 or not replay.seconds:
        return None
    return run.seconds / replay.seconds


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("PASS" if ok else "MISS")


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _at_most(
    targets: list[tuple[str, str, str]], label: str, value: float | None, limit: float
) -> None:
    """One ratio target: ``value`` (None: not measured) at most ``limit``."""
    targets.append((label, _x(value), verdict(None if value is None else value <= limit)))


def evaluate(results: Results) -> None:
    targets = results.targets
    by_key = {result.shape: result for result in results.shapes}
    target_build = "compiled" if "compiled" in results.builds else "pure"
    for result in results.shapes:
        for step, limit in (("replay", REPLAY_RATIO), ("report", REPORT_RATIO)):
            value = ratio(result, target_build, step)
            label = f"{result.shape}: {step} ({target_build}) <= {limit:g}x floor"
            _at_most(targets, label, value, limit)
        if "compiled" in results.builds:
            for step in ("replay", "report"):
                pure, compiled = ratio(result, "pure", step), ratio(result, "compiled", step)
                value = pure / compiled if pure and compiled else None
                label = f"{result.shape}: {step} pure <= {PURE_OVER_COMPILED:g}x compiled"
                _at_most(targets, label, value, PURE_OVER_COMPILED)
        for build in results.builds:
            for step, limit in (("report", REPORT_OVER_REPLAY), ("diff", DIFF_OVER_REPLAY)):
                value = over_replay(result, build, step)
                label = f"{result.shape}: {step} {build} <= {limit:g}x replay"
                _at_most(targets, label, value, limit)
    naive, offset = by_key.get("7-naive"), by_key.get("7-offset")
    if naive and offset:
        for build in results.builds:
            for step in ("reader", "replay", "report"):  # issue 13's steps
                a, b = ratio(naive, build, step), ratio(offset, build, step)
                value = b / a if a and b else None
                label = f"offset / naive times, {step} ({build}) <= {OFFSET_OVER_NAIVE:g}"
                _at_most(targets, label, value, OFFSET_OVER_NAIVE)
    small, large = by_key.get("7-offset"), by_key.get("200-offset")
    if small and large:
        for build in results.builds:
            per_small = _per_message(small, build)
            per_large = _per_message(large, build)
            value = per_large / per_small if per_small and per_large else None
            label = f"replay cost per message 200 / 7 agents ({build}) <= {PER_MESSAGE_GROWTH:g}"
            _at_most(targets, label, value, PER_MESSAGE_GROWTH)
    for build in results.builds:
        peaks = [
            (run.rss_mb, f"{result.shape} {_short(result.rows)} {step}")
            for result in results.shapes + results.big
            for step, run in result.runs.get(build, {}).items()
            if step in ("replay", "report") and run.exit == 0  # issue 13's steps
        ]
        if peaks:
            rss, where = max(peaks)
            label = f"peak RSS, every shape ({build}) <= {RSS_LIMIT_MB:g} MB"
            targets.append((label, f"{rss:.0f} MB ({where})", verdict(rss <= RSS_LIMIT_MB)))
    for big in results.big:
        base = by_key.get(big.shape)
        if base is None:
            continue
        for build, steps in big.runs.items():
            for step in ("replay", "report"):
                small_run, large_run = base.runs[build].get(step), steps.get(step)
                if small_run is None or large_run is None:
                    continue
                allowed = max(small_run.rss_mb * RSS_GROWTH, RSS_GROWTH_MB)
                growth = large_run.rss_mb - small_run.rss_mb
                label = f"{big.shape}: {step} ({build}) RSS flat {_short(base.rows)} -> "
                label += _short(big.rows)
                figure = f"{small_run.rss_mb:.0f} -> {large_run.rss_mb:.0f} MB"
                targets.append((label, figure, verdict(growth <= allowed)))
    for build, medians in results.startup_ms.items():
        hello = medians.get("hello-world click")
        for name in ("routectl --help", "routectl validate"):
            value = medians.get(name)
            start_ratio = value / hello if value and hello else None
            label = f"start-up {name} ({build}) <= {STARTUP_RATIO:g}x hello"
            _at_most(targets, label, start_ratio, STARTUP_RATIO)


def _per_message(result: ShapeResult, build: str) -> float | None:
    run = result.runs.get(build, {}).get("replay")
    if run is None or run.exit != 0 or not result.messages:
        return None
    return run.seconds / result.messages


def _short(rows: int) -> str:
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1000 and rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def print_table(title: str, shapes: list[ShapeResult], builds: dict[str, str]) -> None:
    """One line per shape: floor seconds, then x floor for each build's steps."""
    print(f"\n{title}")
    columns = [f"{step} {build}" for build in builds for step in STEPS]
    print(
        f"  {'shape':<12}{'rows':>6}{'MB':>5}{'floor s':>8}" + "".join(f"{c:>16}" for c in columns)
    )
    for result in shapes:
        cells = []
        for build in builds:
            for step in STEPS:
                run = result.runs.get(build, {}).get(step)
                if run is None or run.exit != 0:
                    cells.append("failed" if run else "n/a")
                else:
                    cells.append(f"{run.seconds / result.floor.seconds:.2f}x {run.seconds:.1f}s")
        print(
            f"  {result.shape:<12}{_short(result.rows):>6}{result.log_mb:>5.0f}"
            f"{result.floor.seconds:>8.2f}" + "".join(f"{cell:>16}" for cell in cells)
        )


def print_results(results: Results) -> None:
    builds = ", ".join(f"{name} = {what}" for name, what in results.builds.items())
    print(
        f"routectl benchmark: {results.rows:,} rows per shape, Python {results.python}, "
        f"{results.cpus} CPUs, CPU time, best of {results.repeat} (interleaved); builds: {builds}"
    )
    print_table(
        "x csv.reader floor (and CPU seconds), best of runs", results.shapes, results.builds
    )
    if results.big:
        print_table("3x the rows (memory)", results.big, results.builds)
    print("\npeak RSS MB (replay / report / diff)")
    for result in results.shapes + results.big:
        cells = []
        for build in results.builds:
            runs = result.runs.get(build, {})
            rss = [f"{runs[s].rss_mb:.0f}" if s in runs else "n/a" for s in STEPS if s != "reader"]
            cells.append(f"{build} {' / '.join(rss)}")
        print(f"  {result.shape:<12}{_short(result.rows):>6}  " + "   ".join(cells))
    print("\nstart-up (median CPU ms: user + system)")
    for build, medians in results.startup_ms.items():
        hello = medians.get("hello-world click")
        for name, value in medians.items():
            figure = "n/a" if value is None else f"{value:.1f}"
            share = f"{value / hello:.2f}x" if value and hello else ""
            print(f"  {build:<9}{name:<26}{figure:>9}{share:>9}")
    print("\ntargets")
    for label, figure, outcome in results.targets:
        print(f"  {label:<58}{figure:>26}  {outcome}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of each shape's log")
    parser.add_argument("--big", action="store_true", help="also run 7-naive on 3x the rows")
    parser.add_argument("--compiled", help="python of a venv with the compiled build")
    parser.add_argument("--shapes", default=",".join(s.key for s in SHAPES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs (best kept)")
    parser.add_argument("--runs", type=int, default=15, help="runs per start-up figure")
    parser.add_argument("--data-dir", type=Path, help="keep the logs here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    builds = {"pure": sys.executable}
    if args.compiled:
        builds["compiled"] = args.compiled
    results = Results(args.rows, platform.python_version(), os.cpu_count() or 1, args.repeat)
    results.builds = {name: build_of(python) for name, python in builds.items()}
    if results.builds["pure"] != "pure Python":
        raise SystemExit(f"bench: {sys.executable} is not the pure build")
    if args.compiled and results.builds["compiled"] != "compiled with mypyc":
        raise SystemExit(f"bench: {args.compiled} is not the compiled build")
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="routectl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    wanted = args.shapes.split(",")
    try:
        for shape in SHAPES:
            if shape.key in wanted:
                print(f"bench: {shape.label}...", file=sys.stderr)
                results.shapes.append(
                    run_shape(shape, args.rows, args.seed, folder, builds, args.repeat)
                )
        if args.big:
            # The 7-agent shop: its log spans days at any size (about 29k rows a day), so
            # tripling the rows triples the days, not the buyers (see docs/performance.md).
            print("bench: 7-naive at 3x the rows...", file=sys.stderr)
            results.big.append(run_shape(SHAPES[0], 3 * args.rows, args.seed, folder, builds, 1))
        for name, python in builds.items():
            results.startup_ms[name] = startup(python, DEFAULT_CONFIG, args.runs)
    finally:
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    evaluate(results)
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(asdict(results), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
