"""Peak memory of the PREDICT aggregate at two table sizes under DuckDB memory limits.

Usage: python -m benchmarks.memory_limit [--rows SMALL LARGE] [--limits none 40MB ...]

Run ``python -m benchmarks.run`` first: it builds the tables and models in
benchmarks/results/raw/work. Each (limit, rows) pair runs in a fresh process,
so every peak is that process's own. The table shows how much of the growth
with table size comes from DuckDB keeping scanned blocks in its buffer pool,
which ``Session(memory_limit=...)`` and ``--memory-limit`` bound.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.cells import AggregateOutput, peak_rss_bytes, predict_script
from benchmarks.prepare import DATABASE
from benchmarks.run import RAW_DIR
from predictemu.examples.flights import ROW_COUNT


def measure(rows: int, limit: str | None, work: Path) -> dict:
    """Score the aggregate once in this process and return time and peak RSS."""
    from predictemu.runner.session import Session

    with Session(str(work / DATABASE), threads=2, memory_limit=limit) as session:
        output = AggregateOutput()
        started = time.perf_counter()
        session.run(predict_script("lr", rows, into=False), output=output)
        seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "limit": limit,
        "seconds": round(seconds, 3),
        "peak_rss_bytes": peak_rss_bytes(),
        "scored": int(output.rows[0][0]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        nargs=2,
        type=int,
        default=[3 * ROW_COUNT, 30 * ROW_COUNT],
        metavar=("SMALL", "LARGE"),
        help="the two table sizes to compare (default: 1,010,328 and 10,103,280)",
    )
    parser.add_argument(
        "--limits",
        nargs="+",
        default=["none", "256MB", "40MB"],
        help="DuckDB memory limits to try; 'none' keeps DuckDB's default",
    )
    parser.add_argument("--work", type=Path, default=RAW_DIR / "work")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        rows, limit = json.loads(args.one)
        print(json.dumps(measure(rows, limit, args.work)))
        return 0

    print("| memory limit | rows | seconds | peak RSS MB | large / small |")
    print("|---|---:|---:|---:|---:|")
    for text in args.limits:
        limit = None if text == "none" else text
        peaks = []
        for rows in args.rows:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.memory_limit",
                    "--work",
                    str(args.work),
                    "--one",
                    json.dumps([rows, limit]),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            cell = json.loads(done.stdout.splitlines()[-1])
            peaks.append(cell["peak_rss_bytes"])
            ratio = f"{peaks[1] / peaks[0]:.2f}" if len(peaks) == 2 else ""
            print(
                f"| {text} | {rows:,} | {cell['seconds']:.2f} | "
                f"{cell['peak_rss_bytes'] / 1e6:,.0f} | {ratio} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
