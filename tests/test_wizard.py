"""Tests of the scoring wizard: mapping, validation, templates and end-to-end runs.

Scores are checked against onnxruntime fed the same rows directly, never
against predictemu's own output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import pytest
import yaml
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import (
    FloatTensorType,
    Int32TensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import predictemu
from predictemu.cli import main
from predictemu.examples.flights import load_flights
from predictemu.predict.model import load_model_bytes
from predictemu.tsql.batches import split_batches
from predictemu.tsql.dialect import parse_batch
from predictemu.wizard import WizardError, WizardOptions, run_wizard
from predictemu.wizard.mapping import TableColumn, map_columns
from predictemu.wizard.signature import SignatureColumn

GOLDEN = Path(__file__).parent / "golden"
FLIGHTS_MODEL = Path(predictemu.__file__).parent / "examples" / "flights_delay"
UPDATE_GOLDEN = os.environ.get("PREDICTEMU_UPDATE_GOLDEN") == "1"

TENSOR_TYPES = {
    "float": FloatTensorType,
    "integer": Int32TensorType,
    "long": Int64TensorType,
    "string": StringTensorType,
}
NUMPY_TYPES = {"float": np.float32, "integer": np.int32, "long": np.int64}

TRAINING = {
    "a": [1.5, 2.0, 3.25, 4.0, 0.5, 6.0],
    "b": [1, 5, 2, 7, 3, 4],
    "c": ["x", "y", "x", "z", "y", "z"],
}
TARGET = [1.0, 2.0, 3.5, 4.0, 0.25, 5.5]

# Rows of the scored table: (id, a, b, c). 'w' is a category the model never saw.
READINGS = [
    (1, 1.25, 3, "x"),
    (2, 0.1, 8, "y"),
    (3, 7.5, -2, "z"),
    (4, 2.0, 0, "w"),
]


def regressor_onnx(names: dict[str, str]) -> onnx.ModelProto:
    """Fit a one-hot plus linear regression on three inputs and convert it.

    ``names`` maps the roles a (number), b (number) and c (category) to
    ``input name:MLflow type``, for example {"a": "a:float"}.
    """
    specs = {role: text.split(":") for role, text in names.items()}
    frame = pd.DataFrame({specs[role][0]: TRAINING[role] for role in TRAINING})
    numeric = [specs["a"][0], specs["b"][0]]
    pipeline = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", "passthrough", numeric),
                        (
                            "cat",
                            OneHotEncoder(handle_unknown="ignore"),
                            [specs["c"][0]],
                        ),
                    ]
                ),
            ),
            ("model", LinearRegression()),
        ]
    ).fit(frame, TARGET)
    initial_types = [
        (name, TENSOR_TYPES[kind]([None, 1])) for name, kind in specs.values()
    ]
    return convert_sklearn(pipeline, initial_types=initial_types, target_opset=17)


def write_mlflow_dir(
    directory: Path,
    proto: onnx.ModelProto,
    inputs: list[tuple[str, str]] | None,
    outputs: list[tuple[str, str]] | None,
    example: dict | None = None,
    tensor_signature: bool = False,
) -> Path:
    """Write an MLflow ONNX model directory with the given column signature."""
    directory.mkdir(parents=True, exist_ok=True)
    onnx.save_model(proto, str(directory / "model.onnx"))
    mlmodel: dict = {
        "flavors": {"onnx": {"data": "model.onnx", "onnx_version": onnx.__version__}}
    }
    if inputs is not None:
        if tensor_signature:
            specs = [
                {"type": "tensor", "tensor-spec": {"dtype": kind, "shape": [-1, 1]}}
                for _, kind in inputs
            ]
        else:
            specs = [{"type": kind, "name": name} for name, kind in inputs]
        mlmodel["signature"] = {"inputs": json.dumps(specs)}
        if outputs is not None:
            mlmodel["signature"]["outputs"] = json.dumps(
                [{"type": kind, "name": name} for name, kind in outputs]
            )
    if example is not None:
        (directory / "input_example.json").write_text(json.dumps(example))
        mlmodel["saved_input_example_info"] = {
            "artifact_path": "input_example.json",
            "pandas_orient": "split",
            "type": "dataframe",
        }
    (directory / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    return directory


def readings_model(tmp_path: Path, example: dict | None = None) -> Path:
    """Write the float/integer/string regressor as MLflow dir readings_model."""
    proto = regressor_onnx({"a": "a:float", "b": "b:integer", "c": "c:string"})
    if example is None:
        example = {"columns": ["a", "b", "c"], "data": [[1.0, 2, "x"], [3.5, 7, "z"]]}
    return write_mlflow_dir(
        tmp_path / "readings_model",
        proto,
        inputs=[("a", "float"), ("b", "integer"), ("c", "string")],
        outputs=[("variable", "float")],
        example=example,
    )


def create_readings(session, name: str = "[dbo].[readings]") -> None:
    values = ", ".join(f"({i}, {a}, {b}, '{c}')" for i, a, b, c in READINGS)
    session.run(
        f"CREATE TABLE {name} (id int, a float, b bigint, c varchar(10))\n"
        f"INSERT INTO {name} VALUES {values}"
    )


def oracle(model_path: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    """Score feeds with onnxruntime directly; return the first output, flat."""
    inference = onnxruntime.InferenceSession(
        str(model_path), providers=["CPUExecutionProvider"]
    )
    return inference.run(None, feeds)[0].ravel()


def readings_feeds() -> dict[str, np.ndarray]:
    return {
        "a": np.array([[row[1]] for row in READINGS], np.float32),
        "b": np.array([[row[2]] for row in READINGS], np.int32),
        "c": np.array([[row[3]] for row in READINGS], object),
    }


def generate(session, model: Path, table: str = "dbo.readings", **options):
    messages: list[str] = []
    result = run_wizard(
        session,
        WizardOptions(table=table, model=model, **options),
        report=messages.append,
    )
    return result, "\n".join(messages)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"golden file {name} differs"


@pytest.fixture
def session():
    with predictemu.connect(":memory:") as opened:
        yield opened


# -- mapping --------------------------------------------------------------------


def column(name: str, kind: str = "float") -> TableColumn:
    return TableColumn(name, predictemu.sqltypes.SqlType(kind))


def signature_input(name: str, kind: str = "float") -> SignatureColumn:
    return SignatureColumn(name, kind, {"float": "real", "long": "bigint"}[kind])


def test_mapping_match_kinds():
    columns = [
        column("FareAmount"),
        column("trip-distance"),
        column("passenger_cnt", "bigint"),
        column("unused"),
    ]
    inputs = [
        signature_input("fareamount"),
        signature_input("trip_distance"),
        signature_input("passenger_count", "long"),
    ]
    mappings = map_columns(columns, inputs)
    found = {m.input.name: (m.column.name, m.matched_by) for m in mappings}
    assert found["fareamount"] == ("FareAmount", "case-insensitive")
    assert found["trip_distance"] == ("trip-distance", "normalised name")
    assert found["passenger_count"] == ("passenger_cnt", "similar name (0.92)")


def test_mapping_exact_beats_similar():
    # 'amount' is more similar to 'amount2' than nothing, but must keep its exact match.
    columns = [column("amount2"), column("amount")]
    inputs = [signature_input("amount2x"), signature_input("amount")]
    mappings = map_columns(columns, inputs)
    assert [m.column.name for m in mappings] == ["amount2", "amount"]
    assert mappings[1].matched_by == "exact name"


def test_mapping_override_wins():
    columns = [column("a"), column("b")]
    mappings = map_columns(columns, [signature_input("a")], {"b": "a"})
    assert mappings[0].column.name == "b"
    assert mappings[0].matched_by == "--map"
    assert mappings[0].renamed


def test_mapping_missing_input_lists_candidates():
    columns = [column("fare"), column("distance"), column("tip")]
    with pytest.raises(WizardError) as raised:
        map_columns(columns, [signature_input("distance"), signature_input("total")])
    message = str(raised.value)
    assert "Model input 'total' (float) has no table column" in message
    assert "[tip] float (0.25), [fare] float (0.22)" in message
    assert "[distance]" not in message.split("Candidate")[1]
    assert "--map column=total" in message


def test_mapping_unknown_override_column():
    with pytest.raises(WizardError, match=r"no column 'nope'.*\[a\]"):
        map_columns([column("a")], [signature_input("a")], {"nope": "a"})


def test_mapping_unknown_override_input():
    with pytest.raises(WizardError, match=r"no input 'zz'.*'a'"):
        map_columns([column("a")], [signature_input("a")], {"a": "zz"})


def test_mapping_rejects_uncastable_column():
    columns = [TableColumn("a", predictemu.sqltypes.SqlType("date"))]
    with pytest.raises(WizardError, match=r"\[a\] is date.*\[real\]"):
        map_columns(columns, [signature_input("a")])


def test_cast_rules_for_string_types():
    inputs = [SignatureColumn("s", "string", "varchar")]
    for kind in ("char", "varchar", "nchar", "nvarchar"):
        mapping = map_columns([column("s", kind)], inputs)[0]
        assert not mapping.needs_cast, kind
    assert map_columns([column("s", "int")], inputs)[0].needs_cast


# -- golden scripts and scores --------------------------------------------------


@pytest.mark.parametrize("template", ["cte", "temp-table"])
def test_golden_script(session, tmp_path, template):
    create_readings(session)
    model = readings_model(tmp_path)
    result, _ = generate(session, model, template=template)
    check_golden(f"wizard_readings_{template}.sql", result.script)


@pytest.mark.parametrize("template", ["cte", "temp-table"])
def test_script_matches_onnxruntime(session, tmp_path, template):
    create_readings(session)
    model = readings_model(tmp_path)
    result, _ = generate(session, model, template=template)

    for batch in split_batches(result.script):
        assert parse_batch(batch.text), f"batch {batch.number} parses to nothing"
    scores = session.run(result.script).results[-1]

    assert scores.columns == ["variable", "a", "b", "c"]
    assert scores.sql_types[:3] == ["real", "real", "int"]
    expected = oracle(model / "model.onnx", readings_feeds())
    got = np.array([row[0] for row in scores.rows()], np.float32)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_script_runs_twice(session, tmp_path):
    create_readings(session)
    result, _ = generate(session, readings_model(tmp_path))
    first = session.run(result.script).results[-1].rows()
    second = session.run(result.script).results[-1].rows()
    assert first == second


def test_temp_table_procedure_runs_twice(session, tmp_path):
    create_readings(session)
    result, _ = generate(session, readings_model(tmp_path), template="temp-table")
    first = session.run(result.script).results[-1].rows()
    # The #table of the first EXEC stays for the session, as in a dedicated
    # SQL pool; the second EXEC must drop it before SELECT ... INTO.
    second = session.run("EXEC [dbo].[score_readings]").results[-1].rows()
    assert second == first


def test_model_row_stored_like_wizard(session, tmp_path):
    create_readings(session)
    result, _ = generate(
        session, readings_model(tmp_path), model_version=3, description="tips"
    )
    rows = session.run(
        "SELECT [ID], [name], [version], [description], [framework], [model], "
        "[inputs_schema], [outputs_schema] FROM dbo.aml_models"
    ).results[0]
    [(model_id, name, version, description, framework, data, inputs, outputs)] = (
        rows.rows()
    )
    assert (model_id, name, version) == ("readings_model:3", "readings_model", 3)
    assert description == "tips"
    assert framework == "ONNX"
    assert data == (tmp_path / "readings_model" / "model.onnx").read_bytes()
    assert [c["name"] for c in json.loads(inputs)] == ["a", "b", "c"]
    assert json.loads(outputs)[0]["type"] == "float"
    assert result.model_table_created


def test_existing_model_table_row_replaced(session, tmp_path):
    create_readings(session)
    model = readings_model(tmp_path)
    generate(session, model)
    second, report = generate(session, model)
    count = session.run("SELECT COUNT(*) AS n FROM dbo.aml_models").results[0]
    assert count.rows() == [(1,)]
    assert not second.model_table_created
    assert second.model_replaced
    assert "replaced the row [ID] = 'readings_model:1'" in report


def test_existing_table_not_model_table(session, tmp_path):
    create_readings(session)
    session.run("CREATE TABLE dbo.models (model_id int, payload varbinary(max))")
    with pytest.raises(WizardError, match=r"not a wizard model table.*\[ID\]"):
        generate(session, readings_model(tmp_path), model_table="dbo.models")


def test_report_shows_mapping_and_smoke_test(session, tmp_path):
    create_readings(session)
    model = readings_model(tmp_path)
    result, report = generate(session, model)
    lines = report.splitlines()
    assert (
        "a       float         a            float       CAST AS real  exact name"
        in lines
    )
    assert (
        "b       bigint        b            integer     CAST AS int   exact name"
        in lines
    )
    assert (
        "c       varchar(max)  c            string      none          exact name"
        in lines
    )
    assert "variable  real      signature" in lines
    assert "Smoke test: the input example (2 rows)" in report

    feeds = {
        "a": np.array([[1.0], [3.5]], np.float32),
        "b": np.array([[2], [7]], np.int32),
        "c": np.array([["x"], ["z"]], object),
    }
    expected = oracle(model / "model.onnx", feeds)
    got = np.array([row[0] for row in result.example_scores.rows()], np.float32)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


# -- names that need quoting ----------------------------------------------------


def test_quoted_names_end_to_end(session, tmp_path):
    session.run(
        "CREATE TABLE [dbo].[odd]]name] ([trip distance] float, [x]]y] int, "
        "[Kind] nvarchar(10), [note] varchar(20))\n"
        "INSERT INTO [dbo].[odd]]name] VALUES (1.25, 3, N'x', 'a'), "
        "(0.1, 8, N'y', 'b'), (7.5, -2, N'z', NULL)"
    )
    proto = regressor_onnx(
        {"a": "trip_distance:float", "b": "count:long", "c": "kind:string"}
    )
    model = write_mlflow_dir(
        tmp_path / "odd model",
        proto,
        inputs=[("trip_distance", "float"), ("count", "long"), ("kind", "string")],
        outputs=[("variable", "float")],
    )
    for template in ("cte", "temp-table"):
        result, report = generate(
            session,
            model,
            table="[dbo].[odd]]name]",
            template=template,
            model_table="[dbo].[my models]",
            model_name="o'brien",
            column_map={"x]y": "count"},
        )
        script = result.script
        assert "FROM [dbo].[odd]]name]" in script
        assert "CAST([trip distance] AS [real]) AS [trip_distance]" in script
        assert "CAST([x]]y] AS [bigint]) AS [count]" in script
        assert "[Kind] AS [kind]" in script
        assert "[note]" not in script
        assert "[ID] = 'o''brien:1'" in script
        assert "CREATE PROCEDURE [dbo].[score_odd]]name]" in script
        if template == "temp-table":
            assert "INTO [dbo].[#odd]]name]" in script
        assert "normalised name" in report

        scores = session.run(script).results[-1]
        feeds = {
            "trip_distance": np.array([[1.25], [0.1], [7.5]], np.float32),
            "count": np.array([[3], [8], [-2]], np.int64),
            "kind": np.array([["x"], ["y"], ["z"]], object),
        }
        expected = oracle(model / "model.onnx", feeds)
        got = np.array([row[0] for row in scores.rows()], np.float32)
        np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=template)


# -- validation -----------------------------------------------------------------


def test_tensor_signature_rejected(session, tmp_path):
    proto = regressor_onnx({"a": "a:float", "b": "b:integer", "c": "c:string"})
    model = write_mlflow_dir(
        tmp_path / "m",
        proto,
        inputs=[("a", "float32"), ("b", "int32"), ("c", "str")],
        outputs=None,
        tensor_signature=True,
    )
    create_readings(session)
    with pytest.raises(WizardError, match="tensor-based.*pass the .onnx file"):
        generate(session, model)


def test_signature_graph_type_disagreement(session, tmp_path):
    proto = regressor_onnx({"a": "a:float", "b": "b:integer", "c": "c:string"})
    model = write_mlflow_dir(
        tmp_path / "m",
        proto,
        inputs=[("a", "long"), ("b", "integer"), ("c", "string")],
        outputs=[("variable", "float")],
    )
    create_readings(session)
    with pytest.raises(WizardError) as raised:
        generate(session, model)
    message = str(raised.value)
    assert "Input 'a'" in message
    assert "signature declares long (tensor(int64))" in message
    assert "graph input is tensor(float)" in message
    assert "'a' as float in the signature" in message


def test_signature_input_missing_from_graph(session, tmp_path):
    proto = regressor_onnx({"a": "a:float", "b": "b:integer", "c": "c:string"})
    model = write_mlflow_dir(
        tmp_path / "m",
        proto,
        inputs=[("a", "float"), ("bee", "integer"), ("c", "string")],
        outputs=None,
    )
    create_readings(session)
    with pytest.raises(WizardError, match=r"input 'bee'.*graph inputs: 'a', 'b'"):
        generate(session, model)


def test_input_example_missing_column(session, tmp_path):
    model = readings_model(tmp_path, {"columns": ["a", "b"], "data": [[1.0, 2]]})
    create_readings(session)
    with pytest.raises(WizardError, match=r"no column for model inputs 'c'"):
        generate(session, model)
    assert session.run("SELECT OBJECT_ID('dbo.aml_models') AS id").results[
        0
    ].rows() == [(None,)]


def test_input_example_wrong_type(session, tmp_path):
    example = {"columns": ["a", "b", "c"], "data": [[1.0, 2.5, "x"]]}
    model = readings_model(tmp_path, example)
    create_readings(session)
    with pytest.raises(WizardError, match=r"row 1, column 'b'.*2\.5.*integer"):
        generate(session, model)


def test_smoke_test_failure_reported(session, tmp_path):
    # A NULL in an integer input stops PREDICT under the default NULL policy.
    example = {"columns": ["a", "b", "c"], "data": [[1.0, None, "x"]]}
    model = readings_model(tmp_path, example)
    create_readings(session)
    with pytest.raises(WizardError, match="Smoke test failed"):
        generate(session, model)


def test_unknown_table(session, tmp_path):
    create_readings(session)
    with pytest.raises(WizardError, match=r"Table dbo.nope not found.*dbo.readings"):
        generate(session, readings_model(tmp_path), table="dbo.nope")


def test_bare_onnx_uses_graph(session, tmp_path):
    create_readings(session)
    path = readings_model(tmp_path) / "model.onnx"
    result, report = generate(session, path)
    assert "from the ONNX graph" in report
    assert "[ID] = 'model:1'" in result.script
    assert "WITH ([variable] [real])" in result.script
    stored = session.run("SELECT [inputs_schema] FROM dbo.aml_models").results[0]
    schema = json.loads(stored.rows()[0][0])
    assert [(c["name"], c["type"]) for c in schema] == [
        ("a", "float"),
        ("b", "integer"),
        ("c", "string"),
    ]


def test_external_data_stored_self_contained(session, tmp_path):
    create_readings(session)
    proto = regressor_onnx({"a": "a:float", "b": "b:integer", "c": "c:string"})
    # Only tensors stored as raw bytes can move to an external file.
    for index, tensor in enumerate(proto.graph.initializer):
        array = onnx.numpy_helper.to_array(tensor)
        proto.graph.initializer[index].CopyFrom(
            onnx.numpy_helper.from_array(array, tensor.name)
        )
    directory = tmp_path / "external"
    directory.mkdir()
    onnx.save_model(
        proto,
        str(directory / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="weights.bin",
        size_threshold=0,
    )
    assert (directory / "weights.bin").is_file()
    generate(session, directory / "model.onnx")

    stored = session.run("SELECT [model] FROM dbo.aml_models").results[0]
    model = load_model_bytes(stored.rows()[0][0], "stored model")
    assert [spec.name for spec in model.inputs] == ["a", "b", "c"]


# -- outputs --------------------------------------------------------------------


def pairs_model(tmp_path: Path, zipmap) -> Path:
    frame = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": ["x", "y", "x", "y"]})
    pipeline = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [("num", "passthrough", ["a"]), ("cat", OneHotEncoder(), ["b"])]
                ),
            ),
            ("model", LogisticRegression()),
        ]
    ).fit(frame, [0, 0, 1, 1])
    proto = convert_sklearn(
        pipeline,
        initial_types=[
            ("a", FloatTensorType([None, 1])),
            ("b", StringTensorType([None, 1])),
        ],
        options={id(pipeline.steps[-1][1]): {"zipmap": zipmap}},
        target_opset=17,
    )
    path = tmp_path / f"pairs_{zipmap}.onnx"
    onnx.save_model(proto, str(path))
    return path


@pytest.fixture
def pairs_session(session):
    session.run(
        "CREATE TABLE dbo.pairs (a real, b varchar(5))\n"
        "INSERT INTO dbo.pairs VALUES (0.5, 'x'), (2.5, 'y'), (1.0, 'y')"
    )
    return session


def test_zipmap_output_skipped(pairs_session, tmp_path):
    path = pairs_model(tmp_path, True)
    result, report = generate(pairs_session, path, table="dbo.pairs")
    assert [o.name for o in result.spec.outputs] == ["output_label"]
    assert "Skipped 'output_probability'" in report
    assert "ZipMap" in report

    scores = pairs_session.run(result.script).results[-1]
    feeds = {
        "a": np.array([[0.5], [2.5], [1.0]], np.float32),
        "b": np.array([["x"], ["y"], ["y"]], object),
    }
    assert [row[0] for row in scores.rows()] == oracle(path, feeds).tolist()


def test_wide_output_skipped(pairs_session, tmp_path):
    path = pairs_model(tmp_path, False)
    result, report = generate(pairs_session, path, table="dbo.pairs")
    assert [o.name for o in result.spec.outputs] == ["label"]
    assert "Skipped 'probabilities': shape [N, 2] gives more than one value" in report


def test_output_override_type(pairs_session, tmp_path):
    path = pairs_model(tmp_path, True)
    result, _ = generate(
        pairs_session,
        path,
        table="dbo.pairs",
        output_types={"output_label": "numeric(5,1)"},
    )
    assert "WITH ([output_label] [decimal](5,1))" in result.script
    scores = pairs_session.run(result.script).results[-1]
    assert scores.sql_types[0] == "decimal(5,1)"


def test_output_override_unknown(pairs_session, tmp_path):
    path = pairs_model(tmp_path, True)
    with pytest.raises(WizardError, match=r"no output 'score'.*'output_label'"):
        generate(pairs_session, path, table="dbo.pairs", output_types={"score": "int"})


def test_output_override_zipmap(pairs_session, tmp_path):
    path = pairs_model(tmp_path, True)
    with pytest.raises(WizardError, match=r"output_probability=real: .*zipmap"):
        generate(
            pairs_session,
            path,
            table="dbo.pairs",
            output_types={"output_probability": "real"},
        )


def test_output_override_bad_type(pairs_session, tmp_path):
    path = pairs_model(tmp_path, True)
    with pytest.raises(WizardError, match=r"cannot return a date column"):
        generate(
            pairs_session,
            path,
            table="dbo.pairs",
            output_types={"output_label": "date"},
        )


# -- the bundled flights example ------------------------------------------------


def test_flights_wizard_matches_onnxruntime(session):
    load_flights(session.con)
    result, report = generate(session, FLIGHTS_MODEL, table="dbo.flights")
    assert "Skipped 'output_probability'" in report
    scores = session.run(result.script).results[-1]
    assert scores.table.num_rows == 336_776

    frame = session.con.execute(
        "SELECT dep_delay, distance, hour, carrier, origin FROM dbo.flights "
        "ORDER BY flight_id"
    ).fetchnumpy()
    feeds = {
        "dep_delay": frame["dep_delay"].astype(np.float32).reshape(-1, 1),
        "distance": frame["distance"].astype(np.float32).reshape(-1, 1),
        "hour": frame["hour"].astype(np.int64).reshape(-1, 1),
        "carrier": frame["carrier"].astype(object).reshape(-1, 1),
        "origin": frame["origin"].astype(object).reshape(-1, 1),
    }
    expected = oracle(FLIGHTS_MODEL / "model.onnx", feeds)
    got = scores.table.column("output_label").to_numpy()
    assert np.array_equal(got, expected)


def test_flights_cli_run(tmp_path, capsys):
    database = tmp_path / "flights.duckdb"
    with predictemu.connect(str(database)) as opened:
        load_flights(opened.con)
    status = main(
        [
            "wizard",
            "--db",
            str(database),
            "--table",
            "dbo.flights",
            "--model",
            str(FLIGHTS_MODEL),
            "--run",
            "--show",
            "3",
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "(336,776 rows scored)" in captured.out
    assert captured.out.startswith("output_label  dep_delay")
    assert len(captured.out.splitlines()) == 2 + 3 + 1
    assert "Smoke test: the input example (5 rows)" in captured.err


def test_cli_prints_script_and_writes_file(tmp_path, capsys):
    database = tmp_path / "readings.duckdb"
    with predictemu.connect(str(database)) as opened:
        create_readings(opened)
    model = readings_model(tmp_path)
    arguments = ["wizard", "--db", str(database), "--table", "dbo.readings"]
    arguments += ["--model", str(model), "--template", "temp-table"]

    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert printed == (GOLDEN / "wizard_readings_temp-table.sql").read_text()

    out = tmp_path / "score.sql"
    assert main([*arguments, "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text() == printed


def test_cli_missing_database(tmp_path, capsys):
    missing = tmp_path / "none.duckdb"
    status = main(["wizard", "--db", str(missing), "--table", "t", "--model", "m"])
    assert status == 1
    assert f"Database file {missing} not found" in capsys.readouterr().err
    assert not missing.exists()


def test_cli_bad_map_option(tmp_path, capsys):
    database = tmp_path / "readings.duckdb"
    with predictemu.connect(str(database)) as opened:
        create_readings(opened)
    arguments = ["wizard", "--db", str(database), "--table", "dbo.readings"]
    arguments += ["--model", str(readings_model(tmp_path)), "--map", "a"]
    assert main(arguments) == 1
    assert "--map 'a' is not of the form COLUMN=INPUT" in capsys.readouterr().err
