"""PREDICT's binding rules and model checks: the pool's errors, with the fix."""

from __future__ import annotations

import pickle

import models
import numpy as np
import onnx
import pytest
from sklearn.linear_model import LinearRegression

from predictemu.errors import ModelError, PredictError, TsqlError

SCORE_T = (
    "SELECT d.f00, p.variable FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, "
    "RUNTIME = ONNX) WITH (variable real) AS p"
)


def make_table(session, definition: str, rows: str) -> None:
    session.run(f"CREATE TABLE dbo.t ({definition})\nINSERT INTO dbo.t VALUES {rows}")


def test_real_column_scores(session, doubling_model):
    make_table(session, "f00 real", "(5.0)")
    result = session.run(SCORE_T, variables={"@m": doubling_model})
    assert result.results[0].rows() == [(5.0, 10.0)]


def test_float_column_against_float_input(session, doubling_model):
    make_table(session, "f00 float", "(5.0)")
    with pytest.raises(PredictError) as caught:
        session.run(SCORE_T, variables={"@m": doubling_model})
    message = str(caught.value)
    assert "The type of model column 'f00' is 'real'" in message
    assert "Doesn't match the input column type" in message
    assert "CAST([f00] AS real)" in message


def test_input_names_match_case_insensitively(session, doubling_model):
    make_table(session, "F00 real", "(1.5)")
    result = session.run(
        "SELECT p.variable FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, RUNTIME = ONNX)"
        " WITH (VARIABLE real) AS p",
        variables={"@m": doubling_model},
    )
    assert result.results[0].rows() == [(3.0,)]


def test_missing_inputs_listed_together(session, pair_classifier):
    make_table(session, "x real, y real", "(1, 2)")
    with pytest.raises(PredictError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (output_label bigint) AS p",
            variables={"@m": pair_classifier},
        )
    message = str(caught.value)
    assert "'a', 'b'" in message
    assert "[x], [y]" in message


def test_array_input_is_rejected(session):
    """One [N, 2] input instead of one input per column."""
    make_table(session, "a real, b real", "(1, 2)")
    with pytest.raises(PredictError) as caught:
        session.run(
            "SELECT d.*, p.* FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, "
            "RUNTIME = ONNX) WITH (output_label bigint) AS p",
            variables={"@m": models.array_input_classifier()},
        )
    message = str(caught.value)
    assert "'input'" in message
    assert "[N, 2]" in message
    assert "one input per column" in message


def test_wide_output_is_rejected(session):
    """An output with two values per row cannot fill a column."""
    make_table(session, "a real, b real", "(1, 2)")
    with pytest.raises(PredictError) as caught:
        session.run(
            "SELECT p.variable FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, "
            "RUNTIME = ONNX) WITH (variable real) AS p",
            variables={"@m": models.scaler_two_inputs()},
        )
    message = str(caught.value)
    assert "'variable'" in message
    assert "[N, 2]" in message
    assert "Model outputs: 'variable' tensor(float) [N, 2]" in message


def test_unknown_output_lists_outputs(session, doubling_model):
    make_table(session, "f00 real", "(1)")
    with pytest.raises(PredictError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (score real) AS p",
            variables={"@m": doubling_model},
        )
    message = str(caught.value)
    assert "WITH clause specified different output columns" in message
    assert "'score'" in message
    assert "'variable' tensor(float) [N, 1]" in message


def test_no_model_row(session, doubling_model):
    """The model subquery matches no row."""
    session.run(
        "CREATE TABLE dbo.models (id int, model varbinary(max))\n"
        "INSERT INTO dbo.models SELECT 1, @m",
        variables={"@m": doubling_model},
    )
    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models WHERE id = 999);"
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, RUNTIME = ONNX) "
            "WITH (y real) AS p;"
        )
    message = str(caught.value)
    assert "Model is corrupt or invalid" in message
    assert "MODEL (variable @m) is NULL because its query returned no row" in message


def test_subquery_model_no_row_or_null(session, doubling_model):
    session.run(
        "CREATE TABLE dbo.models (id int, model varbinary(max))\n"
        "INSERT INTO dbo.models VALUES (2, NULL)"
    )
    make_table(session, "f00 real", "(1)")
    score = (
        "SELECT * FROM PREDICT(MODEL = (SELECT model FROM dbo.models WHERE id = {}),"
        " DATA = dbo.t) WITH (variable real) AS p"
    )
    with pytest.raises(ModelError) as caught:
        session.run(score.format(999))
    assert "returned no row" in str(caught.value)
    with pytest.raises(ModelError) as caught:
        session.run(score.format(2))
    assert "model column is NULL" in str(caught.value)


def test_empty_model(session):
    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError, match="is empty"):
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (y real) AS p",
            variables={"@m": b""},
        )


def test_pickle_is_named_and_never_loaded(session, tmp_path):
    """A pickled model; predictemu must not unpickle it."""
    make_table(session, "f00 real", "(1)")
    marker = tmp_path / "unpickled"
    # Unpickling this payload would create the marker file.
    payload = pickle.dumps(
        (LinearRegression(), _Marker(str(marker))), protocol=pickle.HIGHEST_PROTOCOL
    )
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (y real) AS p",
            variables={"@m": payload},
        )
    assert "not an ONNX model" in str(caught.value)
    assert "Python pickle" in str(caught.value)
    assert not marker.exists()


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_hex_text_cast_to_varbinary(session, doubling_model):
    """Hex digits stored as characters, then cast to varbinary."""
    make_table(session, "f00 real", "(1)")
    text = "0x" + doubling_model.hex().upper()
    with pytest.raises(ModelError) as caught:
        session.run(
            "DECLARE @m varbinary(max) = CAST(@hex AS varbinary(max))\n"
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (y real) AS p",
            variables={"@hex": text},
        )
    assert "'0x'" in str(caught.value)
    assert "hex text" in str(caught.value)


def test_zipmap_output_not_computed(session, pair_classifier):
    """Labels come back; the ZipMap output is never requested."""
    make_table(session, "a real, b real", "(2, 2), (-1, 0)")
    result = session.run(
        "SELECT d.*, p.output_label FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, "
        "RUNTIME = ONNX) WITH (output_label bigint) AS p",
        variables={"@m": pair_classifier},
    )
    assert result.results[0].rows() == [(2.0, 2.0, 1), (-1.0, 0.0, 0)]


def test_zipmap_output_declared(session, pair_classifier):
    make_table(session, "a real, b real", "(2, 2)")
    with pytest.raises(PredictError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (output_probability real) AS p",
            variables={"@m": pair_classifier},
        )
    message = str(caught.value)
    assert "ZipMap" in message
    assert "zipmap" in message
    assert "'label' and 'probabilities'" in message


def test_external_data_is_never_read(session, tmp_path, monkeypatch):
    """Weights in a separate file; only model.onnx is in the table."""
    proto = onnx.load_model_from_string(models.matmul_model())
    onnx.save_model(
        proto,
        str(tmp_path / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="weights.bin",
        size_threshold=0,
    )
    monkeypatch.chdir(tmp_path)  # the weights file sits in the working directory
    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (variable real) AS p",
            variables={"@m": (tmp_path / "model.onnx").read_bytes()},
        )
    message = str(caught.value)
    assert "weights.bin" in message
    assert "self-contained" in message


def test_external_data_folded_in_from_file(tmp_path):
    from predictemu.predict.model import load_model_bytes, load_model_file

    proto = onnx.load_model_from_string(models.matmul_model())
    onnx.save_model(
        proto,
        str(tmp_path / "model.onnx"),
        save_as_external_data=True,
        location="weights.bin",
        size_threshold=0,
    )
    model = load_model_bytes(load_model_file(tmp_path / "model.onnx"), "file")
    result = model.session().run(None, {"f00": np.array([[3.0]], np.float32)})
    assert result[0].ravel().tolist() == pytest.approx([6.0])


def test_opset_newer_than_runtime(session, doubling_model):
    """A model that imports ai.onnx opset 40."""
    from predictemu.predict.model import supported_opset

    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (variable real) AS p",
            variables={"@m": models.with_opset(doubling_model, 40)},
        )
    message = str(caught.value)
    assert "opset 40" in message
    assert f"up to {supported_opset()}" in message


def test_null_real_input_becomes_nan(session):
    make_table(session, "f00 real", "(NULL), (2)")
    result = session.run(
        "SELECT p.flag FROM PREDICT(MODEL = @m, DATA = dbo.t AS d) "
        "WITH (flag real) AS p",
        variables={"@m": models.nan_flag_model()},
    )
    assert result.results[0].rows() == [(1.0,), (0.0,)]


def test_null_integer_input_is_an_error(session, mixed_pipeline):
    make_table(session, "x real, n bigint, s varchar(10)", "(1, NULL, 'red')")
    with pytest.raises(PredictError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (label bigint) AS p",
            variables={"@m": mixed_pipeline},
        )
    assert "DATA column [n] contains NULL" in str(caught.value)


def test_null_policy_returns_null(mixed_pipeline):
    import predictemu

    with predictemu.connect(null_policy="null") as session:
        make_table(
            session, "x real, n bigint, s varchar(10)", "(1, NULL, 'red'), (1, 2, NULL)"
        )
        session.run("INSERT INTO dbo.t VALUES (0.5, 1, 'blue')")
        result = session.run(
            "SELECT label FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (label bigint) AS p",
            variables={"@m": mixed_pipeline},
        )
    labels = result.results[0].table.column("label").to_pylist()
    assert labels[:2] == [None, None]
    assert labels[2] in (0, 1)


def test_output_cast_truncates_toward_zero(session, doubling_model):
    make_table(session, "f00 real", "(1.4), (-1.4)")
    result = session.run(
        "SELECT variable FROM PREDICT(MODEL = @m, DATA = dbo.t) "
        "WITH (variable int) AS p",
        variables={"@m": doubling_model},
    )
    # 2.8 and -2.8: CAST(float AS int) truncates toward zero.
    assert result.results[0].table.column(0).to_pylist() == [2, -2]


def test_output_cast_rounds_numeric(session, doubling_model):
    make_table(session, "f00 real", "(1.0625)")
    result = session.run(
        "SELECT variable FROM PREDICT(MODEL = @m, DATA = dbo.t) "
        "WITH (variable numeric(10, 2)) AS p",
        variables={"@m": doubling_model},
    )
    # 2.125 rounds half away from zero to 2.13.
    assert str(result.results[0].table.column(0)[0].as_py()) == "2.13"
    assert result.results[0].sql_types == ["decimal(10,2)"]


def test_output_cast_overflow(session, doubling_model):
    make_table(session, "f00 real", "(200)")
    with pytest.raises(TsqlError) as caught:
        session.run(
            "SELECT variable FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (variable tinyint) AS p",
            variables={"@m": doubling_model},
        )
    assert caught.value.number == 8115
    assert "tinyint" in str(caught.value)


def test_failed_insert_leaves_no_rows(session, mixed_pipeline):
    session.run(
        "CREATE TABLE dbo.t (x real, n bigint, s varchar(10))\n"
        "CREATE TABLE dbo.out (label bigint)"
    )
    # The NULL sits in the last of many batches, so earlier batches score first.
    session.con.execute(
        "INSERT INTO dbo.t SELECT 0.5, i % 5, 'red' FROM range(200000) r(i)"
    )
    session.con.execute("INSERT INTO dbo.t VALUES (0.5, NULL, 'red')")
    with pytest.raises(PredictError):
        session.run(
            "INSERT INTO dbo.out SELECT label FROM PREDICT(MODEL = @m, DATA = dbo.t)"
            " WITH (label bigint) AS p",
            variables={"@m": mixed_pipeline},
        )
    assert session.run("SELECT COUNT(*) FROM dbo.out").results[0].rows() == [(0,)]


def test_sqledge_rejects_subquery_model(doubling_model):
    import predictemu

    with predictemu.connect(target="sqledge") as session:
        make_table(session, "f00 real", "(1)")
        session.run(
            "CREATE TABLE dbo.models (id int, model varbinary(max))\n"
            "INSERT INTO dbo.models SELECT 1, @m",
            variables={"@m": doubling_model},
        )
        with pytest.raises(TsqlError, match="Synapse only"):
            session.run(
                "SELECT * FROM PREDICT(MODEL = (SELECT model FROM dbo.models), "
                "DATA = dbo.t) WITH (variable real) AS p"
            )
        result = session.run(
            "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)\n"
            "SELECT variable FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (variable real) AS p"
        )
    assert result.results[0].rows() == [(2.0,)]
    assert not any("RUNTIME" in message for message in result.messages)


def test_invalid_graph_is_named(session):
    proto = onnx.load_model_from_string(models.matmul_model())
    proto.graph.node[0].input[1] = "no_such_tensor"
    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (variable real) AS p",
            variables={"@m": proto.SerializeToString()},
        )
    assert "invalid graph" in str(caught.value)
    assert "no_such_tensor" in str(caught.value)


def test_string_output_of_float(session, doubling_model):
    make_table(session, "f00 real", "(61.5)")
    result = session.run(
        "SELECT variable FROM PREDICT(MODEL = @m, DATA = dbo.t) "
        "WITH (variable varchar(10)) AS p",
        variables={"@m": doubling_model},
    )
    assert result.results[0].rows() == [("123",)]
    with pytest.raises(TsqlError) as caught:
        session.run(
            "SELECT variable FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (variable varchar(2)) AS p",
            variables={"@m": doubling_model},
        )
    assert caught.value.number == 8115


def test_decimal_column_gets_cast_advice(session, doubling_model):
    make_table(session, "f00 decimal(10, 2)", "(1.5)")
    with pytest.raises(PredictError) as caught:
        session.run(SCORE_T, variables={"@m": doubling_model})
    assert "DATA column [f00] is 'decimal'" in str(caught.value)
    assert "CAST([f00] AS real) AS [f00]" in str(caught.value)


def test_score_api_takes_pandas_and_checks_types(mixed_pipeline):
    import pandas as pd

    import predictemu

    frame = pd.DataFrame({"x": [0.5], "n": [1], "s": ["red"]})
    with pytest.raises(PredictError) as caught:
        predictemu.score(frame, mixed_pipeline, {"label": "bigint"})
    assert "data['x'].astype('float32')" in str(caught.value)
    assert "CAST" not in str(caught.value)
    frame["x"] = frame["x"].astype("float32")
    scored = predictemu.score(frame, mixed_pipeline, {"label": "bigint"})
    assert scored.column_names == ["label", "x", "n", "s"]
    assert scored.num_rows == 1


def test_ml_opset_newer_than_runtime(session, pair_classifier):
    from predictemu.predict.model import supported_opsets

    proto = onnx.load_model_from_string(pair_classifier)
    for entry in proto.opset_import:
        if entry.domain == "ai.onnx.ml":
            entry.version = 9
    make_table(session, "a real, b real", "(1, 2)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (output_label bigint) AS p",
            variables={"@m": proto.SerializeToString()},
        )
    message = str(caught.value)
    assert "ai.onnx.ml opset 9" in message
    assert f"up to {supported_opsets()['ai.onnx.ml']}" in message


def test_ir_version_newer_than_runtime(session):
    proto = onnx.load_model_from_string(models.matmul_model())
    proto.ir_version = 99
    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (variable real) AS p",
            variables={"@m": proto.SerializeToString()},
        )
    assert "IR version 99" in str(caught.value)
    assert f"up to {onnx.IR_VERSION}" in str(caught.value)


def test_fixed_batch_probe_sees_rows_that_mix(session):
    """A graph that averages over the batch must not be scored in batches."""
    session.run("CREATE TABLE dbo.t (id int, x real)")
    # The first 64 rows are alike, so only a sample spread over the batch
    # shows that batched results differ from row-by-row ones.
    session.con.execute(
        "INSERT INTO dbo.t SELECT i, CASE WHEN i < 64 THEN 1 ELSE i END "
        "FROM range(200) r(i)"
    )
    result = session.run(
        "SELECT d.x, p.y FROM PREDICT(MODEL = @m, DATA = dbo.t AS d) "
        "WITH (y real) AS p ORDER BY d.id",
        variables={"@m": models.batch_mixing_model()},
    )
    rows = result.results[0].rows()
    # Row by row the model returns its input.
    assert all(y == x for x, y in rows)
    assert any("other results than one by one" in m for m in result.messages)


def test_nan_output_becomes_null(session):
    make_table(session, "a real, b real", "(1, 2), (NULL, 1)")
    result = session.run(
        "SELECT p.y, CASE WHEN p.y > 100 THEN 1 ELSE 0 END AS big FROM PREDICT("
        "MODEL = @m, DATA = dbo.t AS d) WITH (y real) AS p",
        variables={"@m": models.nan_passthrough_model()},
    )
    assert result.results[0].rows() == [(3.0, 0), (None, 0)]
    assert any("NaN" in m for m in result.messages)


def test_nan_output_into_int_is_null(session):
    make_table(session, "a real, b real", "(NULL, 1)")
    result = session.run(
        "SELECT p.y FROM PREDICT(MODEL = @m, DATA = dbo.t AS d) WITH (y int) AS p",
        variables={"@m": models.nan_passthrough_model()},
    )
    assert result.results[0].rows() == [(None,)]


def test_duplicate_with_column(session, doubling_model):
    make_table(session, "f00 real", "(1)")
    with pytest.raises(PredictError, match="'variable' in the WITH clause"):
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) "
            "WITH (variable real, variable real) AS p",
            variables={"@m": doubling_model},
        )


def test_missing_data_table_named_without_alias(session, doubling_model):
    with pytest.raises(TsqlError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.nope AS d) "
            "WITH (variable real) AS p",
            variables={"@m": doubling_model},
        )
    assert caught.value.number == 208
    assert "Invalid object name 'dbo.nope'." in str(caught.value)


def test_null_input_error_names_data_row(mixed_pipeline):
    import predictemu

    with predictemu.connect(batch_rows=100) as session:
        session.run("CREATE TABLE dbo.t (id int, x real, n bigint, s varchar(10))")
        session.con.execute(
            "INSERT INTO dbo.t SELECT i, 0.5, CASE WHEN i = 250 THEN NULL ELSE 1 END,"
            " 'red' FROM range(300) r(i)"
        )
        with pytest.raises(PredictError) as caught:
            session.run(
                "SELECT label FROM PREDICT(MODEL = @m, DATA = dbo.t) "
                "WITH (label bigint) AS p",
                variables={"@m": mixed_pipeline},
            )
    assert "first in DATA row 251" in str(caught.value)


def test_year_feeds_int_not_bigint(session):
    """YEAR returns int in T-SQL, so it binds to tensor(int32) only."""
    from onnx import TensorProto, helper

    def identity_model(element_type: int) -> bytes:
        graph = helper.make_graph(
            [helper.make_node("Identity", ["n"], ["n2"])],
            "identity",
            [helper.make_tensor_value_info("n", element_type, [None, 1])],
            [helper.make_tensor_value_info("n2", element_type, [None, 1])],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        return model.SerializeToString()

    session.run("CREATE TABLE dbo.d (d1 date)\nINSERT INTO dbo.d VALUES ('2024-01-01')")
    script = (
        "WITH c AS (SELECT YEAR(d1) AS n FROM dbo.d)\n"
        "SELECT p.n2 FROM PREDICT(MODEL = @m, DATA = c AS d, RUNTIME = ONNX) "
        "WITH (n2 {}) AS p"
    )
    with pytest.raises(PredictError, match="'bigint'"):
        session.run(
            script.format("bigint"),
            variables={"@m": identity_model(TensorProto.INT64)},
        )
    result = session.run(
        script.format("int"), variables={"@m": identity_model(TensorProto.INT32)}
    )
    assert result.results[0].rows() == [(2024,)]


def test_truncated_model_is_named(session, doubling_model):
    make_table(session, "f00 real", "(1)")
    with pytest.raises(ModelError) as caught:
        session.run(
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.t) WITH (variable real) AS p",
            variables={"@m": doubling_model[:15]},
        )
    assert "start like an ONNX model but do not parse" in str(caught.value)
    assert "15 bytes" in str(caught.value)
