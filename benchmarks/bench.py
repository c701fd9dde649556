#!/usr/bin/env python3
"""Benchmark routectl on a generated log: speed against a csv.reader floor, memory, start-up.

Run from the repository root with the project's interpreter::

    .venv/bin/python benchmarks/bench.py            # 1M rows
    .venv/bin/python benchmarks/bench.py --big      # and 3M rows: memory must not grow

Every measured program runs as its own child process; its wall time is taken around
the child and its peak RSS comes from ``os.wait4`` (that child alone, not the sum of
all children). Commands that do not exist yet are reported as "not available". The
script prints figures and a PASS/MISS per target; it never fails on a MISS (exit 0),
only on its own errors. See docs/performance.md for what each figure means.
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

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "shopconfig.example.toml"

# Every program starts the same way (`python -c ...`), so start-up ratios compare like
# with like. ROUTECTL is what the `routectl` console script runs.
ROUTECTL = "from routectl.cli import main; main()"
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
from routectl.logreader import read_events
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

# Targets (issue 5).
REPLAY_RATIO = 4.0
REPORT_RATIO = 3.0
RSS_LIMIT_MB = 120.0
RSS_GROWTH = 0.10  # 1M -> 3M: at most 10% (or RSS_GROWTH_MB, whichever is larger)
RSS_GROWTH_MB = 8.0
STARTUP_RATIO = 1.5
GENERATE_RATE = 200_000


@dataclass
class Run:
    """One child process: wall seconds, peak RSS in MB, exit status."""

    seconds: float
    rss_mb: float
    exit: int
    error: str = ""


@dataclass
class Step:
    name: str
    rows: int = 0
    run: Run | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.run is not None and self.run.exit == 0


@dataclass
class Results:
    rows: int
    log_mb: float
    python: str
    cpus: int
    steps: dict[str, Step] = field(default_factory=dict)
    startup_ms: dict[str, float | None] = field(default_factory=dict)
    targets: list[tuple[str, str, str]] = field(default_factory=list)


def python_cmd(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def routectl(*args: str) -> list[str]:
    return python_cmd(ROUTECTL, *args)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CI"] = "1"  # no progress bar (stderr is not a terminal anyway)
    env.pop("ROUTECTL_CONFIG", None)
    return env


def measure(cmd: list[str], *, terminal: bool = False) -> Run:
    """Run ``cmd``; return its wall time and its own peak RSS (``os.wait4``).

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
    return Run(seconds, rss_mb, child.returncode, message[-1] if message else "")


def _drain(master: int) -> None:
    try:
        while os.read(master, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(master)


def best(cmd: list[str], repeat: int, *, terminal: bool = False) -> Run:
    """The fastest of ``repeat`` runs (least disturbed by the rest of the machine)."""
    runs = [measure(cmd, terminal=terminal) for _ in range(max(1, repeat))]
    return min(runs, key=lambda run: (run.exit != 0, run.seconds))


def command_exists(name: str) -> bool:
    probe = subprocess.run(
        routectl(name, "--help"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=child_env(),
        cwd=ROOT,
    )
    return probe.returncode == 0


def generate(config: Path, rows: int, seed: int, path: Path, reuse: bool) -> Step:
    step = Step("generate-log", rows)
    if reuse and path.exists():
        step.note = "reused"
        return step
    args = ["generate-log", "-c", str(config), "--rows", str(rows), "--seed", str(seed)]
    step.run = measure(routectl(*args, "-o", str(path)))
    if not step.ok:
        raise SystemExit(f"bench: generate-log failed: {step.run.error}")
    return step


def run_log_steps(
    log: Path,
    config: Path,
    rows: int,
    repeat: int,
    available: dict[str, bool],
    suffix: str,
    progress: bool = False,
) -> dict[str, Step]:
    steps: dict[str, Step] = {}
    steps["floor" + suffix] = Step("csv.reader (floor)", rows, best(python_cmd(FLOOR, str(log)), 3))
    reader = python_cmd(LOG_READER, str(log), str(config))
    steps["reader" + suffix] = Step("read_events (log reader)", rows, best(reader, repeat))
    commands = {
        "replay": ["replay", str(log), "-c", str(config), "-o", os.devnull, "--format", "csv"],
        "report": ["report", str(log), "-c", str(config), "--format", "json", "-o", os.devnull],
    }
    for key, args in commands.items():
        label = f"routectl {args[0]} --format {args[args.index('--format') + 1]}"
        step = Step(label, rows)
        if available[key]:
            step.run = best(routectl(*args), repeat)
        else:
            step.note = "not available"
        steps[key + suffix] = step
    if progress:
        args = commands["replay"]
        step = Step("routectl replay, progress bar on", rows)
        if available["replay"]:
            step.run = best(routectl(*args), repeat, terminal=True)
        else:
            step.note = "not available"
        steps["replay-progress" + suffix] = step
    return steps


def startup(config: Path, runs: int, available: dict[str, bool]) -> dict[str, float | None]:
    programs = {
        "hello-world click": python_cmd(HELLO),
        "routectl --help": routectl("--help"),
        "routectl validate": routectl("validate", str(config)),
    }
    medians: dict[str, float | None] = {}
    for name, cmd in programs.items():
        if name == "routectl validate" and not available["validate"]:
            medians[name] = None
            continue
        times: list[float] = []
        for _ in range(runs):
            run = measure(cmd)
            if run.exit != 0:
                times = []
                break
            times.append(run.seconds)
        medians[name] = statistics.median(times) * 1000 if times else None
    return medians


# --- printing ---------------------------------------------------------------------


def rate(rows: int, seconds: float) -> str:
    value = rows / seconds if seconds else 0.0
    if value >= 1_000_000:
        return f"{value / 1_000_000:.2f}M"
    return f"{value / 1000:.0f}k"


def verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("PASS" if ok else "MISS")


def print_steps(title: str, steps: dict[str, Step], floor: Step) -> None:
    print(f"\n{title}")
    print(f"  {'step':<34}{'seconds':>9}{'x floor':>9}{'rows/s':>9}{'peak RSS':>10}")
    for step in steps.values():
        if step.run is None:
            print(f"  {step.name:<34}{step.note:>37}")
            continue
        run = step.run
        if run.exit != 0:
            print(f"  {step.name:<34}  failed (exit {run.exit}): {run.error[:60]}")
            continue
        ratio = run.seconds / floor.run.seconds if floor.run else 0.0
        print(
            f"  {step.name:<34}{run.seconds:>9.2f}{ratio:>8.2f}x{rate(step.rows, run.seconds):>9}"
            f"{run.rss_mb:>7.0f} MB"
        )


def evaluate(results: Results, big: bool) -> None:
    steps = results.steps
    targets = results.targets

    def ratio(key: str, suffix: str = "") -> float | None:
        step, floor = steps.get(key + suffix), steps.get("floor" + suffix)
        if step and step.ok and floor and floor.ok:
            assert step.run and floor.run
            return step.run.seconds / floor.run.seconds
        return None

    def status_of(key: str) -> str:
        step = steps.get(key)
        if step is None or step.run is None:
            return step.note if step and step.note else "not available"
        return f"failed (exit {step.run.exit})"

    for key, limit in (("replay", REPLAY_RATIO), ("report", REPORT_RATIO)):
        value = ratio(key)
        figure = f"{value:.2f}x" if value is not None else status_of(key)
        targets.append((f"{key} <= {limit:g}x floor", figure, verdict(_check(value, limit))))
    for key in ("replay", "report"):
        step = steps.get(key)
        rss = step.run.rss_mb if step and step.ok and step.run else None
        figure = f"{rss:.0f} MB" if rss is not None else status_of(key)
        check = None if rss is None else rss <= RSS_LIMIT_MB
        label = f"{key} peak RSS <= {RSS_LIMIT_MB:g} MB at {results.rows:,} rows"
        targets.append((label, figure, verdict(check)))
    for key in ("replay", "report"):
        label = f"{key} RSS no growth {_short(results.rows)} -> {_short(3 * results.rows)} rows"
        small, large = steps.get(key), steps.get(key + "@big")
        if not big:
            targets.append((label, "use --big", verdict(None)))
        elif small and small.ok and large and large.ok and small.run and large.run:
            allowed = max(small.run.rss_mb * RSS_GROWTH, RSS_GROWTH_MB)
            growth = large.run.rss_mb - small.run.rss_mb
            figure = f"{small.run.rss_mb:.0f} -> {large.run.rss_mb:.0f} MB"
            targets.append((label, figure, verdict(growth <= allowed)))
        else:
            targets.append((label, status_of(key + "@big"), verdict(None)))
    hello = results.startup_ms.get("hello-world click")
    for name in ("routectl --help", "routectl validate"):
        value = results.startup_ms.get(name)
        if value is None or not hello:
            targets.append((f"start-up {name} <= {STARTUP_RATIO:g}x hello", "n/a", verdict(None)))
            continue
        start_ratio = value / hello
        targets.append(
            (
                f"start-up {name} <= {STARTUP_RATIO:g}x hello",
                f"{start_ratio:.2f}x",
                verdict(start_ratio <= STARTUP_RATIO),
            )
        )
    gen = steps.get("generate")
    if gen and gen.ok and gen.run:
        gen_rate = gen.rows / gen.run.seconds
        label = f"generate-log >= {GENERATE_RATE // 1000}k rows/s"
        targets.append((label, rate(gen.rows, gen.run.seconds), verdict(gen_rate >= GENERATE_RATE)))


def _short(rows: int) -> str:
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1000 and rows % 1000 == 0:
        return f"{rows // 1000}k"
    return str(rows)


def _check(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def print_results(results: Results, big: bool) -> None:
    print(
        f"routectl benchmark: {results.rows:,} rows ({results.log_mb:.1f} MB), "
        f"Python {results.python}, {results.cpus} CPUs"
    )
    small = {k: v for k, v in results.steps.items() if not k.endswith("@big")}
    print_steps(f"log of {results.rows:,} rows (best of runs)", small, small["floor"])
    if big:
        large = {k[: -len("@big")]: v for k, v in results.steps.items() if k.endswith("@big")}
        print_steps(f"log of {large['floor'].rows:,} rows", large, large["floor"])
    print("\nstart-up (median wall ms)")
    hello = results.startup_ms.get("hello-world click")
    for name, value in results.startup_ms.items():
        if value is None:
            print(f"  {name:<34}{'not available':>16}")
        else:
            ratio = f"{value / hello:.2f}x" if hello else ""
            print(f"  {name:<34}{value:>9.1f}{ratio:>9}")
    print("\ntargets")
    for label, figure, result in results.targets:
        print(f"  {label:<44}{figure:>18}  {result}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the main log")
    parser.add_argument("--big", action="store_true", help="also run on 3x the rows (memory)")
    parser.add_argument("-c", "--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per heavy step (best kept)")
    parser.add_argument("--runs", type=int, default=10, help="runs per start-up figure")
    parser.add_argument("--data-dir", type=Path, help="keep the logs here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse logs already in --data-dir")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--progress",
        action="store_true",
        help="also time replay with its progress bar drawn (stderr on a pseudo-terminal)",
    )
    args = parser.parse_args(argv)

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="routectl-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    available = {name: command_exists(name) for name in ("replay", "report", "validate")}
    try:
        log = data_dir / f"log-{args.rows}-seed{args.seed}.csv"
        results = Results(
            args.rows, 0.0, platform.python_version(), os.cpu_count() or 1, {}, {}, []
        )
        results.steps["generate"] = generate(args.config, args.rows, args.seed, log, args.reuse)
        results.log_mb = log.stat().st_size / 1_000_000
        results.steps.update(
            run_log_steps(log, args.config, args.rows, args.repeat, available, "", args.progress)
        )
        if args.big:
            rows = args.rows * 3
            big_log = data_dir / f"log-{rows}-seed{args.seed}.csv"
            generated = generate(args.config, rows, args.seed, big_log, args.reuse)
            results.steps["generate@big"] = generated
            results.steps.update(
                run_log_steps(big_log, args.config, rows, args.repeat, available, "@big")
            )
        results.startup_ms = startup(args.config, args.runs, available)
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    evaluate(results, args.big)
    print_results(results, args.big)
    if args.json:
        args.json.write_text(json.dumps(asdict(results), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
