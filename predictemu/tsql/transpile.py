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

from predictemu.errors import TsqlError, UnsupportedError
from predictemu.sqltypes import STRING_TYPES, SqlType, sql_type_from_ast
from predictemu.tsql import functions

# The in-memory catalog that holds #temp tables. Every cursor of the session sees
# it, which DuckDB's TEMP schema does not offer. The name avoids clashing with a
# database file named tempdb.duckdb.
TEMP_CATALOG = "predictemu_tempdb"
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


# The T-SQL type of a DuckDB type that a rewritten expression carries.
_DUCKDB_TYPES = {
    exp.DType.DATE: SqlType("date"),
    exp.DType.TIMESTAMP: SqlType("datetime2"),
    exp.DType.VARCHAR: SqlType("varchar"),
    exp.DType.TEXT: SqlType("varchar"),
    exp.DType.BLOB: SqlType("varbinary"),
    exp.DType.VARBINARY: SqlType("varbinary"),
}

# DuckDB types with no T-SQL spelling of their own; a CAST to one of them comes
# from the runner, not from the script.
_DUCKDB_ONLY_TYPES = (
    exp.DType.USERDEFINED,
    exp.DType.TIMESTAMP,
    exp.DType.BLOB,
)

# System functions written @@NAME that predictemu supports.
GLOBAL_VARIABLES = ("ROWCOUNT", "TRANCOUNT", "ERROR")


@dataclass
class Variable:
    """A T-SQL variable: declared type and current value.

    A table variable has no value; ``table`` is the name of the DuckDB table
    that stores its rows.
    """

    sql_type: SqlType
    value: Any = None
    table: str | None = None


@dataclass
class TranspileContext:
    """What translation needs from the runner: variables, CTEs and column types."""

    variables: dict[str, Variable] = field(default_factory=dict)
    column_type: Callable[[exp.Column], SqlType | None] = lambda column: None
    error: dict[str, Any] | None = None
    target: str = "synapse"
    params: dict[str, Any] = field(default_factory=dict)
    globals: dict[str, Any] = field(default_factory=dict)

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
    if table.catalog == TEMP_CATALOG and table.db == "main":
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
        if isinstance(table.this, exp.Parameter):
            _table_variable(table, context)
        elif _is_table_reference(table):
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


def _table_variable(table: exp.Table, context: TranspileContext) -> None:
    name = "@" + table.this.name
    variable = context.variables.get(name.lower())
    if variable is None or variable.table is None:
        raise TsqlError(f'Must declare the table variable "{name}".', number=1087)
    table.set("this", exp.to_identifier(variable.table, quoted=True))
    table.set("db", exp.to_identifier("main"))
    table.set("catalog", exp.to_identifier(TEMP_CATALOG))
    if not table.alias:
        # Columns written @t.col keep resolving after the rename.
        table.set("alias", exp.TableAlias(this=exp.to_identifier(name[1:])))


def _rewrite_node(node: exp.Expression, context: TranspileContext) -> exp.Expression:
    if isinstance(node, exp.Parameter):
        if isinstance(node.this, exp.Parameter):
            return _global_variable(node, context)
        if isinstance(node.parent, exp.Parameter):
            return node
        return _variable(node, context)
    if isinstance(node, exp.National):
        return exp.Literal.string(node.name)
    if isinstance(node, exp.Convert):
        return functions.convert(node, expression_type(node.expression, context))
    if isinstance(node, exp.Length):
        return functions.len_(node)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "DATALENGTH":
        source = node.expressions[0] if node.expressions else None
        return functions.datalength(
            node, expression_type(source, context) if source else None
        )
    if isinstance(node, exp.CurrentTimestamp):
        # GETDATE() and SYSDATETIME() return local time without a time zone.
        return exp.Anonymous(this="current_localtimestamp")
    if isinstance(node, exp.Select) and _is_top_percent(node):
        return _top_percent(node)
    if isinstance(node, exp.Cast):
        return _cast(node)
    if isinstance(node, exp.DataType) and not isinstance(
        node.parent, (exp.Cast, exp.Convert)
    ):
        return _data_type(node)
    if isinstance(node, exp.DateAdd) and expression_type(node.this, context) == (
        SqlType("date")
    ):
        # DATEADD returns the type of its date argument: a date stays a date.
        return exp.Cast(this=node.copy(), to=exp.DataType.build("DATE"))
    if isinstance(node, exp.Add) and (
        is_string_expression(node.this, context)
        or is_string_expression(node.expression, context)
    ):
        return exp.DPipe(this=node.this, expression=node.expression, safe=True)
    if isinstance(node, exp.Anonymous) and node.name.upper() in _ERROR_FUNCTIONS:
        value = (context.error or {}).get(_ERROR_FUNCTIONS[node.name.upper()])
        return exp.convert(value) if value is not None else exp.null()
    return node


def _global_variable(node: exp.Parameter, context: TranspileContext) -> exp.Expression:
    name = node.this.name.upper()
    if name not in GLOBAL_VARIABLES:
        supported = ", ".join("@@" + n for n in GLOBAL_VARIABLES)
        raise UnsupportedError(
            f"@@{name} is not supported by predictemu; supported: {supported}."
        )
    value = context.globals.get(name, 0)
    placeholder = exp.Placeholder(this=context.bind(value))
    return exp.Cast(this=placeholder, to=exp.DataType.build("INTEGER"))


def _is_top_percent(select: exp.Select) -> bool:
    limit = select.args.get("limit")
    options = limit.args.get("limit_options") if isinstance(limit, exp.Limit) else None
    return bool(options and options.args.get("percent"))


def _top_percent(select: exp.Select) -> exp.Expression:
    """Rewrite ``TOP (n) PERCENT``: T-SQL rounds the row count up, DuckDB down."""
    percent = select.args["limit"].expression
    inner = select.copy()
    inner.set("limit", None)
    count = exp.select(
        exp.Anonymous(
            this="ceil",
            expressions=[
                exp.Div(
                    this=exp.Mul(
                        this=exp.Cast(this=percent, to=exp.DataType.build("DOUBLE")),
                        expression=exp.Count(this=exp.Star()),
                    ),
                    expression=exp.Literal.number(100),
                )
            ],
        )
    ).from_(inner.copy().subquery("__counted"))
    limit = exp.Cast(this=count.subquery(), to=exp.DataType.build("BIGINT"))
    return exp.select("*").from_(inner.subquery("__top_percent")).limit(limit)


def expression_type(node: exp.Expression, context: TranspileContext) -> SqlType | None:
    """Return the T-SQL type of a rewritten expression where it is evident."""
    if isinstance(node, exp.Left):
        return SqlType("varchar")
    if isinstance(node, (exp.Cast, exp.TryCast)) and isinstance(node.to, exp.DataType):
        return _DUCKDB_TYPES.get(node.to.this)
    if isinstance(node, exp.Literal) and node.is_string:
        return SqlType("varchar")
    if isinstance(node, exp.Column):
        return context.column_type(node)
    if isinstance(node, (exp.DateAdd, exp.CurrentTimestamp)) or (
        isinstance(node, exp.Anonymous)
        and node.name.lower() == "current_localtimestamp"
    ):
        return SqlType("datetime2")
    if isinstance(node, (exp.CurrentDate, exp.LastDay)):
        return SqlType("date")
    if isinstance(node, exp.Paren):
        return expression_type(node.this, context)
    return None


def variable_name(node: exp.Parameter) -> str:
    """Return the ``@name`` of a parsed variable reference."""
    return "@" + node.name


def _variable(node: exp.Parameter, context: TranspileContext) -> exp.Expression:
    name = variable_name(node)
    variable = context.variables.get(name.lower())
    if variable is None:
        raise TsqlError(f'Must declare the scalar variable "{name}".', number=137)
    placeholder = exp.Placeholder(this=context.bind(variable.value))
    return exp.Cast(this=placeholder, to=exp.DataType.build(variable.sql_type.duckdb))


def _cast(node: exp.Cast) -> exp.Expression:
    target = node.to
    if not isinstance(target, exp.DataType) or target.this in _DUCKDB_ONLY_TYPES:
        # The runner's own casts (of variables and assigned values) already
        # name DuckDB types.
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
