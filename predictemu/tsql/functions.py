"""T-SQL built-in functions whose DuckDB counterparts behave differently.

Each function here takes a parsed T-SQL call whose arguments are already
rewritten and returns the DuckDB expression that gives T-SQL's result.
"""

from __future__ import annotations

from sqlglot import exp

from predictemu.errors import UnsupportedError
from predictemu.sqltypes import STRING_TYPES, SqlType, sql_type_from_ast

# CONVERT styles for dates and times, as strftime/strptime formats. The
# two-digit-year styles (1, 3, 11, ...) are left out on purpose: a script that
# uses them gets an error naming the four-digit style to use instead.
DATE_STYLES = {
    23: "%Y-%m-%d",
    101: "%m/%d/%Y",
    102: "%Y.%m.%d",
    103: "%d/%m/%Y",
    104: "%d.%m.%Y",
    105: "%d-%m-%Y",
    110: "%m-%d-%Y",
    111: "%Y/%m/%d",
    112: "%Y%m%d",
}
TIME_STYLES = {
    8: "%H:%M:%S",
    108: "%H:%M:%S",
    20: "%Y-%m-%d %H:%M:%S",
    120: "%Y-%m-%d %H:%M:%S",
    # %g is milliseconds in DuckDB: T-SQL's datetime keeps three digits.
    21: "%Y-%m-%d %H:%M:%S.%g",
    121: "%Y-%m-%d %H:%M:%S.%g",
    126: "%Y-%m-%dT%H:%M:%S.%g",
}
# Styles that select a number or binary format; they do not change the value.
_PLAIN_STYLES = {0, 1, 2, 3, 100}
_TEMPORAL = {"date", "datetime", "datetime2", "smalldatetime", "datetimeoffset"}


def convert(node: exp.Convert, source_type: SqlType | None) -> exp.Expression:
    """Translate ``CONVERT(type, value [, style])`` and ``TRY_CONVERT``.

    ``source_type`` is the value's T-SQL type where it is known; a style only
    applies to a date or time value converted to text, or to text converted to
    a date or time.
    """
    target = sql_type_from_ast(node.this, declaration=False)
    value = node.expression
    safe = bool(node.args.get("safe"))
    style_node = node.args.get("style")
    style = _style_number(style_node)
    duck_type = exp.DataType.build(target.duckdb)
    cast_class = exp.TryCast if safe else exp.Cast

    if style is not None and style not in _PLAIN_STYLES:
        source = source_type.name if source_type else None
        if target.name in STRING_TYPES and source in _TEMPORAL:
            text = _format_temporal(value, style, source == "date")
            return _truncate(text, target)
        if target.name in _TEMPORAL and (source is None or source in STRING_TYPES):
            pattern = _style_pattern(style, with_time=target.name != "date")
            function = "try_strptime" if safe else "strptime"
            parsed = exp.Anonymous(
                this=function,
                expressions=[
                    exp.Cast(this=value, to=exp.DataType.build("VARCHAR")),
                    exp.Literal.string(pattern),
                ],
            )
            return cast_class(this=parsed, to=duck_type)
    return _truncate(cast_class(this=value, to=duck_type), target)


def _style_number(style: exp.Expression | None) -> int | None:
    if style is None:
        return None
    if isinstance(style, exp.Literal) and not style.is_string:
        return int(style.name)
    raise UnsupportedError(
        f"CONVERT style '{style.sql('tsql')}' must be a number literal such as 120."
    )


def _style_pattern(style: int, with_time: bool) -> str:
    if style in DATE_STYLES:
        return DATE_STYLES[style]
    if style in TIME_STYLES:
        pattern = TIME_STYLES[style]
        return pattern if with_time else pattern.split(" ")[0].split("T")[0]
    styles = ", ".join(str(s) for s in sorted({**DATE_STYLES, **TIME_STYLES}))
    raise UnsupportedError(
        f"CONVERT style {style} is not supported by predictemu; use one of {styles}."
    )


def _format_temporal(
    value: exp.Expression, style: int, is_date: bool
) -> exp.Expression:
    pattern = _style_pattern(style, with_time=True)
    if is_date and style in TIME_STYLES and style not in (8, 108):
        # A date has no time part: style 120 on a date gives yyyy-mm-dd.
        pattern = pattern.split(" ")[0].split("T")[0]
    return exp.Anonymous(
        this="strftime", expressions=[value, exp.Literal.string(pattern)]
    )


def _truncate(node: exp.Expression, target: SqlType) -> exp.Expression:
    if target.name in STRING_TYPES and target.length:
        return exp.Left(this=node, expression=exp.Literal.number(target.length))
    return node


def len_(node: exp.Length) -> exp.Expression:
    """Translate ``LEN(x)``: characters, not counting trailing spaces."""
    text = node.this
    if isinstance(text, exp.Cast) and text.to.is_type(exp.DType.TEXT):
        text = text.this
    as_text = exp.Cast(this=text, to=exp.DataType.build("VARCHAR"))
    trimmed = exp.Anonymous(
        this="rtrim", expressions=[as_text, exp.Literal.string(" ")]
    )
    return exp.Cast(this=exp.Length(this=trimmed), to=exp.DataType.build("INTEGER"))


def datalength(node: exp.Anonymous, source_type: SqlType | None) -> exp.Expression:
    """Translate ``DATALENGTH(x)``: bytes; nvarchar stores two bytes a character."""
    if len(node.expressions) != 1:
        raise UnsupportedError("DATALENGTH takes exactly one argument.")
    value = node.expressions[0]
    if source_type is not None and source_type.name in ("nvarchar", "nchar"):
        length = exp.Length(this=exp.Cast(this=value, to=exp.DataType.build("VARCHAR")))
        return exp.Mul(this=length, expression=exp.Literal.number(2))
    if source_type is not None and source_type.name in ("varbinary", "binary"):
        return exp.Anonymous(this="octet_length", expressions=[value])
    # NOTE: other types count the bytes of their text form (UTF-8), which is
    # right for varchar but not for numbers (DATALENGTH(1) is 4 in T-SQL).
    as_text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
    return exp.Anonymous(this="strlen", expressions=[as_text])
