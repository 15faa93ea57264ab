"""Parse round trips, statement splitting and GO splitting of the T-SQL front end."""

from __future__ import annotations

import pytest
from sqlglot import exp

from predictemu.errors import TsqlSyntaxError
from predictemu.tsql import expressions as tx
from predictemu.tsql.batches import split_batches
from predictemu.tsql.dialect import Synapse, parse_batch


def kinds(sql: str) -> list[str]:
    return [type(statement).__name__ for statement in parse_batch(sql)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT TOP (5) a FROM dbo.t",
        "SELECT a + N'x' AS b FROM [my table]",
        "CREATE TABLE dbo.t (a INTEGER) WITH (DISTRIBUTION = HASH(a), HEAP)",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v",
    ],
)
def test_round_trip(sql: str) -> None:
    (statement,) = parse_batch(sql)
    assert parse_batch(statement.sql(dialect=Synapse))[0] == statement


def test_statements_without_semicolons() -> None:
    sql = "DECLARE @a int = 1\nDECLARE @b int = 2\nSELECT @a AS a, @b AS b"
    assert kinds(sql) == ["DeclareStatement", "DeclareStatement", "Select"]


def test_create_table_then_copy() -> None:
    assert kinds("CREATE TABLE t (a int)\nCOPY INTO t FROM 'f.csv'") == [
        "Create",
        "Copy",
    ]


def test_if_governs_next_statement_only() -> None:
    statements = parse_batch("IF 1 = 1 DROP TABLE #t\nSELECT 1 AS a")
    assert isinstance(statements[0], exp.IfBlock)
    assert isinstance(statements[1], exp.Select)


def test_while_block_ends_at_end() -> None:
    statements = parse_batch("WHILE 1 = 0 BEGIN SELECT 1 AS x END SELECT 2 AS y")
    assert isinstance(statements[0], exp.WhileBlock)
    assert isinstance(statements[1], exp.Select)


def test_try_catch_node() -> None:
    (statement,) = parse_batch(
        "BEGIN TRY SELECT 1 AS a END TRY BEGIN CATCH SELECT 2 AS b END CATCH"
    )
    assert isinstance(statement, tx.TryCatch)


def test_string_after_string_is_alias() -> None:
    (statement,) = parse_batch("SELECT 'value' 'name'")
    assert statement.expressions[0].alias == "name"
    assert statement.expressions[0].this.name == "value"


def test_procedure_body_runs_to_end_of_batch() -> None:
    (statement,) = parse_batch(
        "CREATE PROCEDURE p @x int = 1, @y int OUTPUT AS\nSET @y = @x\nSELECT @y AS y"
    )
    assert isinstance(statement, tx.CreateProcedure)
    assert len(statement.args["body"].expressions) == 2
    assert statement.expressions[1].args["output"] is True


def test_syntax_error_has_line() -> None:
    with pytest.raises(TsqlSyntaxError) as caught:
        parse_batch("SELECT 1 AS a\nSELECT * FROM WHERE")
    assert caught.value.number == 102
    assert caught.value.line == 2


def test_go_splits_batches() -> None:
    batches = split_batches("SELECT 1\nGO\n-- step\nSELECT 2\n")
    assert len(batches) == 2
    assert batches[1].first_line == 3


def test_go_repeat_count() -> None:
    (batch,) = split_batches("INSERT INTO t VALUES (1)\nGO 3\n")
    assert batch.repeat == 3


def test_go_with_comment() -> None:
    batches = split_batches("SELECT 1\nGO -- done\nSELECT 2")
    assert [b.text.strip() for b in batches] == ["SELECT 1", "SELECT 2"]


def test_go_lowercase() -> None:
    assert len(split_batches("SELECT 1\ngo\nSELECT 2")) == 2


def test_go_inside_string_or_comment() -> None:
    script = "SELECT '\nGO\n' AS a\n/*\nGO\n*/\n-- GO\nSELECT 2"
    assert len(split_batches(script)) == 1


def test_go_not_alone_on_line() -> None:
    (batch,) = split_batches("SELECT 1 AS go")
    assert "go" in batch.text


def test_go_zero_rejected() -> None:
    with pytest.raises(TsqlSyntaxError):
        split_batches("SELECT 1\nGO 0\n")
