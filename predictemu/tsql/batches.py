"""Split a T-SQL script into batches on ``GO`` lines, as sqlcmd and SSMS do.

``GO`` is a client command, not T-SQL: it must stand on a line of its own,
optionally followed by a repeat count and a ``--`` comment. The split works on
sqlglot tokens, so a ``GO`` inside a string, an identifier or a comment never
splits a batch.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from predictemu.errors import TsqlSyntaxError


@dataclass(frozen=True)
class Batch:
    """One batch of a script: its text, where it starts, and how often to run it."""

    number: int
    text: str
    first_line: int
    repeat: int = 1


def tokenize(sql: str) -> list[Token]:
    """Tokenize T-SQL with predictemu's dialect, mapping tokenizer errors to Msg 102."""
    from predictemu.tsql.dialect import Synapse

    try:
        return Synapse().tokenize(sql)
    except TokenError as err:
        raise TsqlSyntaxError(f"Incorrect syntax: {err}") from err


def split_batches(script: str) -> list[Batch]:
    """Split ``script`` into batches on ``GO [count]`` lines."""
    tokens = tokenize(script)
    line_starts = _line_starts(script)
    batches: list[Batch] = []
    current: list[Token] = []
    begin = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        repeat = _go_separator(tokens, i)
        if repeat is None:
            current.append(token)
            i += 1
            continue
        if repeat < 1:
            # The line counts from the start of the script, the only place
            # where a GO line has a number.
            err = TsqlSyntaxError(
                f"GO count must be at least 1, got {repeat}", line=token.line
            )
            err.script_line = token.line
            raise err
        if current:
            batches.append(
                _make_batch(script, len(batches) + 1, current, begin, repeat)
            )
        current = []
        skip = 2 if i + 1 < len(tokens) and tokens[i + 1].line == token.line else 1
        i += skip
        following_line = token.line + 1
        begin = (
            line_starts[following_line]
            if following_line < len(line_starts)
            else len(script)
        )
    if current:
        batches.append(_make_batch(script, len(batches) + 1, current, begin, 1))
    return batches


def _go_separator(tokens: list[Token], i: int) -> int | None:
    """Return the repeat count when ``tokens[i]`` is a GO line, else None."""
    token = tokens[i]
    if token.text.upper() != "GO" or token.token_type == TokenType.IDENTIFIER:
        return None
    if i > 0 and tokens[i - 1].line == token.line:
        return None
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is None or following.line != token.line:
        return 1
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    if following.token_type == TokenType.NUMBER and (
        after is None or after.line != token.line
    ):
        return int(following.text)
    return None


def _make_batch(
    script: str, number: int, tokens: list[Token], begin: int, repeat: int
) -> Batch:
    end = tokens[-1].end + 1
    first_line = script.count("\n", 0, begin) + 1
    return Batch(number, script[begin:end], first_line, repeat)


def _line_starts(script: str) -> list[int]:
    """Return the character offset at which each line starts; index 0 is unused."""
    starts = [0, 0]
    for offset, char in enumerate(script):
        if char == "\n":
            starts.append(offset + 1)
    return starts
