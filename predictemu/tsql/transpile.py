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
from predictemu.sqltypes import SqlType, sql_type_from_ast
from predictemu.tsql import dates, functions, strings
from predictemu.tsql.result_types import (
    duckdb_type,
    expression_type,
    is_numeric,
    is_string,
)

# The in-memory catalog that contains #temp tables. Every cursor of the session can
# read it, which DuckDB's TEMP schema does not offer. The name avoids clashing with a
# database file named tempdb.duckdb.
TEMP_CATALOG = "predictemu_tempdb"
# Name prefix of the Arrow streams that PREDICT registers on the connection.
RELATION_PREFIX = "__predictemu_predict_"
DEFAULT_SCHEMA = "dbo"

_ERROR_FUNCTIONS = {
    "ERROR_MESSAGE": "message",
    "ERROR_NUMBER": "number",
    "ERROR_SEVERITY": "severity",
    "ERROR_STATE": "state",
    "ERROR_LINE": "line",
    "ERROR_PROCEDURE": "procedure",
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
    # Why the last assignment from a subquery gave NULL: "no row" or "null value".
    null_reason: str | None = None
    table: str | None = None


@dataclass
class TranspileContext:
    """The runner's state that translation reads: variables, column types, errors."""

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
        global_ = bool(identifier.args.get("global_"))
        if global_ and target == "synapse":
            raise UnsupportedError(
                f"Global temporary table '##{identifier.name}' is not supported in "
                "a dedicated SQL pool, which has only session-scoped temporary "
                f"tables; use a #temp table such as '#{identifier.name}' instead."
            )
        name = temp_table_name(identifier.name, global_)
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
    # Read before the rewrite, which drops a string type's length and turns
    # N'...' into a plain string.
    for isnull in node.find_all(exp.Coalesce):
        if isnull.args.get("is_null"):
            isnull.meta["first_type"] = _declared_type(isnull.this, context)
    for call in node.find_all(exp.Anonymous):
        if call.name.upper() == "DATALENGTH" and call.expressions:
            call.meta["first_type"] = _declared_type(call.expressions[0], context)
    # Children first, so a parent gets its operands already rewritten (an
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
    if isinstance(node, exp.Join) and isinstance(node.this, exp.Lateral):
        cross_apply = node.this.args.get("cross_apply")
        if cross_apply is not None:
            # CROSS APPLY is DuckDB's CROSS JOIN LATERAL, and OUTER APPLY its
            # LEFT JOIN LATERAL ... ON TRUE.
            node.this.set("cross_apply", None)
            if cross_apply:
                return exp.Join(this=node.this, kind="CROSS")
            return exp.Join(this=node.this, side="LEFT", on=exp.true())
    if isinstance(node, exp.Convert):
        return functions.convert(node, expression_type(node.expression, context))
    if isinstance(node, exp.Length):
        return functions.len_(node)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "DATALENGTH":
        source = node.expressions[0] if node.expressions else None
        source_type = node.meta.get("first_type") or (
            expression_type(source, context) if source else None
        )
        return functions.datalength(node, source_type)
    if isinstance(node, exp.CurrentTimestamp):
        # GETDATE() and SYSDATETIME() return local time without a time zone.
        return exp.Anonymous(this="current_localtimestamp")
    if isinstance(node, exp.Select) and _is_top_percent(node):
        return _top_percent(node)
    if isinstance(node, exp.Cast):
        return _cast(node, context)
    if isinstance(node, functions.TYPED_AGGREGATES) and not isinstance(
        node.parent, exp.Window
    ):
        return functions.aggregate(node, _aggregate_argument_type(node, context))
    if isinstance(node, exp.Window) and isinstance(
        node.this, functions.TYPED_AGGREGATES
    ):
        argument_type = _aggregate_argument_type(node.this, context)
        return functions.aggregate(node.this, argument_type, window=node)
    if isinstance(node, exp.DataType) and not isinstance(
        node.parent, (exp.Cast, exp.Convert)
    ):
        return _data_type(node)
    if isinstance(node, exp.DateAdd) and expression_type(node.this, context) == (
        SqlType("date")
    ):
        # DATEADD returns the type of its date argument: a date stays a date.
        return exp.Cast(this=node.copy(), to=exp.DataType.build("DATE"))
    if isinstance(node, _ARITHMETIC):
        return _arithmetic(node, context)
    if isinstance(node, exp.Anonymous) and node.name.upper() in _ERROR_FUNCTIONS:
        value = (context.error or {}).get(_ERROR_FUNCTIONS[node.name.upper()])
        return exp.convert(value) if value is not None else exp.null()
    if isinstance(node, _FUNCTION_REWRITES):
        return _rewrite_function(node, context)
    return node


def _rewrite_function(
    node: exp.Expression, context: TranspileContext
) -> exp.Expression:
    """Rewrite string, date and math operations whose T-SQL semantics differ."""
    if isinstance(node, exp.Coalesce) and node.args.get("is_null"):
        return _isnull(node, context)
    if isinstance(node, exp.NumberToStr):
        return functions.format_number(node)
    if isinstance(node, _INT_FUNCTIONS):
        # T-SQL returns int where DuckDB returns bigint.
        return exp.Cast(this=node.copy(), to=exp.DataType.build("INTEGER"))
    if isinstance(node, (exp.Pow, exp.Sign)):
        return functions.same_type_math(node, expression_type(node.this, context))
    if isinstance(node, exp.Extract) and isinstance(node.this, exp.Var):
        return dates.extract(node, expression_type(node.expression, context))
    if isinstance(node, exp.DateDiff):
        return dates.datediff(node)
    if isinstance(node, exp.Like) and not isinstance(node.parent, exp.Escape):
        return strings.like(node, None, context.params)
    if isinstance(node, exp.Escape) and isinstance(node.this, exp.Like):
        return strings.like(node.this, node.expression, context.params)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "PATINDEX":
        return strings.patindex(node, context.params)
    if isinstance(node, exp.Replace):
        return strings.replace(node)
    if isinstance(node, _COMPARISONS) and not isinstance(node.parent, exp.Update):
        return _compare_strings(node, context)
    if isinstance(node, exp.In) and node.expressions:
        return _in_strings(node, context)
    if isinstance(node, exp.Update) and isinstance(node.parent, exp.When):
        _unqualify_merge_set(node)
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


def variable_name(node: exp.Parameter) -> str:
    """Return the ``@name`` of a parsed variable reference."""
    return "@" + node.name


def _variable(node: exp.Parameter, context: TranspileContext) -> exp.Expression:
    name = variable_name(node)
    variable = context.variables.get(name.lower())
    if variable is None:
        raise TsqlError(f'Must declare the scalar variable "{name}".', number=137)
    placeholder = exp.Placeholder(this=context.bind(variable.value))
    return exp.Cast(this=placeholder, to=duckdb_type(variable.sql_type))


def _cast(node: exp.Cast, context: TranspileContext) -> exp.Expression:
    target = node.to
    if not isinstance(target, exp.DataType) or target.this in _DUCKDB_ONLY_TYPES:
        # The runner's own casts (of variables and assigned values) already
        # name DuckDB types.
        return node
    sql_type = sql_type_from_ast(target, declaration=False)
    return functions.cast(
        node.this,
        expression_type(node.this, context),
        sql_type,
        safe=bool(node.args.get("safe")),
    )


def _data_type(node: exp.DataType) -> exp.Expression:
    if node.this == exp.DType.USERDEFINED or node.is_type(exp.DType.UNKNOWN):
        return node
    try:
        sql_type = sql_type_from_ast(node, declaration=True)
    except UnsupportedError:
        raise
    return duckdb_type(sql_type)


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_INT_FUNCTIONS = (exp.Year, exp.Month, exp.Day, exp.StrPosition)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_FUNCTION_REWRITES = (
    exp.Like,
    exp.Escape,
    exp.Anonymous,
    exp.Replace,
    exp.Update,
    exp.Coalesce,
    exp.NumberToStr,
    exp.Pow,
    exp.Sign,
    exp.Extract,
    exp.DateDiff,
    exp.In,
    *_INT_FUNCTIONS,
    *_COMPARISONS,
)


def _unqualify_merge_set(update: exp.Update) -> None:
    """Drop the target alias from ``SET tgt.col = ...`` in MERGE, which DuckDB rejects.

    The SET list of a MERGE can name only target columns, so the alias adds
    nothing.
    """
    for assignment in update.expressions:
        column = assignment.this if isinstance(assignment, exp.EQ) else None
        if isinstance(column, exp.Column) and column.table:
            column.set("table", None)
            column.set("db", None)
            column.set("catalog", None)


def _compare_strings(node: exp.Expression, context: TranspileContext) -> exp.Expression:
    """Ignore trailing spaces when comparing two strings, as T-SQL pads the shorter.

    NOTE: only comparison operators and IN lists are rewritten. IN (subquery),
    GROUP BY, DISTINCT and joins through USING still treat 'ab' and 'ab ' as
    different values.
    """
    left = expression_type(node.this, context)
    right = expression_type(node.expression, context)
    if not (is_string(left) and is_string(right)):
        return node
    node.set("this", strings.trim_trailing_spaces(node.this))
    node.set("expression", strings.trim_trailing_spaces(node.expression))
    return node


def _in_strings(node: exp.In, context: TranspileContext) -> exp.In:
    """Ignore trailing spaces in ``x IN (...)`` over strings, as ``=`` does."""
    types = [expression_type(node.this, context)]
    types += [expression_type(item, context) for item in node.expressions]
    if not all(is_string(kind) for kind in types):
        return node
    node.set("this", strings.trim_trailing_spaces(node.this))
    node.set(
        "expressions",
        [strings.trim_trailing_spaces(item) for item in node.expressions],
    )
    return node


def _arithmetic(node: exp.Expression, context: TranspileContext) -> exp.Expression:
    """Apply T-SQL's conversions to +, -, *, / and % on a string and a number.

    ``+`` on two strings concatenates. Otherwise the string converts to the
    number's type, as T-SQL's data type precedence requires, so ``'1' + 1`` is 2
    and ``'abc' + 1`` fails with Msg 245.
    """
    left = expression_type(node.this, context)
    right = expression_type(node.expression, context)
    if isinstance(node, exp.Add) and is_string(left) and is_string(right):
        return exp.DPipe(this=node.this, expression=node.expression, safe=True)
    if _is_temporal(left) or _is_temporal(right):
        return _date_arithmetic(node, left, right)
    if is_string(left) and is_numeric(right):
        node.set("this", _convert_operand(node.this, right))
    elif is_string(right) and is_numeric(left):
        node.set("expression", _convert_operand(node.expression, left))
    elif isinstance(node, exp.Add) and (is_string(left) or is_string(right)):
        # NOTE: the other operand's type is unknown here (a scalar subquery, or a
        # function predictemu does not type), so +
        # concatenates. A script that adds a number from such a source to a
        # string gets text where SQL Server would add or raise Msg 245; CAST the
        # operand to make the intended type explicit.
        return exp.DPipe(this=node.this, expression=node.expression, safe=True)
    return node


# NOTE: datetime and datetime2 are both DuckDB TIMESTAMP, so the translated
# tree cannot tell them apart. datetime2 + 1 therefore adds a day where SQL
# Server raises Msg 206; date and time reject numbers as they should.
_DAY_NUMBER_TYPES = {"datetime", "smalldatetime", "datetime2", "datetimeoffset"}
_TEMPORAL_TYPES = _DAY_NUMBER_TYPES | {"date", "time"}


def _is_temporal(sql_type: SqlType | None) -> bool:
    return sql_type is not None and sql_type.name in _TEMPORAL_TYPES


def _date_arithmetic(
    node: exp.Expression, left: SqlType | None, right: SqlType | None
) -> exp.Expression:
    """Apply T-SQL's rules for + and - between a date or time and a number.

    datetime and smalldatetime add the number as days (fractions included).
    date and time reject numbers with Msg 206.
    """
    if not isinstance(node, (exp.Add, exp.Sub)):
        return node
    if _is_temporal(left) and is_numeric(right):
        temporal, number_node = left, node.expression
    elif _is_temporal(right) and is_numeric(left) and isinstance(node, exp.Add):
        temporal, number_node = right, node.this
    else:
        return node
    if temporal.name not in _DAY_NUMBER_TYPES:
        raise TsqlError(
            f"Operand type clash: {left.name} is incompatible with {right.name}",
            number=206,
        )
    date_node = node.this if number_node is node.expression else node.expression
    microseconds = exp.Cast(
        this=exp.Anonymous(
            this="round",
            expressions=[
                exp.Mul(
                    this=exp.Cast(this=number_node, to=exp.DataType.build("DOUBLE")),
                    expression=exp.Literal.number(86_400_000_000),
                )
            ],
        ),
        to=exp.DataType.build("BIGINT"),
    )
    interval = exp.Anonymous(this="to_microseconds", expressions=[microseconds])
    operation = exp.Add if isinstance(node, exp.Add) else exp.Sub
    shifted = operation(this=date_node, expression=interval)
    return exp.Cast(this=shifted, to=duckdb_type(temporal))


def _convert_operand(operand: exp.Expression, number_type: SqlType) -> exp.Expression:
    if number_type.name == "decimal" and number_type.precision is None:
        # A decimal of unknown precision (the result of decimal arithmetic)
        # takes the string as the widest decimal that keeps its digits.
        number_type = SqlType("decimal", precision=38, scale=10)
    return functions.cast(operand, SqlType("varchar"), number_type, safe=False)


def _aggregate_argument_type(
    node: exp.Expression, context: TranspileContext
) -> SqlType | None:
    argument = node.this
    if isinstance(argument, exp.Distinct):
        argument = argument.expressions[0] if argument.expressions else None
    return expression_type(argument, context)


def _declared_type(node: exp.Expression, context: TranspileContext) -> SqlType | None:
    """Return the T-SQL type of an expression not yet rewritten, length included."""
    if isinstance(node, exp.Parameter) and not isinstance(node.this, exp.Parameter):
        variable = context.variables.get(variable_name(node).lower())
        return variable.sql_type if variable else None
    return expression_type(node, context)


def _isnull(node: exp.Coalesce, context: TranspileContext) -> exp.Expression:
    """Translate ``ISNULL(a, b)``, whose result has the type of ``a``.

    ``b`` converts to that type first, so ISNULL(CAST(NULL AS varchar(2)),
    'abc') is 'ab' and ISNULL(int_column, 0.5) is 0.
    """
    first_type = node.meta.get("first_type") or expression_type(node.this, context)
    if first_type is None:
        return node
    fallback = node.expressions[0]
    converted = functions.cast(
        fallback.copy(), expression_type(fallback, context), first_type, safe=False
    )
    result = exp.Coalesce(this=node.this.copy(), expressions=[converted])
    return exp.Cast(this=result, to=duckdb_type(first_type))
