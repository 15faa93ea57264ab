"""The bundled example end to end: all 336,776 flights against onnxruntime."""

from __future__ import annotations

import duckdb
import numpy as np
import onnxruntime as ort
import pytest

import predictemu
from predictemu.demo import (
    CountingOutput,
    build_example,
    example_script,
    model_directory,
)
from predictemu.examples.flights import flights_csv_path

FLIGHTS = 336_776


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    database = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with predictemu.connect(database) as session:
        assert build_example(session) == FLIGHTS
    return database


def oracle_labels() -> np.ndarray:
    """Score the CSV with onnxruntime directly, without predictemu's code paths."""
    con = duckdb.connect()
    columns = con.execute(
        "SELECT dep_delay, distance, hour, carrier, origin FROM read_csv(?, "
        "nullstr = 'NA')",
        [str(flights_csv_path())],
    ).fetchnumpy()
    dep_delay = np.ma.filled(columns["dep_delay"].astype(np.float64), np.nan)
    feeds = {
        "dep_delay": dep_delay.astype(np.float32).reshape(-1, 1),
        "distance": np.asarray(columns["distance"], np.float32).reshape(-1, 1),
        "hour": np.asarray(columns["hour"], np.int64).reshape(-1, 1),
        "carrier": np.asarray(columns["carrier"], dtype=object).reshape(-1, 1),
        "origin": np.asarray(columns["origin"], dtype=object).reshape(-1, 1),
    }
    session = ort.InferenceSession(
        str(model_directory() / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    return session.run(["output_label"], feeds)[0]


def test_procedure_scores_every_flight_like_onnxruntime(example):
    with predictemu.connect(example) as session:
        result = session.run(example_script("score_flights.sql"))
    table = result.results[-1].table
    assert table.num_rows == FLIGHTS
    assert table.column_names[0] == "output_label"
    labels = table.column("output_label").to_numpy()
    expected = oracle_labels()
    assert labels.shape == expected.shape
    assert int((labels != expected).sum()) == 0


def test_procedure_persists_for_a_later_run(example):
    with predictemu.connect(example) as session:
        session.run(example_script("score_flights.sql"), output=CountingOutput())
    with predictemu.connect(example) as session:
        output = CountingOutput()
        session.run("EXEC dbo.score_flights_delay", output=output)
    assert output.rows == FLIGHTS


def test_accuracy_query_counts_every_flight(example):
    with predictemu.connect(example) as session:
        summary = session.run(example_script("flights_accuracy.sql")).results[0]
    row = dict(zip(summary.columns, summary.rows()[0], strict=True))
    assert row["scored"] == FLIGHTS
    cells = ("true_late", "false_late", "true_on_time", "false_on_time")
    assert sum(row[c] for c in cells) == row["with_outcome"]
    expected = oracle_labels()
    assert row["true_late"] + row["false_late"] <= int(expected.sum())
