"""Peak RSS of routectl on the hostile shapes of issue 21 (docs/robustness.md).

Each shape is a log written here (and a small config), then ``routectl replay``, ``report``
and ``diff`` run on it in a child process; the child's own peak RSS comes from
``os.wait4``. A plain log of the same number of rows (buyers taken at once) is the
yardstick: every shape must stay within 2x of it.

Shapes:

- ``nobody``: one buyer writes every row and no agent is ever online (pooled, waiting);
- ``queued``: one agent with ``max_concurrent = 1``; 5,000 buyers queue at the cap and
  keep writing (each buyer's later messages join its waiting inquiry);
- ``stuck``: the first inquiry is pooled for an agent (``offline.policy = "agent:X"``)
  who never comes online; every later row is routed at once to another agent;
- ``held``: one buyer writes to an offline agent, offline routing off (held, R15);
- ``sort``: ``--sort`` of a log of long rows (each with a 20,000-character text cell),
  in reverse time order.

Run from the repository root (a quick look: ``--rows 300000``)::

    .venv/bin/python benchmarks/hostile_memory.py --rows 1000000 --data-dir /tmp/hostile
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

START = datetime(2026, 11, 2, 8, 0, 0)
HEADER = "time,event,buyer,agent,status,entry,text\n"

CONFIG = """[shop]
name = "mem"

[offline]
policy = "agent:mem:x"
pool_retention_days = 365

[[groups]]
name = "g"
entries = ["shop_home"]

[[agents]]
id = "mem:a"
groups = ["g"]
max_concurrent = {cap}

[[agents]]
id = "mem:x"
groups = ["g"]
"""


def _stamp(seconds: int) -> str:
    return (START + timedelta(seconds=seconds)).isoformat()


def write_log(shape: str, rows: int, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER)
        if shape == "plain":
            out.write(f"{_stamp(0)},status,,mem:a,online,,\n")
            for n in range(rows):
                out.write(f"{_stamp(n // 4)},message,b{n % 100},,,shop_home,\n")
        elif shape == "nobody":
            for n in range(rows):
                out.write(f"{_stamp(n // 4)},message,u,,,shop_home,\n")
        elif shape == "held":
            out.write(f"{_stamp(0)},status,,mem:a,online,,\n")
            out.write(f"{_stamp(0)},status,,mem:a,offline,,\n")
            for n in range(rows):
                out.write(f"{_stamp(1 + n // 4)},message,u,mem:a,,shop_home,\n")
        elif shape == "queued":
            out.write(f"{_stamp(0)},status,,mem:a,online,,\n")
            for n in range(rows):
                out.write(f"{_stamp(1 + n // 4)},message,q{n % 5000},,,shop_home,\n")
        elif shape == "stuck":
            out.write(f"{_stamp(0)},message,stuck,,,shop_home,\n")
            out.write(f"{_stamp(1)},status,,mem:a,online,,\n")
            for n in range(rows):
                out.write(f"{_stamp(2 + n // 4)},message,b{n % 100},,,shop_home,\n")
        elif shape == "sort":
            text = "x" * 20_000
            for n in range(rows, 0, -1):
                out.write(f"{_stamp(n)},message,b{n % 100},,,shop_home,{text}\n")
        else:
            raise SystemExit(f"unknown shape {shape}")


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd``; its wall time, its own peak RSS in MB and its exit code."""
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    assert child.stderr is not None
    error = child.stderr.read().decode(errors="replace").strip()
    child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(f"  exit {code}: {error[-300:]}", file=sys.stderr)
    return wall, usage.ru_maxrss * 1024 / 1_000_000, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--sort-rows", type=int, default=20_000)
    parser.add_argument("--shapes", default="plain,nobody,held,queued,stuck,sort")
    parser.add_argument("--commands", default="replay,report,diff")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/routectl-hostile"))
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    routectl = [args.python, "-m", "routectl"]
    for shape in args.shapes.split(","):
        rows = args.sort_rows if shape == "sort" else args.rows
        cap = 1 if shape == "queued" else 200
        config = args.data_dir / f"{shape}.toml"
        config.write_text(CONFIG.replace("{cap}", str(cap)), encoding="utf-8")
        log = args.data_dir / f"{shape}-{rows}.csv"
        if not log.exists():
            write_log(shape, rows, log)
        for command in args.commands.split(","):
            if command == "replay":
                cmd = [*routectl, "replay", str(log), "-c", str(config), "--format", "csv"]
            elif command == "report":
                cmd = [*routectl, "report", str(log), "-c", str(config), "--format", "json"]
            else:
                cmd = [*routectl, "diff", str(config), str(config), str(log), "--format", "json"]
            if shape == "sort":
                cmd.append("--sort")
            cmd += ["-o", "/dev/null"]
            wall, rss, code = measure(cmd)
            print(f"{shape:7} {rows:>9} {command:7} {rss:8.1f} MB {wall:7.1f} s  exit {code}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
