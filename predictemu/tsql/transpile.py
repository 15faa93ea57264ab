"""Translate one parsed T-SQL statement into DuckDB SQL with T-SQL's semantics.

sqlglot's T-SQL to DuckDB output changes results silently in places: ``float``
becomes a 4-byte REAL, ``CAST(x AS varchar)`` loses T-SQL's 30-character
default, ``+`` on strings is not concatenation, ``N'...'`` is not DuckDB
syntax, and ``#temp`` tables are not T-SQL's. The rewrites below fix those
before sqlglot generates DuckDB SQL. Integer division comes from DuckDB's
``integer_division`` setting, which the session turns on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from predictemu.errors import UnsupportedError
from predictemu.sqltypes import STRING_TYPES, SqlType, sql_type_from_ast

TEMP_CATALOG = "tempdb"
# Name prefix of the Arrow streams that PREDICT registers on the connection.
RELATION_PREFIX = "__predictemu_predict_"
DEFAULT_SCHEMA = "dbo"

# Functions whose result is a string, for deciding whether + concatenates.
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
    exp.StrPosition,
)

_ERROR_FUNCTIONS = {
    "ERROR_MESSAGE": "message",
    "ERROR_NUMBER": "number",
    "ERROR_SEVERITY": "severity",
    "ERROR_STATE": "state",
    "ERROR_LINE": "line",
    "ERROR_PROCEDURE": "procedure",
}


@dataclass
class Variable:
    """A T-SQL variable: declared type and current value."""

    sql_type: SqlType
    value: Any = None


@dataclass
class TranspileContext:
    """What translation needs from the runner: variables, CTEs and column types."""

    variables: dict[str, Variable] = field(default_factory=dict)
    column_type: Callable[[exp.Column], SqlType | None] = lambda column: None
    error: dict[str, Any] | None = None
    target: str = "synapse"
    params: dict[str, Any] = field(default_factory=dict)

    def bind(self, value: Any) -> str:
        """Register a parameter value and return its placeholder name."""
        name = f"p{len(self.params) + 1}"
        self.params[name] = value
        return name


def temp_table_name(name: str, global_: bool = False) -> str:
    """Return the DuckDB table name of a T-SQL temp table (#t or ##t)."""
    return ("##" if global_ else "#") + name


def is_temp(table: exp.Table) -> bool:
    """Tell whether a parsed table is a #temp or ##global temp table."""
    identifier = table.this
    return isinstance(identifier, exp.Identifier) and bool(
        identifier.args.get("temporary") or identifier.args.get("global_")
    )


def qualify_table(table: exp.Table, cte_names: set[str], target: str) -> None:
    """Map a T-SQL table name to where predictemu keeps it in DuckDB, in place."""
    identifier = table.this
    if not isinstance(identifier, exp.Identifier):
        return
    if identifier.name.startswith(RELATION_PREFIX):
        return
    if is_temp(table):
        name = temp_table_name(identifier.name, bool(identifier.args.get("global_")))
        table.set("this", exp.to_identifier(name, quoted=True))
        table.set("db", exp.to_identifier("main"))
        table.set("catalog", exp.to_identifier(TEMP_CATALOG))
        return
    if table.args.get("catalog"):
        if target == "synapse":
            raise UnsupportedError(
                f"Cross-database name '{table.sql('tsql')}' is not supported in a "
                "dedicated SQL pool; use a two-part name schema.table."
            )
        table.set("catalog", None)
    if not table.args.get("db") and table.name.lower() not in cte_names:
        table.set("db", exp.to_identifier(DEFAULT_SCHEMA))


def cte_names_of(node: exp.Expression) -> set[str]:
    """Return the names of the CTEs defined anywhere in ``node``."""
    return {cte.alias_or_name.lower() for cte in node.find_all(exp.CTE)}


def to_duckdb(node: exp.Expression, context: TranspileContext) -> str:
    """Return DuckDB SQL for one T-SQL statement or expression."""
    node = rewrite(node.copy(), context)
    return node.sql(dialect="duckdb")


def rewrite(node: exp.Expression, context: TranspileContext) -> exp.Expression:
    """Apply predictemu's T-SQL rewrites to ``node`` in place and return it."""
    cte_names = cte_names_of(node)
    for table in list(node.find_all(exp.Table)):
        if _is_table_reference(table):
            qualify_table(table, cte_names, context.target)
    # Children first, so a parent sees its operands already rewritten (an
    # operand that became a string tells + to concatenate).
    for current in reversed(list(node.walk(bfs=False))):
        replacement = _rewrite_node(current, context)
        if replacement is not current:
            if current is node:
                node = replacement
            else:
                current.replace(replacement)
    return node


def _is_table_reference(table: exp.Table) -> bool:
    parent = table.parent
    return not isinstance(parent, (exp.Column, exp.Dot)) and bool(table.name)


def _rewrite_node(node: exp.Expression, context: TranspileContext) -> exp.Expression:
    if isinstance(node, exp.Parameter):
        return _variable(node, context)
    if isinstance(node, exp.National):
        return exp.Literal.string(node.name)
    if isinstance(node, exp.Cast):
        return _cast(node)
    if isinstance(node, exp.DataType) and not isinstance(node.parent, exp.Cast):
        return _data_type(node)
    if isinstance(node, exp.Add) and (
        is_string_expression(node.this, context)
        or is_string_expression(node.expression, context)
    ):
        return exp.DPipe(this=node.this, expression=node.expression, safe=True)
    if isinstance(node, exp.Anonymous) and node.name.upper() in _ERROR_FUNCTIONS:
        value = (context.error or {}).get(_ERROR_FUNCTIONS[node.name.upper()])
        return exp.convert(value) if value is not None else exp.null()
    return node


def variable_name(node: exp.Parameter) -> str:
    """Return the ``@name`` of a parsed variable reference."""
    return "@" + node.name


def _variable(node: exp.Parameter, context: TranspileContext) -> exp.Expression:
    from predictemu.errors import TsqlError

    name = variable_name(node)
    variable = context.variables.get(name.lower())
    if variable is None:
        raise TsqlError(f'Must declare the scalar variable "{name}".', number=137)
    placeholder = exp.Placeholder(this=context.bind(variable.value))
    return exp.Cast(this=placeholder, to=exp.DataType.build(variable.sql_type.duckdb))


def _cast(node: exp.Cast) -> exp.Expression:
    target = node.to
    if not isinstance(target, exp.DataType) or target.this == exp.DType.USERDEFINED:
        return node
    sql_type = sql_type_from_ast(target, declaration=False)
    cast_type = exp.DataType.build(sql_type.duckdb)
    new = (
        exp.Cast(this=node.this, to=cast_type)
        if not node.args.get("safe")
        else (exp.TryCast(this=node.this, to=cast_type))
    )
    if sql_type.name in STRING_TYPES and sql_type.length:
        # CAST to varchar(n) keeps the first n characters; varchar alone means 30.
        return exp.Left(this=new, expression=exp.Literal.number(sql_type.length))
    return new


def _data_type(node: exp.DataType) -> exp.Expression:
    if node.this == exp.DType.USERDEFINED or node.is_type(exp.DType.UNKNOWN):
        return node
    try:
        sql_type = sql_type_from_ast(node, declaration=True)
    except UnsupportedError:
        raise
    return exp.DataType.build(sql_type.duckdb)


def is_string_expression(node: exp.Expression, context: TranspileContext) -> bool:
    """Tell whether ``node`` has a string type, so that + means concatenation."""
    if isinstance(node, (exp.National,)):
        return True
    if isinstance(node, exp.Literal):
        return node.is_string
    if isinstance(node, exp.Paren):
        return is_string_expression(node.this, context)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        to = node.to
        if isinstance(to, exp.DataType):
            return to.this in (
                exp.DType.VARCHAR,
                exp.DType.NVARCHAR,
                exp.DType.CHAR,
                exp.DType.NCHAR,
                exp.DType.TEXT,
            )
    if isinstance(node, exp.Left) and isinstance(node.this, (exp.Cast, exp.TryCast)):
        return True
    if isinstance(node, _STRING_FUNCTIONS):
        return not isinstance(node, exp.StrPosition)
    if isinstance(node, exp.Add):
        return is_string_expression(node.this, context) or is_string_expression(
            node.expression, context
        )
    if isinstance(node, exp.Coalesce):
        return is_string_expression(node.this, context)
    if isinstance(node, exp.Parameter):
        variable = context.variables.get(variable_name(node).lower())
        return variable is not None and variable.sql_type.name in STRING_TYPES
    if isinstance(node, exp.Column):
        sql_type = context.column_type(node)
        return sql_type is not None and sql_type.name in STRING_TYPES
    return False
