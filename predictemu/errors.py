"""Exceptions raised by predictemu.

Every error derives from :class:`PredictEmuError`. Errors raised while a T-SQL
statement runs carry the SQL Server message number, severity, state, batch and
line, so they print the way SSMS prints them.
"""

from __future__ import annotations


class PredictEmuError(Exception):
    """Base class of every predictemu error."""


class TsqlError(PredictEmuError):
    """A T-SQL statement failed, with SQL Server's message number and position.

    ``line`` counts from the start of the batch, as SSMS does; ``script_line``
    counts from the start of the script file.
    """

    def __init__(
        self,
        message: str,
        number: int = 50000,
        level: int = 16,
        state: int = 1,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.number = number
        self.level = level
        self.state = state
        self.line = line
        self.batch: int | None = None
        self.script_line: int | None = None
        self.procedure: str | None = None
        # The batch line of the EXEC that ran the procedure or dynamic SQL in
        # which the error happened; ``line`` then counts within that code.
        self.call_line: int | None = None

    def locate(self, line: int | None, batch: int | None = None) -> TsqlError:
        """Fill in the line and batch when they are not known yet."""
        if self.line is None:
            self.line = line
        if self.batch is None:
            self.batch = batch
        return self

    def header(self) -> str:
        """Return the ``Msg ..., Level ..., State ..., Line ...`` line."""
        parts = [f"Msg {self.number}", f"Level {self.level}", f"State {self.state}"]
        if self.procedure:
            parts.append(f"Procedure {self.procedure}")
        if self.line is not None:
            parts.append(f"Line {self.line}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = []
        if self.batch is not None:
            where.append(f"batch {self.batch}")
        if self.batch is not None and self.call_line is not None:
            where = [f"called from batch {self.batch}"]
        if self.script_line is not None:
            where.append(f"script line {self.script_line}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"{self.header()}{suffix}\n{self.message}"


class TsqlSyntaxError(TsqlError):
    """The script does not parse as T-SQL (SQL Server message 102)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, number=102, level=15, line=line)


class UnsupportedError(TsqlError):
    """The script uses T-SQL that predictemu or the chosen target does not support."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, number=40000, level=16, line=line)


class PredictError(TsqlError):
    """PREDICT could not bind or score the model.

    The pool reports these as errors of the builtin function 'PREDICT';
    predictemu adds the reason and the fix.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, number=40001, level=16, line=line)


class ModelError(PredictError):
    """The model bytes cannot be loaded ("Model is corrupt or invalid" in the pool)."""
