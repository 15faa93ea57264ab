"""Run the T-SQL conformance cases in sql/conformance, one test per case.

The case format is described in sql/conformance/README.md.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import predictemu
from predictemu.runner.output import Output

CONFORMANCE = Path(__file__).resolve().parent.parent / "sql" / "conformance"
_HEADER = re.compile(r"^--\s*([a-z-]+):\s?(.*)$")


@dataclass
class Case:
    """One conformance case: a script and what it must produce."""

    name: str
    script: str = ""
    target: str = "synapse"
    results: list[list] = field(default_factory=list)
    columns: dict[int, list[str]] = field(default_factory=dict)
    types: dict[int, list] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    error: tuple[int, str] | None = None
    error_line: int | None = None
    error_batch: int | None = None


def load_cases(path: Path) -> list[Case]:
    """Parse the cases of one conformance file."""
    cases: list[Case] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = _HEADER.match(lines[index])
        if not match or match.group(1) != "case":
            index += 1
            continue
        case = Case(match.group(2).strip())
        index += 1
        while index < len(lines) and (header := _HEADER.match(lines[index])):
            _apply_header(case, header.group(1), header.group(2).strip())
            index += 1
        body = []
        while index < len(lines) and not lines[index].startswith("-- case:"):
            body.append(lines[index])
            index += 1
        case.script = "\n".join(body).replace("{data}", str(CONFORMANCE / "data"))
        cases.append(case)
    return cases


def _apply_header(case: Case, key: str, value: str) -> None:
    if key == "target":
        case.target = value
    elif key == "result":
        case.results.append(json.loads(value))
    elif key == "columns":
        case.columns[len(case.results)] = json.loads(value)
    elif key == "types":
        case.types[len(case.results) - 1] = json.loads(value)
    elif key == "message":
        case.messages.append(value)
    elif key == "error":
        number, _, text = value.partition(" ")
        case.error = (int(number), text)
    elif key == "error-line":
        case.error_line = int(value)
    elif key == "error-batch":
        case.error_batch = int(value)
    else:
        raise ValueError(f"Unknown conformance header '{key}' in case {case.name}")


def _all_cases() -> list:
    params = []
    for path in sorted(CONFORMANCE.glob("*.sql")):
        for case in load_cases(path):
            params.append(pytest.param(case, id=f"{path.stem}::{case.name}"))
    return params


def _normal(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex().upper()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _same(actual, expected) -> bool:
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        return math.isclose(actual, expected, rel_tol=1e-12)
    return actual == expected


@pytest.mark.parametrize("case", _all_cases())
def test_conformance(case: Case) -> None:
    # Passing our own Output keeps the result sets of a run that ends in an error.
    output = Output()
    session = predictemu.connect(":memory:", target=case.target)
    error = None
    try:
        session.run(case.script, output=output)
    except predictemu.TsqlError as err:
        error = err
    finally:
        session.close()

    if case.error is None:
        assert error is None, f"unexpected error: {error}"
    else:
        assert error is not None, f"expected Msg {case.error[0]}, got no error"
        assert error.number == case.error[0], str(error)
        assert case.error[1] in error.message, str(error)
        if case.error_line is not None:
            assert error.line == case.error_line, str(error)
        if case.error_batch is not None:
            assert error.batch == case.error_batch, str(error)

    assert len(output.results) == len(case.results), [r.rows() for r in output.results]
    for number, (result, expected) in enumerate(
        zip(output.results, case.results, strict=True)
    ):
        rows = [[_normal(v) for v in row] for row in result.rows()]
        assert len(rows) == len(expected), (number, rows)
        for row, expected_row in zip(rows, expected, strict=True):
            assert len(row) == len(expected_row), (number, row)
            for actual, wanted in zip(row, expected_row, strict=True):
                assert _same(actual, wanted), (number, row, expected_row)
        if number in case.columns:
            assert result.columns == case.columns[number]
        if number in case.types:
            for actual, wanted in zip(
                result.sql_types, case.types[number], strict=True
            ):
                if wanted is not None:
                    assert actual == wanted, (number, result.sql_types)
    for fragment in case.messages:
        assert any(fragment in m for m in output.messages), output.messages


def test_error_prints_like_ssms() -> None:
    with (
        predictemu.connect() as session,
        pytest.raises(predictemu.TsqlError) as caught,
    ):
        session.run("SELECT 1 AS a\nGO\nPRINT 'x'\nSELECT 1 / 0 AS b")
    text = str(caught.value)
    assert text.startswith("Msg 8134, Level 16, State 1, Line 2")
    assert "batch 2" in text
    assert "Divide by zero error encountered." in text


def test_procedure_persists_in_database_file(tmp_path: Path) -> None:
    database = tmp_path / "scoring.duckdb"
    with predictemu.connect(str(database)) as first:
        first.run(
            "CREATE TABLE dbo.t (a int)\nINSERT INTO dbo.t VALUES (20)\nGO\n"
            "CREATE PROCEDURE dbo.half @by int = 2 AS SELECT a / @by AS h FROM dbo.t"
        )
    with predictemu.connect(str(database)) as second:
        result = second.run("EXEC dbo.half")
        assert result.results[0].rows() == [(10,)]
        result = second.run("EXEC dbo.half @by = 4")
        assert result.results[0].rows() == [(5,)]


def test_procedure_error_names_exec_line() -> None:
    script = (
        "-- scoring procedure\n"  # script line 1, procedure line 1
        "CREATE PROCEDURE dbo.fail_late AS\n"
        "BEGIN\n"
        "    SET NOCOUNT ON\n"
        "    SELECT 1 / 0 AS boom\n"  # procedure line 5
        "END\n"
        "GO\n"
        "PRINT 'x'\n"
        "-- the call\n"
        "EXEC dbo.fail_late\n"  # script line 10, batch 2 line 3
    )
    with (
        predictemu.connect() as session,
        pytest.raises(predictemu.TsqlError) as caught,
    ):
        session.run(script)
    error = caught.value
    assert error.procedure == "fail_late"
    assert error.line == 5
    assert error.call_line == 3
    assert error.script_line == 10
    assert "Procedure fail_late, Line 5 (called from batch 2, script line 10)" in str(
        error
    )


def test_dynamic_sql_error_names_exec_line() -> None:
    script = "PRINT 'x'\nEXEC ('SELECT 1 AS a\nSELECT 1 / 0 AS b')\n"
    with (
        predictemu.connect() as session,
        pytest.raises(predictemu.TsqlError) as caught,
    ):
        session.run(script)
    error = caught.value
    assert error.line == 2
    assert error.script_line == 2
    assert "(called from batch 1, script line 2)" in str(error)
