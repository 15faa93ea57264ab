"""Summarise benchmark cells: rates, ratios, targets, machine and versions."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import statistics
import subprocess
from pathlib import Path

PACKAGES = [
    "predictemu",
    "duckdb",
    "onnxruntime",
    "onnx",
    "pyarrow",
    "numpy",
    "pandas",
    "scikit-learn",
    "skl2onnx",
    "orbital",
    "ibis-framework",
    "sqlglot",
]

# Memory is reported in decimal units: 1 MB = 10**6 bytes, 1 GB = 10**9 bytes.
MB = 10**6
GB = 10**9

# Models whose onnxruntime limit is another model's: lr_fixed is the lr
# pipeline, and onnxruntime cannot score it in batches without predictemu's
# rewrite, so its ratio is to the dynamic model's limit.
LIMIT_MODEL = {"lr_fixed": "lr"}


def machine_info() -> dict:
    """Return the CPU model, core count, memory and OS of this machine."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def source_state(repo: Path) -> dict:
    """Return the checked-out commit and the files changed since it, if git runs."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    except OSError:
        return {"commit": None, "changed_files": []}
    return {"commit": commit or None, "changed_files": [line[3:] for line in changed]}


def package_versions() -> dict:
    """Return the installed version of each package the benchmark uses."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def rate(cell: dict) -> float | None:
    """Return the median rows per second of a cell, or None if it did not run."""
    seconds = cell.get("seconds")
    if not seconds or "error" in cell:
        return None
    return cell["rows"] / statistics.median(seconds)


def find(cells: list[dict], engine: str, model: str, rows: int, threads: int):
    """Return the cell with these settings, or None."""
    for cell in cells:
        if (cell["engine"], cell["model"], cell["rows"], cell["threads"]) == (
            engine,
            model,
            rows,
            threads,
        ):
            return cell
    return None


def limit_cell(cells: list[dict], cell: dict) -> dict | None:
    """Return the onnxruntime cell a cell's ratio is computed against."""
    model = LIMIT_MODEL.get(cell["model"], cell["model"])
    return find(cells, "onnxruntime", model, cell["rows"], cell["threads"])


def ratio(numerator: dict | None, denominator: dict | None) -> float | None:
    """Return the ratio of two cells' rates, or None if either is missing."""
    if numerator is None or denominator is None:
        return None
    top, bottom = rate(numerator), rate(denominator)
    if top is None or not bottom:
        return None
    return top / bottom


def evaluate_targets(results: dict) -> list[dict]:
    """Check the targets on the largest size, with the second largest for memory."""
    cells = results["cells"]
    sizes = results["sizes"]
    threads = results["threads"]
    large = sizes[-1]
    middle = sizes[-2] if len(sizes) > 1 else None

    def cell(engine: str, model: str = "lr", rows: int = large, count: int = threads):
        return find(cells, engine, model, rows, count)

    def peak(found: dict | None) -> float | None:
        return found.get("peak_rss_bytes") if found else None

    targets = []

    def add(name: str, value: float | None, goal: float, higher: bool, unit: str):
        if value is None:
            met = None
        elif higher:
            met = value >= goal
        else:
            met = value <= goal
        targets.append(
            {
                "target": name,
                "value": value,
                "goal": goal,
                "comparison": ">=" if higher else "<=",
                "unit": unit,
                "met": met,
            }
        )

    agg, into = cell("predictemu_agg"), cell("predictemu_into")
    limit = cell("onnxruntime")
    add("aggregate / onnxruntime limit", ratio(agg, limit), 0.8, True, "ratio")
    add("aggregate / pandas route", ratio(agg, cell("pandas")), 5.0, True, "ratio")
    add("into a table / onnxruntime limit", ratio(into, limit), 0.5, True, "ratio")
    for label, found in (("aggregate", agg), ("into a table", into)):
        value = peak(found)
        add(
            f"peak RSS, {label}",
            None if value is None else value / GB,
            0.6,
            False,
            "GB",
        )
        if middle is not None:
            engine = found["engine"] if found else "predictemu_agg"
            reference = peak(cell(engine, rows=middle))
            growth = None if value is None or not reference else value / reference
            add(
                f"peak RSS, {label}: {large:,} / {middle:,} rows",
                growth,
                1.2,
                False,
                "ratio",
            )
    add(
        f"aggregate, {threads} threads / 1 thread",
        ratio(agg, cell("predictemu_agg", count=1)),
        1.6,
        True,
        "ratio",
    )
    add(
        "fixed-batch model / dynamic model (aggregate)",
        ratio(cell("predictemu_agg", "lr_fixed"), agg),
        0.5,
        True,
        "ratio",
    )
    startup = results.get("startup", {}).get("seconds")
    add(
        "predictemu run startup (one-line script)",
        statistics.median(startup) if startup else None,
        1.5,
        False,
        "s",
    )
    return targets


def _label_check(cells: list[dict], cell: dict) -> str:
    reference = limit_cell(cells, cell)
    if reference is None or reference.get("label_sum") is None:
        return ""
    if cell.get("label_sum") is None:
        return ""
    difference = cell["label_sum"] - reference["label_sum"]
    return "same" if difference == 0 else f"{difference:+,}"


def _format(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def cells_table(cells: list[dict]) -> str:
    """Return the Markdown table of all cells."""
    lines = [
        "| engine | model | rows | threads | rows/s (median) | / onnxruntime "
        "| peak RSS MB | label sum vs onnxruntime |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for cell in cells:
        if "skipped" in cell or "error" in cell:
            reason = cell.get("skipped") or f"error: {cell['error']}"
            lines.append(
                f"| {cell['engine']} | {cell['model']} | {cell['rows']:,} | "
                f"{cell['threads']} | {reason} | | | |"
            )
            continue
        peak = cell.get("peak_rss_bytes")
        lines.append(
            f"| {cell['engine']} | {cell['model']} | {cell['rows']:,} | "
            f"{cell['threads']} | {_format(rate(cell), 0)} | "
            f"{_format(ratio(cell, limit_cell(cells, cell)))} | "
            f"{_format(peak / MB if peak else None, 0)} | "
            f"{_label_check(cells, cell)} |"
        )
    return "\n".join(lines)


def targets_table(targets: list[dict]) -> str:
    """Return the Markdown table of targets with their measured values."""
    lines = ["| target | goal | measured | met |", "|---|---:|---:|---|"]
    for target in targets:
        met = {True: "yes", False: "**no**", None: "not measured"}[target["met"]]
        unit = "" if target["unit"] == "ratio" else f" {target['unit']}"
        lines.append(
            f"| {target['target']} | {target['comparison']} {target['goal']}{unit} "
            f"| {_format(target['value'])}{unit} | {met} |"
        )
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """Return the full Markdown report of a run."""
    machine = results["machine"]
    memory = machine["memory_bytes"]
    packages = ", ".join(
        f"{name} {version}" for name, version in results["packages"].items() if version
    )
    startup = results["startup"]["seconds"]
    sizes = ", ".join(f"{size:,}" for size in results["sizes"])
    return "\n\n".join(
        [
            f"Machine: {machine['cpu']}, {machine['cores']} cores, "
            f"{_format(memory / GB if memory else None, 1)} GB RAM, "
            f"{machine['system']}, Python {machine['python']}.",
            f"Packages: {packages}.",
            f"Mode {results['mode']}: sizes {sizes} rows, {results['threads']} "
            f"threads, median of {results['repeat']} run(s) per cell, each in a "
            f"fresh process; `predictemu run` startup median "
            f"{statistics.median(startup):.2f} s over {len(startup)} run(s).",
            cells_table(results["cells"]),
            targets_table(results["targets"]),
        ]
    )
