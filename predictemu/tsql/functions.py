"""T-SQL built-in functions whose DuckDB counterparts behave differently.

Each function here takes a parsed T-SQL call whose arguments are already
rewritten and returns the DuckDB expression that gives T-SQL's result.
"""

from __future__ import annotations

import re

from sqlglot import exp

from predictemu.errors import UnsupportedError
from predictemu.sqltypes import INTEGER_RANGES, STRING_TYPES, SqlType, sql_type_from_ast
from predictemu.tsql.result_types import BINARY_TYPES, duckdb_type

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
# Styles that select a number or binary format, which date styles never use.
_PLAIN_STYLES = {0, 1, 2, 3, 100}
_TEMPORAL = {"date", "datetime", "datetime2", "smalldatetime", "datetimeoffset"}


def convert(node: exp.Convert, source_type: SqlType | None) -> exp.Expression:
    """Translate ``CONVERT(type, value [, style])`` and ``TRY_CONVERT``.

    ``source_type`` is the value's T-SQL type where it is known. A date style
    applies to a date or time value converted to text, or to text converted to
    a date or time. Binary styles 1 and 2 apply between text and binary.
    """
    target = sql_type_from_ast(node.this, declaration=False)
    value = node.expression
    safe = bool(node.args.get("safe"))
    style_node = node.args.get("style")
    style = _style_number(style_node)
    duck_type = duckdb_type(target)
    cast_class = exp.TryCast if safe else exp.Cast
    source = source_type.name if source_type else None

    if target.name in BINARY_TYPES and (
        source in STRING_TYPES or (source is None and style in (1, 2))
    ):
        return _text_to_binary(value, style or 0, safe)
    if target.name in STRING_TYPES and source in BINARY_TYPES:
        return _truncate(_binary_to_text(value, style or 0), target)
    if style is not None and style not in _PLAIN_STYLES:
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
    return cast(value, source_type, target, safe)


def cast(
    value: exp.Expression, source_type: SqlType | None, target: SqlType, safe: bool
) -> exp.Expression:
    """Translate ``CAST(value AS target)`` (and CONVERT with the default style).

    Text and binary convert byte for byte, as style 0 does. A number converted
    to a string too short for it gives ``*`` for int, smallint and tinyint and
    Msg 8115 for the other numbers. Any other value converted to a shorter
    string keeps its first characters.
    """
    source = source_type.name if source_type else None
    if target.name in BINARY_TYPES and source in STRING_TYPES:
        return _text_to_binary(value, 0, safe)
    if target.name in STRING_TYPES and source in BINARY_TYPES:
        return _truncate(_binary_to_text(value, 0), target)
    if target.name in INTEGER_RANGES and source in STRING_TYPES:
        return _text_to_integer(value, target, safe)
    cast_class = exp.TryCast if safe else exp.Cast
    if target.name in INTEGER_RANGES and source in _FRACTIONAL_NUMBERS:
        # T-SQL truncates toward zero where DuckDB rounds: CAST(-2.5 AS int) is -2.
        value = exp.Anonymous(this="trunc", expressions=[value])
    converted = cast_class(this=value, to=duckdb_type(target))
    if target.name == "datetime" and source != "datetime":
        return _datetime_ticks(converted)
    if target.name in STRING_TYPES and target.length and source in _SHORT_NUMBERS:
        return _number_too_long(converted, source, target, safe)
    return _truncate(converted, target)


_FRACTIONAL_NUMBERS = {"decimal", "numeric", "money", "smallmoney", "float", "real"}


# Numbers whose text form does not fit the target string. In T-SQL int, smallint
# and tinyint give "*" and the others raise Msg 8115.
# NOTE: T-SQL's rule for bigint is not confirmed here, so bigint raises Msg 8115
# like decimal.
_STAR_NUMBERS = {"int", "smallint", "tinyint"}
_SHORT_NUMBERS = set(INTEGER_RANGES) | {
    "decimal",
    "numeric",
    "money",
    "smallmoney",
    "float",
    "real",
}


def _number_too_long(
    text: exp.Expression, source: str, target: SqlType, safe: bool
) -> exp.Expression:
    too_long = exp.GT(
        this=exp.Length(this=text.copy()),
        expression=exp.Literal.number(target.length),
    )
    if source in _STAR_NUMBERS:
        fallback: exp.Expression = exp.Literal.string("*")
    elif safe:
        fallback = exp.null()
    else:
        type_name = "numeric" if source == "decimal" else source
        fallback = raise_error(
            8115,
            f"Arithmetic overflow error converting {type_name} to data type "
            f"{target.name}.",
        )
    return exp.Case(ifs=[exp.If(this=too_long, true=fallback)], default=text)


def _text_to_integer(
    value: exp.Expression, target: SqlType, safe: bool
) -> exp.Expression:
    """Convert text to an integer type as T-SQL does.

    Only an optional sign and digits, with spaces around them, convert; an
    empty string is 0. Anything else, '1.5' included, fails with Msg 245 (NULL
    in TRY_CAST), where DuckDB's own CAST would round it.
    """
    trimmed = exp.Trim(this=exp.Cast(this=value, to=exp.DataType.build("VARCHAR")))
    digits = exp.Anonymous(
        this="regexp_full_match",
        expressions=[trimmed.copy(), exp.Literal.string("[+-]?[0-9]+")],
    )
    converted = exp.Cast(this=trimmed.copy(), to=duckdb_type(target))
    if safe:
        failure: exp.Expression = exp.null()
    else:
        message = exp.DPipe(
            this=exp.DPipe(
                this=exp.Literal.string(
                    "Msg 245: Conversion failed when converting the varchar value '"
                ),
                expression=exp.Cast(
                    this=value.copy(), to=exp.DataType.build("VARCHAR")
                ),
            ),
            expression=exp.Literal.string(f"' to data type {target.name}."),
        )
        failure = exp.Anonymous(this="error", expressions=[message])
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.Is(this=value.copy(), expression=exp.null()), true=exp.null()
            ),
            exp.If(
                this=exp.EQ(this=trimmed.copy(), expression=exp.Literal.string("")),
                true=exp.Cast(this=exp.Literal.number(0), to=duckdb_type(target)),
            ),
            exp.If(this=digits, true=converted),
        ],
        default=failure,
    )


def _datetime_ticks(timestamp: exp.Expression) -> exp.Expression:
    """Round a timestamp to datetime's precision: ticks of 1/300 second.

    The result keeps whole milliseconds, so .002 becomes .003 and
    23:59:59.999 becomes midnight of the next day, as SQL Server shows them.
    """
    micros = exp.Anonymous(this="epoch_us", expressions=[timestamp])
    ticks = exp.Anonymous(
        this="round",
        expressions=[
            exp.Div(this=micros, expression=exp.Literal.number("3333.333333333333"))
        ],
    )
    millis = exp.Anonymous(
        this="round",
        expressions=[exp.Div(this=ticks, expression=exp.Literal.number("0.3"))],
    )
    rounded = exp.Anonymous(
        this="make_timestamp",
        expressions=[
            exp.Cast(
                this=exp.Mul(this=millis, expression=exp.Literal.number(1000)),
                to=exp.DataType.build("BIGINT"),
            )
        ],
    )
    return rounded


def raise_error(number: int, message: str) -> exp.Expression:
    """Build a DuckDB ``error()`` call that the runner reports as Msg ``number``.

    ``predictemu.runner.errors`` reads the ``Msg <number>:`` prefix back.
    """
    return exp.Anonymous(
        this="error", expressions=[exp.Literal.string(f"Msg {number}: {message}")]
    )


_HEX_PATTERNS = {1: "0[xX]([0-9a-fA-F]{2})*", 2: "([0-9a-fA-F]{2})*"}


def _text_to_binary(value: exp.Expression, style: int, safe: bool) -> exp.Expression:
    """Convert text to binary: style 0 keeps the bytes, 1 and 2 read hex digits.

    Style 1 expects a ``0x`` prefix and style 2 none. Text that does not match
    fails with Msg 8114, or gives NULL in TRY_CONVERT.
    """
    text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
    if style not in _HEX_PATTERNS:
        return exp.Anonymous(this="encode", expressions=[text])
    digits: exp.Expression = text.copy()
    if style == 1:
        digits = exp.Substring(this=digits, start=exp.Literal.number(3))
    matches = exp.Anonymous(
        this="regexp_full_match",
        expressions=[text.copy(), exp.Literal.string(_HEX_PATTERNS[style])],
    )
    invalid = (
        exp.null()
        if safe
        else raise_error(8114, "Error converting data type varchar to varbinary.")
    )
    return exp.Case(
        ifs=[
            exp.If(
                this=matches,
                true=exp.Anonymous(this="unhex", expressions=[digits]),
            )
        ],
        default=invalid,
    )


def _binary_to_text(value: exp.Expression, style: int) -> exp.Expression:
    """Convert binary to text: style 0 reads the bytes as characters, 1 and 2 as hex.

    NOTE: style 0 decodes the bytes as UTF-8, so bytes that are not valid
    UTF-8 raise a DuckDB conversion error where SQL Server would map them
    through the column's code page.
    """
    if style not in (1, 2):
        return exp.Anonymous(this="decode", expressions=[value])
    digits = exp.Upper(this=exp.Anonymous(this="hex", expressions=[value]))
    if style == 2:
        return digits
    return exp.DPipe(this=exp.Literal.string("0x"), expression=digits, safe=True)


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
    # NOTE: the value is cut to the declared length, but DuckDB's VARCHAR has
    # no length, so a result column of CAST(x AS varchar) reports varchar(max)
    # where SQL Server reports varchar(30).
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
    """Translate ``DATALENGTH(x)``: the bytes that SQL Server stores for ``x``.

    nvarchar stores two bytes a character and varchar one, as code page 1252
    does for Latin-1 text. Numbers, dates and times have their fixed sizes.
    """
    if len(node.expressions) != 1:
        raise UnsupportedError("DATALENGTH takes exactly one argument.")
    value = node.expressions[0]
    name = source_type.name if source_type is not None else None
    as_text = exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
    # NOTE: DuckDB's catalog stores nvarchar and varchar table columns both as
    # VARCHAR, so DATALENGTH of an nvarchar column counts one byte a character.
    # Literals, variables and CASTs keep their nvarchar type.
    if name in ("nvarchar", "nchar"):
        return _int(
            exp.Mul(this=exp.Length(this=as_text), expression=exp.Literal.number(2))
        )
    if name in ("varbinary", "binary"):
        return _int(exp.Anonymous(this="octet_length", expressions=[value]))
    size = _storage_size(source_type) if source_type is not None else None
    if size is not None:
        null = exp.Is(this=value.copy(), expression=exp.null())
        return exp.Case(
            ifs=[exp.If(this=null, true=exp.null())],
            default=_int(exp.Literal.number(size)),
        )
    # NOTE: a value of unknown type counts the characters of its text form,
    # which is right for varchar but not for a number of unknown type.
    return _int(exp.Length(this=as_text))


# Storage sizes in bytes of T-SQL's fixed-size types.
_FIXED_SIZES = {
    "bit": 1,
    "tinyint": 1,
    "smallint": 2,
    "int": 4,
    "bigint": 8,
    "real": 4,
    "float": 8,
    "smallmoney": 4,
    "money": 8,
    "date": 3,
    "smalldatetime": 4,
    "datetime": 8,
    "uniqueidentifier": 16,
}


def _storage_size(sql_type: SqlType) -> int | None:
    if sql_type.name in _FIXED_SIZES:
        return _FIXED_SIZES[sql_type.name]
    if sql_type.name in ("decimal", "numeric") and sql_type.precision is not None:
        # decimal(p, s) takes 5, 9, 13 or 17 bytes by precision.
        for limit, size in ((9, 5), (19, 9), (28, 13)):
            if sql_type.precision <= limit:
                return size
        return 17
    return None


def _int(node: exp.Expression) -> exp.Expression:
    return exp.Cast(this=node, to=exp.DataType.build("INTEGER"))


_NUMBER_FORMAT = re.compile(r"([NnFf])(\d{0,2})")


def format_number(node: exp.NumberToStr) -> exp.Expression:
    """Translate ``FORMAT(number, 'N2')`` and ``'F2'`` as the en-US culture formats.

    N groups thousands with commas and F does not. The digit count defaults to
    2, and the value rounds half away from zero as .NET does.
    """
    pattern = node.args.get("format")
    text = pattern.name if isinstance(pattern, exp.Literal) else None
    match = _NUMBER_FORMAT.fullmatch(text or "")
    culture = node.args.get("culture")
    if match is None or (culture is not None and culture.name.lower() != "en-us"):
        pattern_text = pattern.sql("tsql") if pattern is not None else "?"
        raise UnsupportedError(
            f"FORMAT with format {pattern_text} is not supported by predictemu; use a "
            "numeric format N or F with a digit count (N2, F0), or a date pattern "
            "such as 'yyyy-MM-dd'."
        )
    digits = int(match.group(2) or 2)
    grouping = "," if match.group(1).upper() == "N" else ""
    rounded = exp.Anonymous(
        this="round",
        expressions=[
            exp.Cast(this=node.this, to=exp.DataType.build("DOUBLE")),
            exp.Literal.number(digits),
        ],
    )
    return exp.Anonymous(
        this="format",
        expressions=[exp.Literal.string(f"{{:{grouping}.{digits}f}}"), rounded],
    )


# The result types of POWER, SIGN, SUM and AVG by the type of their (first)
# argument; decimal arguments are handled on their own.
_MATH_RESULT_TYPES = {
    "tinyint": "int",
    "smallint": "int",
    "int": "int",
    "bigint": "bigint",
    "money": "money",
    "smallmoney": "money",
    "real": "float",
    "float": "float",
}


def same_type_math(
    node: exp.Pow | exp.Sign, argument_type: SqlType | None
) -> exp.Expression:
    """Give POWER and SIGN T-SQL's result type, which follows the first argument.

    An integer result truncates toward zero (POWER(2, -1) is 0). POWER of
    decimal(p, s) is decimal(38, s), and of a string or bit is float.
    """
    name = argument_type.name if argument_type else None
    if name in _MATH_RESULT_TYPES:
        result = SqlType(_MATH_RESULT_TYPES[name])
    elif name in ("decimal", "numeric") and argument_type.scale is not None:
        precision = 38 if isinstance(node, exp.Pow) else argument_type.precision
        result = SqlType("decimal", precision=precision, scale=argument_type.scale)
    elif name in STRING_TYPES or name == "bit":
        result = SqlType("float")
    else:
        return node
    return cast(node.copy(), SqlType("float"), result, safe=False)


# -- aggregates --------------------------------------------------------------------

TYPED_AGGREGATES = (exp.Count, exp.Sum, exp.Avg)

_SUM_TYPES = _MATH_RESULT_TYPES
_AVG_TYPES = _MATH_RESULT_TYPES


def aggregate(
    node: exp.Expression,
    argument_type: SqlType | None,
    window: exp.Window | None = None,
) -> exp.Expression:
    """Give COUNT, SUM and AVG the result types T-SQL gives them.

    COUNT is int and COUNT_BIG bigint. SUM and AVG of an integer type are int,
    or bigint for a bigint argument, and AVG of integers truncates toward zero
    (AVG of 1 and 2 is 1). SUM of decimal(p, s) is decimal(38, s), which is
    DuckDB's type too, and AVG of it is decimal(38, max(s, 6)). ``window`` is
    the OVER clause when the aggregate is a window function.
    """
    name = argument_type.name if argument_type else None
    if isinstance(node, exp.Count):
        if node.args.get("big_int"):
            return _over(node, window)
        return exp.Cast(this=_over(node, window), to=exp.DataType.build("INTEGER"))
    if isinstance(node, exp.Sum):
        if name in _SUM_TYPES:
            return _typed(_over(node, window), _SUM_TYPES[name])
        return _over(node, window)
    if name in INTEGER_RANGES:
        total = _over(exp.Sum(this=node.this.copy()), window)
        count = _over(exp.Count(this=node.this.copy()), window)
        return _typed(exp.IntDiv(this=total, expression=count), _AVG_TYPES[name])
    if name in _AVG_TYPES:
        return _typed(_over(node, window), _AVG_TYPES[name])
    if name in ("decimal", "numeric") and argument_type.scale is not None:
        scale = max(argument_type.scale, 6)
        result = SqlType("decimal", precision=38, scale=scale)
        return exp.Cast(this=_over(node, window), to=duckdb_type(result))
    return _over(node, window)


def _over(call: exp.Expression, window: exp.Window | None) -> exp.Expression:
    # A copy, because the caller replaces ``call`` in its tree afterwards.
    if window is None:
        return call.copy()
    windowed = window.copy()
    windowed.set("this", call.copy())
    return windowed


def _typed(node: exp.Expression, type_name: str) -> exp.Expression:
    return exp.Cast(this=node, to=duckdb_type(SqlType(type_name)))
