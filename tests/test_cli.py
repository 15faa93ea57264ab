"""The predictemu command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def predictemu(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "predictemu.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def script(tmp_path):
    def write(text: str):
        path = tmp_path / "script.sql"
        path.write_text(text)
        return str(path)

    return write


def test_run_prints_json_result_sets(script, tmp_path):
    path = script("SELECT 1 AS a, N'x' AS b\nGO\nPRINT 'hello'\nSELECT 2.5 AS c")
    done = predictemu(
        "run", path, "--db", str(tmp_path / "t.duckdb"), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    result_sets = json.loads(done.stdout)
    assert [r["columns"] for r in result_sets] == [["a", "b"], ["c"]]
    assert result_sets[0]["types"] == ["int", "varchar(max)"]
    assert result_sets[0]["rows"] == [[1, "x"]]
    assert "hello" in done.stderr
    assert "(1 row affected)" in done.stderr


def test_run_prints_csv(script):
    done = predictemu("run", script("SELECT 1 AS a, NULL AS b"), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["a,b", "1,"]


def test_run_reports_batch_and_line(script):
    path = script("SELECT 1 AS a\nGO\n\nSELECT * FROM dbo.missing\n")
    done = predictemu("run", path)
    assert done.returncode == 1
    assert "Msg 208, Level 16, State 1, Line 2" in done.stderr
    assert "batch 2, script line 4" in done.stderr
    assert "Invalid object name 'dbo.missing'" in done.stderr


def test_unsupported_construct_is_named(script):
    done = predictemu("run", script("SELECT 1 AS a\nDECLARE @t TABLE (a int)\n"))
    assert done.returncode == 1
    assert "Table variables" in done.stderr
    assert "Line 2" in done.stderr
    assert "#temp" in done.stderr


def test_database_file_keeps_tables(script, tmp_path):
    database = str(tmp_path / "keep.duckdb")
    first = predictemu(
        "run",
        script("CREATE TABLE dbo.t (a int)\nINSERT INTO dbo.t VALUES (7)"),
        "--db",
        database,
    )
    assert first.returncode == 0, first.stderr
    second = predictemu(
        "run", "-", "--db", database, "--format", "csv", stdin="SELECT a FROM dbo.t"
    )
    assert second.stdout.splitlines() == ["a", "7"]


def test_var_file_binds_model_bytes(script, tmp_path):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    import models

    model = tmp_path / "double.onnx"
    model.write_bytes(models.doubling_model())
    path = script(
        "CREATE TABLE dbo.t (f00 real)\nINSERT INTO dbo.t VALUES (4)\n"
        "SELECT p.variable FROM PREDICT(MODEL = @model, DATA = dbo.t AS d, "
        "RUNTIME = ONNX) WITH (variable real) AS p"
    )
    done = predictemu("run", path, "--var-file", f"@model={model}", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["variable", "8.0"]


def test_inspect_dry_run_names_missing_casts(tmp_path):
    database = str(tmp_path / "i.duckdb")
    setup = predictemu(
        "run",
        "-",
        "--db",
        database,
        stdin="CREATE TABLE dbo.f (dep_delay float, distance real, hour bigint, "
        "carrier varchar(2), origin varchar(3))",
    )
    assert setup.returncode == 0, setup.stderr
    from predictemu.demo import model_directory

    done = predictemu(
        "inspect", str(model_directory()), "--db", database, "--table", "dbo.f"
    )
    assert done.returncode == 1
    assert "CAST([dep_delay] AS real) AS [dep_delay]" in done.stdout
    assert "CAST([distance]" not in done.stdout
    assert "output_probability" in done.stdout
    assert "cannot be returned" in done.stdout


def test_db_in_missing_folder_is_named(script, tmp_path):
    database = tmp_path / "nofolder" / "x.duckdb"
    done = predictemu("run", script("SELECT 1 AS a"), "--db", str(database))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"the folder {database.parent} does not exist" in done.stderr


def test_db_that_is_not_duckdb(script, tmp_path):
    database = tmp_path / "notes.txt"
    database.write_text("not a database")
    done = predictemu("run", script("SELECT 1 AS a"), "--db", str(database))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"Cannot open database {database}" in done.stderr


def test_inspect_pickle_gets_hint(tmp_path):
    import pickle

    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"not": "a model"}, protocol=4))
    done = predictemu("inspect", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "not an ONNX model" in done.stderr
    assert "Python pickle" in done.stderr


def test_json_writes_nan_as_null(script):
    done = predictemu(
        "run", script("SELECT CAST('NaN' AS float) AS x, 1 AS y"), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["rows"] == [[None, 1]]


def test_memory_limit_is_applied(script):
    path = script("SELECT current_setting('memory_limit') AS m")
    done = predictemu("run", path, "--memory-limit", "300MB", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].endswith("MiB")


def test_memory_limit_invalid(script):
    done = predictemu("run", script("SELECT 1 AS a"), "--memory-limit", "lots")
    assert done.returncode == 1
    assert "Invalid memory limit 'lots'" in done.stderr


def test_run_reads_dev_stdin():
    done = predictemu("run", "/dev/stdin", "--format", "csv", stdin="SELECT 1 AS a")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["a", "1"]


def test_run_rejects_directory(tmp_path):
    done = predictemu("run", str(tmp_path))
    assert done.returncode == 1
    assert "is a directory" in done.stderr
