"""PREDICT in every form real scoring scripts use, checked against onnxruntime."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

import predictemu
from predictemu.errors import TsqlError

PAIRS = """
CREATE TABLE dbo.pairs (id int, a real, b real) WITH (DISTRIBUTION = ROUND_ROBIN, HEAP)
INSERT INTO dbo.pairs VALUES (1, 0.5, 0.2), (2, 2.0, 1.5), (3, -1.0, 0.1), (4, 1.0, 1.0)
CREATE TABLE dbo.models ([ID] nvarchar(1024), [model] varbinary(max))
WITH (HEAP, DISTRIBUTION = ROUND_ROBIN)
INSERT INTO dbo.models SELECT 'pairs:1', @model
"""


def expected_labels(model: bytes, a: list[float], b: list[float]) -> list[int]:
    """Return onnxruntime's labels for the rows, computed without predictemu."""
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    feeds = {
        "a": np.array(a, dtype=np.float32).reshape(-1, 1),
        "b": np.array(b, dtype=np.float32).reshape(-1, 1),
    }
    return session.run(["output_label"], feeds)[0].tolist()


A = [0.5, 2.0, -1.0, 1.0]
B = [0.2, 1.5, 0.1, 1.0]


@pytest.fixture
def pairs(session, pair_classifier):
    session.run(PAIRS, variables={"@model": pair_classifier})
    return session


def labels_of(result, column="output_label"):
    table = result.results[-1].table
    return table.column(column).to_pylist()


def test_model_from_variable(pairs, pair_classifier):
    result = pairs.run(
        """
        DECLARE @m varbinary(max) = (SELECT model FROM dbo.models WHERE id = 'pairs:1');
        SELECT d.id, p.output_label
        FROM PREDICT(MODEL = @m, DATA = dbo.pairs AS d, RUNTIME = ONNX)
        WITH (output_label bigint) AS p;
        """
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)
    assert result.results[-1].columns == ["id", "output_label"]


def test_model_from_scalar_subquery(pairs, pair_classifier):
    result = pairs.run(
        """
        SELECT * FROM PREDICT(
            MODEL = (SELECT [model] FROM dbo.models WHERE [ID] = 'pairs:1'),
            DATA = dbo.pairs, RUNTIME = ONNX) WITH ([output_label] [bigint])
        """
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)


def test_model_from_hex_literal(pairs, pair_classifier):
    literal = "0x" + pair_classifier.hex().upper()
    result = pairs.run(
        f"SELECT p.output_label FROM PREDICT(MODEL = {literal}, DATA = dbo.pairs AS d,"
        " RUNTIME = ONNX) WITH (output_label bigint) AS p"
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)


def test_select_star_puts_with_columns_first(pairs):
    result = pairs.run(
        "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)\n"
        "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.pairs AS d) "
        "WITH (output_label bigint) AS p"
    )
    assert result.results[-1].columns == ["output_label", "id", "a", "b"]


def test_data_and_predict_star_expand_separately(pairs):
    result = pairs.run(
        "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)\n"
        "SELECT d.*, p.* FROM PREDICT(MODEL = @m, DATA = dbo.pairs AS d, "
        "RUNTIME = ONNX) WITH (output_label bigint) AS p"
    )
    assert result.results[-1].columns == ["id", "a", "b", "output_label"]


def test_missing_runtime_gives_notice(pairs, pair_classifier):
    result = pairs.run(
        "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)\n"
        "SELECT output_label FROM PREDICT(MODEL = @m, DATA = dbo.pairs) "
        "WITH (output_label bigint) AS p"
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)
    assert any("RUNTIME = ONNX" in message for message in result.messages)


def test_runtime_other_than_onnx_is_rejected(pairs):
    with pytest.raises(TsqlError, match="RUNTIME = R is not supported"):
        pairs.run(
            "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)\n"
            "SELECT * FROM PREDICT(MODEL = @m, DATA = dbo.pairs, RUNTIME = R) "
            "WITH (output_label bigint) AS p"
        )


def test_data_from_schema_qualified_temp_table(pairs, pair_classifier):
    result = pairs.run(
        """
        SELECT CAST([a] AS [real]) AS [a], CAST([b] AS [real]) AS [b]
        INTO [dbo].[#pairs] FROM [dbo].[pairs];
        SELECT * FROM PREDICT (MODEL = (SELECT [model] FROM [dbo].[models]
            WHERE [ID] = 'pairs:1'), DATA = [dbo].[#pairs], RUNTIME = ONNX)
        WITH ([output_label] [bigint])
        """
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)


def test_data_from_cte(pairs, pair_classifier):
    result = pairs.run(
        """
        WITH InputData AS (SELECT CAST(a AS real) AS a, b FROM dbo.pairs)
        SELECT * FROM PREDICT (MODEL = (SELECT [model] FROM dbo.models
            WHERE [ID] = 'pairs:1'), DATA = InputData, RUNTIME = ONNX)
        WITH ([output_label] [bigint])
        """
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)


def test_insert_select_from_predict(pairs, pair_classifier):
    result = pairs.run(
        """
        CREATE TABLE dbo.scores (id int, label bigint)
        DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)
        INSERT INTO dbo.scores (id, label)
        SELECT d.id, p.output_label FROM PREDICT(MODEL = @m, DATA = dbo.pairs AS d,
            RUNTIME = ONNX) WITH (output_label bigint) AS p
        SELECT label FROM dbo.scores ORDER BY id
        """
    )
    assert labels_of(result, "label") == expected_labels(pair_classifier, A, B)
    assert "(4 rows affected)" in result.messages


def test_select_into_temp_then_merge(pairs, pair_classifier):
    result = pairs.run(
        """
        DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)
        SELECT * INTO #Pred FROM PREDICT(MODEL = @m, DATA = dbo.pairs AS d,
            RUNTIME = ONNX) WITH (output_label bigint) AS p
        CREATE TABLE dbo.target (id int, label bigint)
        MERGE INTO dbo.target AS t USING #Pred AS s ON t.id = s.id
        WHEN NOT MATCHED THEN INSERT (id, label) VALUES (s.id, s.output_label);
        SELECT label FROM dbo.target ORDER BY id
        """
    )
    assert labels_of(result, "label") == expected_labels(pair_classifier, A, B)


def test_view_with_subquery_model(pairs, pair_classifier):
    result = pairs.run(
        """
        CREATE VIEW dbo.scored AS
        SELECT d.id, p.output_label FROM PREDICT(MODEL = (SELECT [model]
            FROM dbo.models WHERE [ID] = 'pairs:1'), DATA = dbo.pairs AS d,
            RUNTIME = ONNX) WITH (output_label bigint) AS p
        """
    )
    assert result.results == []
    selected = pairs.run("SELECT output_label FROM dbo.scored ORDER BY id")
    assert labels_of(selected) == expected_labels(pair_classifier, A, B)


def test_ctas_and_group_by_over_derived_table(pairs, pair_classifier):
    result = pairs.run(
        """
        CREATE TABLE dbo.labelled WITH (DISTRIBUTION = HASH(id), HEAP) AS
        SELECT d.id, p.output_label FROM PREDICT(MODEL = (SELECT [model]
            FROM dbo.models), DATA = dbo.pairs AS d, RUNTIME = ONNX)
            WITH (output_label bigint) AS p
        SELECT scored.output_label, COUNT(*) AS n FROM (
            SELECT p.output_label FROM PREDICT(MODEL = (SELECT [model]
                FROM dbo.models), DATA = dbo.pairs AS d, RUNTIME = ONNX)
                WITH (output_label bigint) AS p) AS scored
        GROUP BY scored.output_label ORDER BY scored.output_label
        """
    )
    labels = expected_labels(pair_classifier, A, B)
    counts = [(label, labels.count(label)) for label in sorted(set(labels))]
    assert result.results[-1].rows() == counts


def test_join_with_other_table(pairs, pair_classifier):
    result = pairs.run(
        """
        CREATE TABLE dbo.names (id int, name varchar(10))
        INSERT INTO dbo.names VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four')
        SELECT n.name, p.output_label FROM PREDICT(MODEL = (SELECT [model]
            FROM dbo.models), DATA = dbo.pairs AS d, RUNTIME = ONNX)
            WITH (output_label bigint) AS p
        JOIN dbo.names AS n ON n.id = d.id ORDER BY d.id
        """
    )
    labels = expected_labels(pair_classifier, A, B)
    assert result.results[-1].rows() == list(
        zip(["one", "two", "three", "four"], labels, strict=True)
    )


def test_assign_variable_from_predict(pairs, pair_classifier):
    result = pairs.run(
        """
        DECLARE @label bigint
        SELECT @label = p.output_label FROM PREDICT(MODEL = (SELECT [model]
            FROM dbo.models), DATA = dbo.pairs AS d, RUNTIME = ONNX)
            WITH (output_label bigint) AS p WHERE d.id = 2
        SELECT @label AS label
        """
    )
    assert result.results[-1].rows() == [(expected_labels(pair_classifier, A, B)[1],)]


def test_wizard_procedure_shape_with_exec(pairs, pair_classifier):
    result = pairs.run(
        """
        CREATE PROCEDURE [dbo].[score_pairs]
        AS
        BEGIN
        SELECT CAST([a] AS [real]) AS [a], CAST([b] AS [real]) AS [b]
        INTO [dbo].[#pairs] FROM [dbo].[pairs];
        SELECT * FROM PREDICT (MODEL = (SELECT [model] FROM [dbo].[models]
            WHERE [ID] = 'pairs:1'), DATA = [dbo].[#pairs], RUNTIME = ONNX)
        WITH ([output_label] [bigint])
        END
        GO
        EXEC [dbo].[score_pairs]
        """
    )
    assert labels_of(result) == expected_labels(pair_classifier, A, B)


def test_statements_need_no_semicolons(pairs, pair_classifier):
    result = pairs.run(
        "DECLARE @m varbinary(max) = (SELECT model FROM dbo.models)\n"
        "DECLARE @n int = 2\n"
        "SELECT p.output_label FROM PREDICT(MODEL = @m, DATA = dbo.pairs AS d)\n"
        "WITH (output_label bigint) AS p WHERE d.id <= @n\n"
        "SELECT @n AS n\n"
    )
    assert (
        result.results[0].table.column(0).to_pylist()
        == expected_labels(pair_classifier, A, B)[:2]
    )
    assert result.results[1].rows() == [(2,)]


def test_fixed_batch_model_scores_whole_table(session, mixed_pipeline_fixed):
    rows = 1000
    rng = np.random.default_rng(7)
    x = rng.normal(size=rows).astype(np.float32)
    n = rng.integers(0, 5, size=rows)
    s = rng.choice(["red", "green", "blue"], size=rows)
    session.con.execute("CREATE TABLE dbo.t (id INTEGER, x FLOAT, n BIGINT, s VARCHAR)")
    session.con.executemany(
        "INSERT INTO dbo.t VALUES (?, ?, ?, ?)",
        [(i, float(x[i]), int(n[i]), str(s[i])) for i in range(rows)],
    )
    result = session.run(
        "SELECT p.label FROM PREDICT(MODEL = @m, DATA = dbo.t AS d, RUNTIME = ONNX) "
        "WITH (label bigint) AS p",
        variables={"@m": mixed_pipeline_fixed},
    )
    oracle = ort.InferenceSession(
        mixed_pipeline_fixed, providers=["CPUExecutionProvider"]
    )
    expected = [
        int(
            oracle.run(
                ["label"],
                {
                    "x": x[i : i + 1].reshape(1, 1),
                    "n": n[i : i + 1].reshape(1, 1).astype(np.int64),
                    "s": np.array([[s[i]]], dtype=object),
                },
            )[0][0]
        )
        for i in range(rows)
    ]
    assert result.results[-1].table.column("label").to_pylist() == expected
    assert any("fixed at batch size 1" in m for m in result.messages)


def test_score_api_matches_sql(mixed_pipeline):
    import pyarrow as pa

    table = pa.table(
        {
            "x": pa.array([0.1, 2.0, -1.0], pa.float32()),
            "n": pa.array([1, 4, 0], pa.int64()),
            "s": ["red", "blue", "green"],
        }
    )
    scored = predictemu.score(table, mixed_pipeline, {"label": "bigint"})
    oracle = ort.InferenceSession(mixed_pipeline, providers=["CPUExecutionProvider"])
    expected = oracle.run(
        ["label"],
        {
            "x": np.array([[0.1], [2.0], [-1.0]], dtype=np.float32),
            "n": np.array([[1], [4], [0]], dtype=np.int64),
            "s": np.array([["red"], ["blue"], ["green"]], dtype=object),
        },
    )[0]
    assert scored.column_names == ["label", "x", "n", "s"]
    assert scored.column("label").to_pylist() == expected.tolist()


def test_progress_factory_sees_every_row(pair_classifier):
    seen = {"total": None, "rows": 0, "closed": False}

    class Bar:
        def update(self, rows: int) -> None:
            seen["rows"] += rows

        def close(self) -> None:
            seen["closed"] = True

    def factory(total):
        seen["total"] = total
        return Bar()

    with predictemu.connect(progress=factory, batch_rows=1000) as session:
        session.run(PAIRS, variables={"@model": pair_classifier})
        session.con.execute(
            "INSERT INTO dbo.pairs SELECT i, 0.5, 0.5 FROM range(5, 5000) r(i)"
        )
        session.run(
            "SELECT COUNT(*) FROM PREDICT(MODEL = (SELECT model FROM dbo.models), "
            "DATA = dbo.pairs AS d, RUNTIME = ONNX) WITH (output_label bigint) AS p"
        )
    assert seen["total"] == 4999
    assert seen["rows"] == 4999
    assert seen["closed"]


def test_with_varchar_without_length_gives_notice(pairs):
    result = pairs.run(
        "SELECT p.output_label FROM PREDICT(MODEL = (SELECT model FROM dbo.models), "
        "DATA = dbo.pairs AS d, RUNTIME = ONNX) WITH (output_label varchar) AS p"
    )
    assert any("length 1" in message for message in result.messages)
    assert result.results[0].sql_types == ["varchar(max)"]


def test_aggregates_over_predict_keep_tsql_types(pairs, pair_classifier):
    result = pairs.run(
        "SELECT SUM(p.output_label) AS s, COUNT(*) AS c, AVG(p.output_label) AS a "
        "FROM PREDICT(MODEL = (SELECT model FROM dbo.models), DATA = dbo.pairs AS d,"
        " RUNTIME = ONNX) WITH (output_label bigint) AS p"
    )
    labels = expected_labels(pair_classifier, A, B)
    # SUM and AVG of bigint are bigint in T-SQL, and AVG truncates toward zero.
    assert result.results[0].sql_types == ["bigint", "int", "bigint"]
    assert result.results[0].rows() == [(sum(labels), 4, sum(labels) // 4)]


def test_data_name_qualifies_columns_without_alias(pairs, pair_classifier):
    result = pairs.run(
        "WITH d AS (SELECT id, a, b FROM dbo.pairs)\n"
        "SELECT d.id, p.output_label FROM PREDICT(MODEL = (SELECT model FROM "
        "dbo.models), DATA = d, RUNTIME = ONNX) WITH (output_label bigint) AS p"
    )
    labels = expected_labels(pair_classifier, A, B)
    assert result.results[0].rows() == list(zip([1, 2, 3, 4], labels, strict=True))
