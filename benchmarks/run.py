"""Benchmark PREDICT throughput and memory against onnxruntime, pandas and orbital.

Usage: python -m benchmarks.run [--quick] [--rows N ...] [--threads N]
                                [--repeat N] [--work DIR] [--json FILE]

Each cell runs in a fresh Python process (benchmarks/cells.py) so that its
peak RSS is its own. The runner prints a Markdown table and the targets, and
writes all measurements as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import prepare, report
from predictemu.examples.flights import ROW_COUNT

logger = logging.getLogger("benchmarks")

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
RAW_DIR = RESULTS_DIR / "raw"

FULL_SIZES = [ROW_COUNT, 3 * ROW_COUNT, 30 * ROW_COUNT]
QUICK_SIZES = [5_000, 20_000]


def plan_cells(sizes: list[int], threads: int, models: dict) -> list[dict]:
    """Return the cells to run, smallest size first.

    The largest size is the target size (10M rows in a full run) and the
    second largest the size its memory is compared with (1M rows). The
    logistic regression runs on every engine at the smallest and largest
    size, and on onnxruntime and predictemu at the sizes between. The forest,
    about 10 times slower per row in onnxruntime, skips the largest size, and
    orbital's forest SQL runs at the smallest only. The 1-thread cells and the
    fixed-batch model run at the smallest and the largest size. onnxruntime in
    one call over all rows runs at the smallest only.
    """
    sizes = sorted(sizes)
    small, large = sizes[0], sizes[-1]
    cells = []

    def add(engine: str, model: str, rows: int, cell_threads: int = threads) -> None:
        if engine == "orbital" and models[model].orbital_sql_path is None:
            cells.append(
                {
                    "engine": engine,
                    "model": model,
                    "rows": rows,
                    "threads": cell_threads,
                    "skipped": models[model].orbital_error,
                }
            )
            return
        cells.append(
            {"engine": engine, "model": model, "rows": rows, "threads": cell_threads}
        )

    for rows in sizes:
        middle = rows not in (small, large)
        for engine in ("onnxruntime", "predictemu_agg", "predictemu_into"):
            add(engine, "lr", rows)
        if rows == small:
            # One call over all rows needs several GB at 10M rows.
            add("onnxruntime_1call", "lr", rows)
        if not middle:
            add("pandas", "lr", rows)
            add("orbital", "lr", rows)
            add("onnxruntime", "lr", rows, 1)
            add("predictemu_agg", "lr", rows, 1)
            add("predictemu_agg", "lr_fixed", rows)
        if rows != large:
            for engine in ("onnxruntime", "predictemu_agg"):
                add(engine, "rf", rows)
        if rows == small:
            for engine in ("predictemu_into", "pandas", "orbital"):
                add(engine, "rf", rows)
    return cells


def run_cell(spec: dict) -> dict:
    """Run one cell in a fresh process at low priority and return its result."""
    command = [
        "nice",
        "-n",
        "10",
        sys.executable,
        "-m",
        "benchmarks.cells",
        json.dumps(spec),
    ]
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=BENCH_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-5:]
        return {"error": " | ".join(tail) or f"exit status {completed.returncode}"}
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def run_round(
    cells: list[dict], round_number: int, rounds: int, models: dict, work: Path
) -> None:
    """Run every cell once, each in a fresh process, and merge into ``cells``.

    Interleaving the repetitions of all cells, rather than repeating one cell
    before the next, spreads the load of other programs on a shared machine
    over all engines, so their ratios stay comparable.
    """
    for index, cell in enumerate(cells, start=1):
        if "skipped" in cell or "error" in cell:
            continue
        model = models[cell["model"]]
        spec = {key: cell[key] for key in ("engine", "model", "rows", "threads")}
        spec.update(repeat=1, work=str(work))
        spec["model_path"] = str(model.onnx_path)
        if model.orbital_sql_path is not None:
            spec["orbital_sql_path"] = str(model.orbital_sql_path)
        logger.info(
            "round %d/%d, cell %d/%d: %s %s %s rows, %d threads",
            round_number,
            rounds,
            index,
            len(cells),
            cell["engine"],
            cell["model"],
            f"{cell['rows']:,}",
            cell["threads"],
        )
        result = run_cell(spec)
        if "error" in result:
            logger.warning("  failed: %s", result["error"])
            cell["error"] = result["error"]
            continue
        merge_result(cell, result)


def merge_result(cell: dict, result: dict) -> None:
    """Add one run's measurements to a cell: times append, peaks keep the maximum."""
    cell.setdefault("seconds", []).extend(result["seconds"])
    cell.setdefault("runs", []).append(result)
    cell["scored"] = result["scored"]
    if cell.get("label_sum", result["label_sum"]) != result["label_sum"]:
        cell["label_sums_differ"] = True
    cell["label_sum"] = result["label_sum"]
    cell["peak_rss_bytes"] = max(
        cell.get("peak_rss_bytes", 0), result["peak_rss_bytes"]
    )


def measure_startup(repeat: int) -> dict:
    """Time ``predictemu run`` of a one-line script, process start to exit."""
    executable = Path(sys.executable).parent / "predictemu"
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "one.sql"
        script.write_text("SELECT 1 AS one\n")
        database = Path(folder) / "startup.duckdb"
        command = [str(executable), "run", str(script), "--db", str(database)]
        command.append("--no-progress")
        seconds = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True)
            seconds.append(time.perf_counter() - started)
    return {
        "command": "predictemu run one.sql --db FILE --no-progress",
        "seconds": seconds,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 5,000 and 20,000 rows, small models, one repetition",
    )
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        metavar="N",
        help="table sizes in rows; the largest is the target size and the second "
        f"largest the memory reference (default: {', '.join(map(str, FULL_SIZES))})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="scoring threads for every engine except the 1-thread cells "
        "(default: 2, or 1 on a one-core machine)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        help="rounds: each runs every cell once in a fresh process, and the "
        "median over rounds is reported (default: 5, quick: 1)",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=RAW_DIR / "work",
        help="folder for the DuckDB database and the models (default: %(default)s)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help="results file (default: benchmarks/results/summary.json, quick: "
        "benchmarks/results/raw/quick.json)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    sizes = sorted(set(args.rows or (QUICK_SIZES if args.quick else FULL_SIZES)))
    repeat = args.repeat or (1 if args.quick else 5)
    json_path = args.json or (
        RAW_DIR / "quick.json" if args.quick else RESULTS_DIR / "summary.json"
    )
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    logger.info("preparing models and tables in %s", work)
    models = {m.name: m for m in prepare.build_models(work, args.quick)}
    database = work / prepare.DATABASE
    prepare.build_tables(database, sizes)
    prepare.store_models(database, list(models.values()))

    cells = plan_cells(sizes, args.threads, models)
    for round_number in range(1, repeat + 1):
        run_round(cells, round_number, repeat, models, work)

    startup = measure_startup(max(repeat, 3) if not args.quick else 1)
    results = {
        "mode": "quick" if args.quick else "full",
        "sizes": sizes,
        "threads": args.threads,
        "repeat": repeat,
        "machine": report.machine_info(),
        "packages": report.package_versions(),
        "source": report.source_state(BENCH_DIR.parent),
        "models": {
            name: {
                "description": m.description,
                "onnx_bytes": m.onnx_path.stat().st_size,
                "orbital": "translated" if m.orbital_sql_path else m.orbital_error,
            }
            for name, m in models.items()
        },
        "refit_matches_bundled": prepare.refit_matches_bundled(work, args.quick),
        "cells": cells,
        "startup": startup,
        "wall_seconds": time.perf_counter() - started,
    }
    results["targets"] = report.evaluate_targets(results)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    print(report.markdown(results))
    logger.info("wrote %s", json_path)
    return 1 if any("error" in cell for cell in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
