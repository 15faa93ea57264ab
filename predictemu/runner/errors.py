"""Translate DuckDB errors into the SQL Server messages T-SQL users know."""

from __future__ import annotations

import re

import duckdb

from predictemu.errors import TsqlError
from predictemu.tsql.transpile import TEMP_CATALOG

_TYPE_NAMES = {
    "INT8": "tinyint",
    "UINT8": "tinyint",
    "UTINYINT": "tinyint",
    "INT16": "smallint",
    "INT32": "int",
    "INT64": "bigint",
    "INTEGER": "int",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "FLOAT": "real",
    "DOUBLE": "float",
    "DATE": "date",
    "TIMESTAMP": "datetime2",
    "BOOLEAN": "bit",
}

# (pattern over DuckDB's message, SQL Server message number, message template)
_RULES: list[tuple[re.Pattern[str], int, str]] = [
    (
        re.compile(r'Column with name "?([^"\s]+?)"? already exists'),
        2705,
        "Column names in each table must be unique. Column name '{0}' in the table "
        "is specified more than once.",
    ),
    (
        re.compile(r'Referenced table "?([^"\s]+)"? not found'),
        4104,
        'The multi-part identifier "{0}..." could not be bound: no table or alias '
        'named "{0}" is in scope.',
    ),
    (
        re.compile(r"Table with name (\S+?) does not exist"),
        208,
        "Invalid object name '{0}'.",
    ),
    (
        re.compile(r"Table or view with name (\S+?) does not exist"),
        208,
        "Invalid object name '{0}'.",
    ),
    (
        re.compile(r'Referenced column "?([^"\s]+)"? not found'),
        207,
        "Invalid column name '{0}'.",
    ),
    (
        re.compile(
            r"Values list \"?(\S+?)\"? does not have a column named \"?([^\"\s]+)"
        ),
        207,
        "Invalid column name '{1}'.",
    ),
    (
        re.compile(
            r'CHECK constraint failed on table "?(.+?)"? with expression '
            r"CHECK\(\(length\(\"?(.+?)\"?\) <= \d+\)\)"
        ),
        2628,
        "String or binary data would be truncated in table '{0}', column '{1}'.",
    ),
    (
        re.compile(r"More than one row returned by a subquery"),
        512,
        "Subquery returned more than 1 value. This is not permitted when the "
        "subquery follows =, !=, <, <= , >, >= or when the subquery is used as an "
        "expression.",
    ),
    (
        re.compile(r"Division by zero", re.IGNORECASE),
        8134,
        "Divide by zero error encountered.",
    ),
    (
        re.compile(r"Could not convert string '(.*?)' to (\w+)"),
        245,
        "Conversion failed when converting the varchar value '{0}' to data type {1}.",
    ),
    (
        re.compile(r"(?:Table|View|Schema) with name \"?(\S+?)\"? already exists"),
        2714,
        "There is already an object named '{0}' in the database.",
    ),
    (
        re.compile(r"NOT NULL constraint failed: (\S+)"),
        515,
        "Cannot insert the value NULL into column '{0}'; column does not allow nulls. "
        "INSERT fails.",
    ),
    (
        re.compile(r"Duplicate key \"(.*?)\" violates primary key"),
        2627,
        "Violation of PRIMARY KEY constraint. Cannot insert duplicate key ({0}).",
    ),
    (
        re.compile(
            r"Type \w+ with value \S+ can't be cast because the value is out of "
            r"range for the destination type (\w+)"
        ),
        8115,
        "Arithmetic overflow error converting expression to data type {0}.",
    ),
    (
        re.compile(
            r"Failed to cast (?:decimal |double |float )?value \S+ to type (\w+)"
        ),
        8115,
        "Arithmetic overflow error converting expression to data type {0}.",
    ),
    (
        re.compile(
            r"(?:invalid date field format|date field value out of range|"
            r"invalid timestamp field format|timestamp field value out of range)"
        ),
        241,
        "Conversion failed when converting date and/or time from character string.",
    ),
    (
        re.compile(r'Could not convert string "(.*?)" to DECIMAL'),
        8114,
        "Error converting data type varchar to numeric.",
    ),
    (
        re.compile(r"Could not cast value \S+ to DECIMAL"),
        8115,
        "Arithmetic overflow error converting expression to data type numeric.",
    ),
    (
        re.compile(
            r"Set operations can only apply to expressions with the same number"
        ),
        205,
        "All queries combined using a UNION, INTERSECT or EXCEPT operator must have "
        "an equal number of expressions in their target lists.",
    ),
    (
        re.compile(
            r"(?:Could not choose a best candidate function for the function call|"
            r"No function matches the given name and argument types) "
            r"[\"']([^\s(]+)\("
        ),
        8116,
        "An argument data type is invalid for the {0} function or operator.",
    ),
    (
        re.compile(r"Schema with name \"?(.+?)\"? does not exist!"),
        2760,
        'The specified schema name "{0}" either does not exist or you do not have '
        "permission to use it.",
    ),
    (
        re.compile(r"Scalar Function with name \"?(\w+)\"? does not exist"),
        195,
        "'{0}' is not a recognized built-in function name.",
    ),
    (
        re.compile(r'column "?([^"\s]+)"? must appear in the GROUP BY clause'),
        8120,
        "Column '{0}' is invalid in the select list because it is not contained in "
        "either an aggregate function or the GROUP BY clause.",
    ),
    (
        re.compile(r'Ambiguous reference to column name "?([^"\s]+)"?'),
        209,
        "Ambiguous column name '{0}'.",
    ),
    (
        re.compile(r"table \"?\S+?\"? has \d+ columns but \d+ values were supplied"),
        213,
        "Column name or number of supplied values does not match table definition.",
    ),
    (
        re.compile(r"Overflow in \w+ of (\w+) \("),
        8115,
        "Arithmetic overflow error converting expression to data type {0}.",
    ),
]


def map_duckdb_error(err: duckdb.Error) -> TsqlError:
    """Return the SQL Server error that matches a DuckDB exception."""
    text = str(err)
    # Errors that translated T-SQL raises itself through DuckDB's error()
    # (see predictemu.tsql.functions.raise_error) carry their message number.
    own = _OWN_ERROR.search(text)
    if own:
        return TsqlError(own.group(2).strip(), number=int(own.group(1)))
    for pattern, number, template in _RULES:
        match = pattern.search(text)
        if match:
            groups = [_display(g) for g in match.groups()]
            if number == 208:
                groups[0] = _referenced_name(text) or groups[0]
            return TsqlError(template.format(*groups), number=number)
    if isinstance(err, duckdb.ParserException):
        return TsqlError(f"Incorrect syntax: {_first_line(text)}", number=102, level=15)
    return TsqlError(_first_line(text), number=50000)


_OWN_ERROR = re.compile(r"Invalid Input Error: Msg (\d+): (.*)")


def _referenced_name(text: str) -> str | None:
    """Return the table name as the query wrote it, from DuckDB's caret marker."""
    match = re.search(r"^LINE \d+: (.*)\n\s*(\^+)", text, re.MULTILINE)
    if not match:
        return None
    prefix = len(match.group(0).split("\n")[0]) - len(match.group(1))
    start = match.group(0).split("\n")[1].index("^") - prefix
    name = match.group(1)[start : start + len(match.group(2))].replace('"', "")
    prefix = f"{TEMP_CATALOG}.main."
    if name.startswith(prefix):
        name = name[len(prefix) :]
    return name or None


def _display(value: str) -> str:
    value = value.strip('"')
    if value.startswith("main.") or value.startswith("dbo."):
        value = value.split(".", 1)[1]
    return _TYPE_NAMES.get(value.upper(), value)


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else text
