"""String comparison under a dedicated pool's default collation.

A pool's default collation, SQL_Latin1_General_CP1_CI_AS, is case-insensitive.
The session sets DuckDB's ``default_collation`` to ``nocase`` for ``=``, IN,
GROUP BY, DISTINCT and ORDER BY. The rewrites here cover what that setting
does not: T-SQL's LIKE bracket patterns, PATINDEX, REPLACE, and trailing
spaces, which ``=`` ignores in T-SQL.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from predictemu.errors import UnsupportedError

# Characters that RE2 reads as operators outside a character class.
_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")
# Flags for a T-SQL pattern: case-insensitive, and % and _ match newlines too.
_REGEX_FLAGS = "(?is)"


def like_to_regex(pattern: str, escape: str | None = None) -> str:
    """Translate a T-SQL LIKE pattern into an RE2 pattern for a full match.

    ``%`` is any run of characters, ``_`` one character, ``[abc]`` and ``[a-c]``
    one of a set, ``[^abc]`` one character outside it. A character after
    ``escape`` matches itself.
    """
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if escape and char == escape and i + 1 < len(pattern):
            parts.append(_literal(pattern[i + 1]))
            i += 2
            continue
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        elif char == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            parts.append(_character_class(pattern[i + 1 : end]))
            i = end
        else:
            parts.append(_literal(char))
        i += 1
    return "".join(parts)


def _literal(char: str) -> str:
    return "\\" + char if char in _REGEX_SPECIAL else char


def _character_class(body: str) -> str:
    negated = body.startswith("^")
    if negated:
        body = body[1:]
    members = []
    for char in body:
        # A '-' keeps its range meaning; the other class operators are literal.
        members.append("\\" + char if char in "\\[]^" else char)
    return "[" + ("^" if negated else "") + "".join(members) + "]"


def like(
    node: exp.Like, escape: exp.Expression | None, params: dict[str, Any]
) -> exp.Expression:
    """Translate ``x [NOT] LIKE pattern [ESCAPE c]`` case-insensitively.

    A pattern without brackets becomes ILIKE. A pattern with brackets becomes
    ``regexp_full_match`` with the pattern translated, which needs the pattern
    as a literal or a variable.
    """
    pattern = _constant_text(node.expression, params)
    escape_char = _constant_text(escape, params) if escape is not None else None
    negate = bool(node.args.get("negate"))
    if pattern is None or "[" not in pattern:
        # NOTE: a pattern computed in the query (a column or an expression)
        # is matched by ILIKE, which reads '[' literally, so bracket sets in
        # such a pattern match nothing instead of a set of characters.
        result: exp.Expression = exp.ILike(this=node.this, expression=node.expression)
        if escape is not None:
            result = exp.Escape(this=result, expression=escape)
        return exp.Not(this=result) if negate else result
    if escape is not None and escape_char is None:
        raise UnsupportedError(
            "LIKE with a bracket pattern needs an ESCAPE character that is a "
            "literal or a variable."
        )
    regex = _REGEX_FLAGS + like_to_regex(pattern, escape_char)
    _unbind(node.expression, params)
    if escape is not None:
        _unbind(escape, params)
    matched = exp.Anonymous(
        this="regexp_full_match",
        expressions=[_as_text(node.this), exp.Literal.string(regex)],
    )
    return exp.Not(this=matched) if negate else matched


def patindex(node: exp.Anonymous, params: dict[str, Any]) -> exp.Expression:
    """Translate ``PATINDEX(pattern, x)``: the 1-based start of the first match, or 0.

    The pattern must be a literal or a variable.
    """
    if len(node.expressions) != 2:
        raise UnsupportedError("PATINDEX takes exactly two arguments.")
    pattern_node, value = node.expressions
    pattern = _constant_text(pattern_node, params)
    if pattern is None:
        raise UnsupportedError(
            "PATINDEX needs its pattern as a literal or a variable in predictemu."
        )
    _unbind(pattern_node, params)
    text = _as_text(value)
    full = _REGEX_FLAGS + like_to_regex(pattern)
    matches = exp.Anonymous(
        this="regexp_full_match", expressions=[text, exp.Literal.string(full)]
    )
    if pattern.startswith("%"):
        # The shortest prefix before the rest of the pattern matches.
        rest = like_to_regex(pattern[1:])
        prefix = exp.Anonymous(
            this="regexp_extract",
            expressions=[
                text.copy(),
                exp.Literal.string(f"{_REGEX_FLAGS}^(.*?){rest}$"),
                exp.Literal.number(1),
            ],
        )
        found: exp.Expression = exp.Add(
            this=exp.Length(this=prefix), expression=exp.Literal.number(1)
        )
    else:
        found = exp.Literal.number(1)
    position = exp.Case(
        ifs=[
            exp.If(
                this=exp.Is(this=text.copy(), expression=exp.null()), true=exp.null()
            ),
            exp.If(this=matches, true=found),
        ],
        default=exp.Literal.number(0),
    )
    return exp.Cast(this=position, to=exp.DataType.build("INTEGER"))


def replace(node: exp.Replace) -> exp.Expression:
    """Translate ``REPLACE(x, search, replacement)`` with a case-insensitive search.

    An empty search string leaves ``x`` as it is, as in T-SQL.
    """
    search = _as_text(node.expression)
    replacement = _as_text(node.args["replacement"])
    # RE2 reads a backslash in the replacement as a group reference.
    literal_replacement = exp.Anonymous(
        this="replace",
        expressions=[replacement, exp.Literal.string("\\"), exp.Literal.string("\\\\")],
    )
    regex = exp.DPipe(
        this=exp.Literal.string(_REGEX_FLAGS),
        expression=exp.Anonymous(this="regexp_escape", expressions=[search]),
        safe=True,
    )
    replaced = exp.Anonymous(
        this="regexp_replace",
        expressions=[
            _as_text(node.this),
            regex,
            literal_replacement,
            exp.Literal.string("g"),
        ],
    )
    empty = exp.EQ(this=search.copy(), expression=exp.Literal.string(""))
    return exp.Case(
        ifs=[exp.If(this=empty, true=_as_text(node.this))], default=replaced
    )


def trim_trailing_spaces(operand: exp.Expression) -> exp.Expression:
    """Drop trailing spaces from one operand of a string comparison."""
    if isinstance(operand, exp.Literal) and operand.is_string:
        return exp.Literal.string(operand.name.rstrip(" "))
    return exp.Anonymous(this="rtrim", expressions=[operand, exp.Literal.string(" ")])


def _as_text(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal) and node.is_string:
        return node
    return exp.Cast(this=node, to=exp.DataType.build("VARCHAR"))


def _constant_text(node: exp.Expression, params: dict[str, Any]) -> str | None:
    """Return the text of a string literal or a bound variable, else None."""
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Placeholder):
        value = params.get(node.this.name)
        return value if isinstance(value, str) else None
    return None


def _unbind(node: exp.Expression, params: dict[str, Any]) -> None:
    """Drop the parameter of a variable whose value went into the SQL text.

    DuckDB rejects a statement that gets more parameters than it uses.
    """
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Placeholder):
        params.pop(node.this.name, None)
