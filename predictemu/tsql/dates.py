"""DATEPART and DATEDIFF with T-SQL's week rules under us_english (DATEFIRST 7).

Weeks start on Sunday. DATEPART(weekday) is 1 for Sunday through 7 for
Saturday, DATEPART(week) is 1 for the week that contains January 1, and
DATEDIFF(week) counts the Sundays crossed between the two dates. Both return
int, where DuckDB's EXTRACT and date_diff return bigint.
"""

from __future__ import annotations

from sqlglot import exp

from predictemu.sqltypes import SqlType
from predictemu.tsql.result_types import is_string

# T-SQL DATEDIFF abbreviations that DuckDB's date_diff does not read.
_DATEDIFF_UNITS = {
    "YY": "year",
    "YYYY": "year",
    "QQ": "quarter",
    "Q": "quarter",
    "MM": "month",
    "M": "month",
    "DAYOFYEAR": "day",
    "DY": "day",
    "Y": "day",
    "DD": "day",
    "D": "day",
    "WEEKDAY": "day",
    "DW": "day",
    "W": "day",
    "HH": "hour",
    "MI": "minute",
    "N": "minute",
    "SS": "second",
    "S": "second",
    "MS": "millisecond",
    "MCS": "microsecond",
}
_WEEK_UNITS = {"WEEK", "WK", "WW"}
# A Sunday on or before any date T-SQL's date type holds.
_SUNDAY = "0001-01-07"


def _as_timestamp(value: exp.Expression, value_type: SqlType | None) -> exp.Expression:
    """Convert a string operand to a timestamp, as T-SQL converts it implicitly."""
    if is_string(value_type):
        return exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP"))
    return value


def _to_int(node: exp.Expression) -> exp.Expression:
    return exp.Cast(this=node, to=exp.DataType.build("INTEGER"))


def _days_since_sunday(value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(
        this="date_diff",
        expressions=[
            exp.Literal.string("day"),
            exp.Cast(this=exp.Literal.string(_SUNDAY), to=exp.DataType.build("DATE")),
            exp.Cast(this=value, to=exp.DataType.build("DATE")),
        ],
    )


def extract(node: exp.Extract, value_type: SqlType | None) -> exp.Expression:
    """Translate ``DATEPART(part, x)`` (sqlglot's EXTRACT)."""
    part = node.this.name.upper()
    value = _as_timestamp(node.expression, value_type)
    if part == "DAYOFWEEK":
        weekday = exp.Extract(this=exp.var("dayofweek"), expression=value)
        return _to_int(exp.Add(this=weekday, expression=exp.Literal.number(1)))
    if part == "WEEK":
        # Week 1 runs from January 1 to the first Saturday.
        january_first = exp.Anonymous(
            this="date_trunc", expressions=[exp.Literal.string("year"), value]
        )
        offset = exp.Extract(this=exp.var("dayofweek"), expression=january_first)
        day_of_year = exp.Extract(this=exp.var("dayofyear"), expression=value.copy())
        days = exp.Add(
            this=exp.Sub(this=day_of_year, expression=exp.Literal.number(1)),
            expression=offset,
        )
        week = exp.IntDiv(this=exp.Paren(this=days), expression=exp.Literal.number(7))
        return _to_int(exp.Add(this=week, expression=exp.Literal.number(1)))
    # A copy, because the caller replaces ``node`` in its tree afterwards.
    extracted = node.copy()
    extracted.set("expression", value)
    return _to_int(extracted)


def datediff(node: exp.DateDiff) -> exp.Expression:
    """Translate ``DATEDIFF(part, start, end)``: boundaries crossed, as int."""
    unit = node.args.get("unit")
    unit_name = unit.name.upper() if unit is not None else "DAY"
    end, start = node.this, node.expression
    if unit_name in _WEEK_UNITS:
        weeks_end = exp.Anonymous(
            this="floor",
            expressions=[
                exp.Div(
                    this=_days_since_sunday(end), expression=exp.Literal.number(7.0)
                )
            ],
        )
        weeks_start = exp.Anonymous(
            this="floor",
            expressions=[
                exp.Div(
                    this=_days_since_sunday(start), expression=exp.Literal.number(7.0)
                )
            ],
        )
        return _to_int(exp.Sub(this=weeks_end, expression=weeks_start))
    counted = node.copy()
    if unit_name in _DATEDIFF_UNITS:
        counted.set("unit", exp.var(_DATEDIFF_UNITS[unit_name]))
    return _to_int(counted)
