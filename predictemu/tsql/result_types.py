"""Infer the T-SQL type of an expression that the transpiler has rewritten.

The transpiler rewrites children before their parent, so the operands seen here
are already in DuckDB form: a variable is a CAST of a placeholder to its
DuckDB type, ``N'...'`` is a plain string, and CAST names a DuckDB type. Types
that cannot be inferred cheaply are None, and callers keep their default
behaviour for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlglot import exp

from predictemu.errors import UnsupportedError
from predictemu.sqltypes import INTEGER_RANGES, STRING_TYPES, SqlType, sql_type_from_ast

if TYPE_CHECKING:
    from predictemu.tsql.transpile import TranspileContext

BINARY_TYPES = {"binary", "varbinary"}
EXACT_NUMERIC_TYPES = {"decimal", "numeric", "money", "smallmoney"}
APPROXIMATE_NUMERIC_TYPES = {"float", "real"}
NUMERIC_TYPES = (
    set(INTEGER_RANGES) | EXACT_NUMERIC_TYPES | APPROXIMATE_NUMERIC_TYPES | {"bit"}
)

# T-SQL's data type precedence, highest first. An operator on two types converts
# the operand of lower precedence to the type of higher precedence.
PRECEDENCE = (
    "datetimeoffset",
    "datetime2",
    "datetime",
    "smalldatetime",
    "date",
    "time",
    "float",
    "real",
    "decimal",
    "numeric",
    "money",
    "smallmoney",
    "bigint",
    "int",
    "smallint",
    "tinyint",
    "bit",
    "uniqueidentifier",
    "nvarchar",
    "nchar",
    "varchar",
    "char",
    "varbinary",
    "binary",
)

# DuckDB types that have no T-SQL spelling; sql_type_from_ast reads the rest.
_DUCKDB_TYPES = {
    exp.DType.TIMESTAMP: SqlType("datetime2"),
    exp.DType.TEXT: SqlType("varchar"),
    exp.DType.BLOB: SqlType("varbinary"),
    exp.DType.VARBINARY: SqlType("varbinary"),
}

_STRING_FUNCTIONS = (
    exp.Concat,
    exp.DPipe,
    exp.Upper,
    exp.Lower,
    exp.Substring,
    exp.Left,
    exp.Right,
    exp.Trim,
    exp.Repeat,
    exp.Initcap,
    exp.TimeToStr,
    exp.NumberToStr,
)
_STRING_ANONYMOUS = {"strftime", "rtrim", "ltrim", "replace", "decode", "hex", "upper"}
# Functions whose result has the type of their first argument.
_SAME_TYPE_FUNCTIONS = (exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Min, exp.Max)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv)


def duckdb_type(sql_type: SqlType) -> exp.DataType:
    """Build the DuckDB type node that stores a T-SQL type's values.

    UTINYINT (tinyint) exists only in sqlglot's DuckDB dialect. The other
    names are read without a dialect, because the DuckDB dialect reads VARCHAR
    as TEXT, which the transpiler would take for T-SQL's text type.
    """
    name = sql_type.duckdb
    return exp.DataType.build(name, dialect="duckdb" if name == "UTINYINT" else None)


def higher_precedence(types: Iterable[SqlType | None]) -> SqlType | None:
    """Return the type of highest precedence, or None when one of them is unknown."""
    known = list(types)
    if not known or any(t is None or t.name not in PRECEDENCE for t in known):
        return None
    return min(known, key=lambda t: PRECEDENCE.index(t.name))


def is_string(sql_type: SqlType | None) -> bool:
    """Tell whether a type is one of T-SQL's character string types."""
    return sql_type is not None and sql_type.name in STRING_TYPES


def is_numeric(sql_type: SqlType | None) -> bool:
    """Tell whether a type is an exact or approximate number (bit included)."""
    return sql_type is not None and sql_type.name in NUMERIC_TYPES


def type_of_cast(data_type: exp.DataType) -> SqlType | None:
    """Return the T-SQL type of a DuckDB or T-SQL type node, or None."""
    if data_type.this in _DUCKDB_TYPES:
        return _DUCKDB_TYPES[data_type.this]
    try:
        return sql_type_from_ast(data_type, declaration=False)
    except UnsupportedError:
        return None


def expression_type(
    node: exp.Expression | None, context: TranspileContext
) -> SqlType | None:
    """Return the T-SQL type of a rewritten expression where it is evident."""
    if node is None:
        return None
    if isinstance(node, (exp.Paren, exp.Alias, exp.Neg)):
        return expression_type(node.this, context)
    if isinstance(node, exp.Literal):
        return SqlType("varchar") if node.is_string else _number_type(node.name)
    if isinstance(node, exp.National):
        return SqlType("nvarchar")
    if isinstance(node, exp.HexString):
        return SqlType("varbinary")
    if isinstance(node, exp.Boolean):
        return SqlType("bit")
    if isinstance(node, (exp.Cast, exp.TryCast)) and isinstance(node.to, exp.DataType):
        return type_of_cast(node.to)
    if isinstance(node, exp.Column):
        return context.column_type(node)
    if isinstance(node, _STRING_FUNCTIONS):
        return SqlType("varchar")
    if isinstance(node, exp.StrPosition):
        return SqlType("int")
    if isinstance(node, _SAME_TYPE_FUNCTIONS):
        return expression_type(node.this, context)
    if isinstance(node, _ARITHMETIC):
        return _arithmetic_type(node, context)
    if isinstance(node, exp.Coalesce):
        arguments = [node.this, *node.expressions]
        return higher_precedence(expression_type(a, context) for a in arguments)
    if isinstance(node, exp.Nullif):
        return expression_type(node.this, context)
    if isinstance(node, exp.If):
        branches = [node.args.get("true"), node.args.get("false")]
        values = [v for v in branches if v is not None and not isinstance(v, exp.Null)]
        return higher_precedence(expression_type(v, context) for v in values)
    if isinstance(node, exp.Case):
        values = [branch.args.get("true") for branch in node.args.get("ifs") or []]
        if node.args.get("default") is not None:
            values.append(node.args["default"])
        values = [v for v in values if not isinstance(v, exp.Null)]
        return higher_precedence(expression_type(v, context) for v in values)
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        projections = node.this.expressions
        if len(projections) == 1:
            return expression_type(projections[0], context)
        return None
    if isinstance(node, (exp.DateAdd, exp.CurrentTimestamp)):
        return SqlType("datetime2")
    if isinstance(node, (exp.CurrentDate, exp.LastDay)):
        return SqlType("date")
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "current_localtimestamp":
            return SqlType("datetime2")
        if name == "make_timestamp":
            # Only a CAST or CONVERT to datetime builds one.
            return SqlType("datetime")
        if name in _STRING_ANONYMOUS:
            return SqlType("varchar")
        if name in ("unhex", "encode"):
            return SqlType("varbinary")
    return None


def _number_type(text: str) -> SqlType:
    """Return the type T-SQL gives a number constant: int, decimal or float."""
    if "e" in text.lower():
        return SqlType("float")
    digits = text.lstrip("+-")
    if "." not in digits:
        if int(digits) <= INTEGER_RANGES["int"][1]:
            return SqlType("int")
        return SqlType("decimal", precision=max(len(digits), 1), scale=0)
    whole, fraction = digits.split(".", 1)
    precision = max(len(whole.lstrip("0")) + len(fraction), 1)
    return SqlType("decimal", precision=precision, scale=len(fraction))


def _arithmetic_type(node: exp.Expression, context: TranspileContext) -> SqlType | None:
    left = expression_type(node.this, context)
    right = expression_type(node.expression, context)
    if isinstance(node, exp.Add) and is_string(left) and is_string(right):
        return SqlType("varchar")
    result = higher_precedence((left, right))
    if result is not None and result.name in ("decimal", "numeric"):
        # The precision and scale of decimal arithmetic follow rules of their
        # own; callers only need to know that the result is a decimal.
        return SqlType("decimal")
    return result
