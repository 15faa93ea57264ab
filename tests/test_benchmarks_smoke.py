"""Smoke test of the benchmark runner in quick mode.

It checks that every engine runs, that the runner writes its table and JSON,
and that the engines agree on the labels. It checks no timing: the quick mode
scores a few thousand rows on whatever machine runs the tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("skl2onnx")
pytest.importorskip("pandas")

REPO_ROOT = Path(__file__).resolve().parents[1]
ENGINES = {
    "onnxruntime",
    "onnxruntime_1call",
    "predictemu_agg",
    "predictemu_into",
    "pandas",
    "orbital",
}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    folder = tmp_path_factory.mktemp("bench")
    json_path = folder / "quick.json"
    command = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--quick",
        "--work",
        str(folder / "work"),
        "--json",
        str(json_path),
    ]
    completed = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600
    )
    results = json.loads(json_path.read_text()) if json_path.is_file() else {}
    return completed, results


def test_quick_run_exits_cleanly(quick_run):
    completed, _ = quick_run
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_quick_run_prints_tables(quick_run):
    completed, _ = quick_run
    assert "| engine | model | rows | threads |" in completed.stdout
    assert "| target | goal | measured | met |" in completed.stdout


def test_quick_run_covers_engines(quick_run):
    _, results = quick_run
    engines = {cell["engine"] for cell in results["cells"]}
    assert engines == ENGINES


def test_quick_run_cells_measured(quick_run):
    _, results = quick_run
    for cell in results["cells"]:
        name = f"{cell['engine']} {cell['model']} {cell['rows']}"
        if "skipped" in cell:
            # orbital is optional. A cell it cannot run stores the reason.
            assert cell["engine"] == "orbital", name
            continue
        assert "error" not in cell, f"{name}: {cell.get('error')}"
        assert len(cell["seconds"]) == results["repeat"], name
        assert cell["scored"] == cell["rows"], name
        assert cell["peak_rss_bytes"] > 0, name


def test_quick_run_labels_agree(quick_run):
    _, results = quick_run
    limits = {
        (cell["model"], cell["rows"], cell["threads"]): cell["label_sum"]
        for cell in results["cells"]
        if cell["engine"] == "onnxruntime"
    }
    for cell in results["cells"]:
        if cell["engine"] in ("onnxruntime", "orbital") or "skipped" in cell:
            continue
        model = "lr" if cell["model"] == "lr_fixed" else cell["model"]
        expected = limits[(model, cell["rows"], cell["threads"])]
        name = f"{cell['engine']} {cell['model']} {cell['rows']}"
        assert cell["label_sum"] == expected, name


def test_quick_run_records_context(quick_run):
    _, results = quick_run
    assert results["machine"]["cores"] >= 1
    assert results["packages"]["onnxruntime"]
    assert results["packages"]["duckdb"]
    assert len(results["startup"]["seconds"]) == 1
    assert {target["target"] for target in results["targets"]} >= {
        "aggregate / onnxruntime limit",
        "aggregate / pandas route",
    }
