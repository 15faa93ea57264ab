"""``COPY INTO table FROM 'path'`` for local CSV and Parquet files.

A dedicated SQL pool reads COPY sources from Azure storage; predictemu reads
the same statement from local files only and never opens a URL. Columns map
by position, as COPY does without a column list. Hex text loaded into a
varbinary column becomes the bytes it spells, which is how models reach the
pool: the .onnx file as an uppercase hex string without ``0x``.
"""

from __future__ import annotations

import glob
import os
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from predictemu.errors import TsqlError, UnsupportedError
from predictemu.runner.errors import map_duckdb_error

if TYPE_CHECKING:
    from predictemu.runner.session import Session

# Options that change nothing for a local file; each gets a message.
_IGNORED_OPTIONS = {
    "CREDENTIAL",
    "ERRORFILE",
    "ERRORFILE_CREDENTIAL",
    "MAXERRORS",
    "COMPRESSION",
    "IDENTITY_INSERT",
    "AUTO_CREATE_TABLE",
}
_NEWLINES = {"\\n", "\\r\\n", "0x0a", "0x0d0a", "\n", "\r\n"}


def copy_into(session: Session, statement: exp.Copy) -> None:
    """Load local files into a table, in one transaction."""
    target = statement.this
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name for c in target.expressions]
        target = target.this
    options = _options(session, statement)
    paths = _local_paths(statement.args.get("files") or [])
    located = session.qualify(target)
    table_columns = _target_columns(session, located, target, columns)
    file_type = str(options.pop("FILE_TYPE", "CSV")).upper()
    if file_type == "CSV":
        source = _csv_source(paths, len(table_columns), options)
    elif file_type == "PARQUET":
        source = _parquet_source(session, paths, len(table_columns))
    else:
        raise UnsupportedError(
            f"COPY INTO FILE_TYPE = '{file_type}' is not supported by predictemu; "
            "use 'CSV' or 'PARQUET'."
        )
    for name in options:
        raise UnsupportedError(
            f"COPY INTO option {name} is not supported by predictemu."
        )
    names = ", ".join(_quote(name) for name, _ in table_columns)
    values = ", ".join(
        _converted(source_column, kind)
        for source_column, (_, kind) in zip(
            source["columns"], table_columns, strict=True
        )
    )
    sql = (
        f"INSERT INTO {located.sql(dialect='duckdb')} ({names}) "
        f"SELECT {values} FROM {source['from']}"
    )
    own_transaction = not session.in_transaction
    try:
        if own_transaction:
            session.con.execute("BEGIN TRANSACTION")
        row = session.con.execute(sql).fetchone()
        if own_transaction:
            session.con.execute("COMMIT")
    except duckdb.Error as err:
        if own_transaction:
            session.con.execute("ROLLBACK")
        raise _copy_error(err, paths) from err
    session._rows_affected(int(row[0]) if row else 0)


def _options(session: Session, statement: exp.Copy) -> dict[str, object]:
    options: dict[str, object] = {}
    for parameter in statement.args.get("params") or []:
        name = parameter.this.name.upper()
        value = parameter.args.get("expression")
        if name in _IGNORED_OPTIONS:
            session.output.message(
                f"COPY INTO option {name} has no effect on local files; predictemu "
                "ignores it."
            )
            continue
        if isinstance(value, exp.Literal):
            options[name] = value.name if value.is_string else int(value.name)
        else:
            raise UnsupportedError(
                f"COPY INTO option {name} needs a literal value, got "
                f"'{value.sql('tsql') if value else ''}'."
            )
    return options


def _local_paths(files: list[exp.Expression]) -> list[str]:
    paths = []
    for item in files:
        if not (isinstance(item, exp.Literal) and item.is_string):
            raise UnsupportedError("COPY INTO needs the source as a string literal.")
        path = item.name
        if "://" in path or path.startswith("\\\\"):
            raise UnsupportedError(
                f"COPY INTO source '{path}' is not a local file; predictemu reads "
                "local files only. Download the file and pass its local path."
            )
        matches = sorted(glob.glob(path)) if any(c in path for c in "*?[") else [path]
        files_found = [p for p in matches if os.path.isfile(p)]
        if not files_found:
            raise TsqlError(
                f"Cannot bulk load because the file '{path}' could not be opened: "
                "no such local file.",
                number=4860,
            )
        paths.extend(os.path.abspath(p) for p in files_found)
    if not paths:
        raise TsqlError("COPY INTO needs FROM 'path'.", number=102, level=15)
    return paths


def _target_columns(
    session: Session, located: exp.Table, target: exp.Table, columns: list[str] | None
) -> list[tuple[str, str]]:
    from predictemu.runner.statements import identity_columns

    rows = session.con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE lower(table_name) = lower(?) AND lower(schema_name) = lower(?) "
        "ORDER BY column_index",
        [located.name, located.db],
    ).fetchall()
    if not rows:
        raise TsqlError(f"Invalid object name '{target.sql('tsql')}'.", number=208)
    if columns is None:
        identity = {c.lower() for c in identity_columns(session, located)}
        return [(name, kind) for name, kind in rows if name.lower() not in identity]
    by_name = {name.lower(): (name, kind) for name, kind in rows}
    selected = []
    for column in columns:
        if column.lower() not in by_name:
            raise TsqlError(f"Invalid column name '{column}'.", number=207)
        selected.append(by_name[column.lower()])
    return selected


def _csv_source(
    paths: list[str], width: int, options: dict[str, object]
) -> dict[str, object]:
    first_row = int(options.pop("FIRSTROW", 1))
    delimiter = _character(str(options.pop("FIELDTERMINATOR", ",")))
    quote = _character(str(options.pop("FIELDQUOTE", '"')))
    terminator = str(options.pop("ROWTERMINATOR", "\\n"))
    if terminator.lower() not in _NEWLINES:
        # NOTE: only newline row terminators are supported; others get this error.
        raise UnsupportedError(
            f"COPY INTO ROWTERMINATOR '{terminator}' is not supported by predictemu; "
            "use files with one row a line ('\\n' or '\\r\\n')."
        )
    encoding = str(options.pop("ENCODING", "UTF8")).upper()
    if encoding != "UTF8":
        raise UnsupportedError(
            f"COPY INTO ENCODING = '{encoding}' is not supported; convert the file "
            "to UTF-8."
        )
    options.pop("DATEFORMAT", None)
    names = [f"c{i}" for i in range(width)]
    spec = ", ".join(f"'{n}': 'VARCHAR'" for n in names)
    source = (
        f"read_csv({_path_list(paths)}, header = false, skip = {first_row - 1}, "
        f"delim = {_string(delimiter)}, quote = {_string(quote)}, "
        f"columns = {{{spec}}}, auto_detect = false)"
    )
    return {"from": source, "columns": [(n, "VARCHAR") for n in names]}


def _parquet_source(
    session: Session, paths: list[str], width: int
) -> dict[str, object]:
    source = f"read_parquet({_path_list(paths)})"
    described = session.con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    if len(described) != width:
        raise TsqlError(
            f"The Parquet file has {len(described)} columns and the target takes "
            f"{width}; list the target columns as COPY INTO table (col, ...).",
            number=13812,
        )
    return {"from": source, "columns": [(row[0], row[1]) for row in described]}


def _converted(source: tuple[str, str], kind: str) -> str:
    name, source_kind = source
    column = _quote(name)
    if kind == "BLOB" and source_kind == "VARCHAR":
        return f"unhex(trim({column}))"
    return f"CAST({column} AS {kind})"


def _copy_error(err: duckdb.Error, paths: list[str]) -> TsqlError:
    text = str(err)
    if "unhex" in text.lower() or "hex" in text.lower():
        return TsqlError(
            "COPY INTO could not read a varbinary value as hexadecimal text; write "
            "each value as hex digits without a 0x prefix.",
            number=13812,
        )
    mapped = map_duckdb_error(err)
    mapped.message = f"{mapped.message} (loading {', '.join(paths)})"
    return mapped


def _character(value: str) -> str:
    if value.lower().startswith("0x"):
        return bytes.fromhex(value[2:]).decode()
    return value.replace("\\t", "\t")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _path_list(paths: list[str]) -> str:
    return "[" + ", ".join(_string(p) for p in paths) + "]"
