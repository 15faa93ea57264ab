"""Destinations for a run's result sets and messages."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from predictemu.sqltypes import sql_type_from_arrow


@dataclass
class ResultSet:
    """One result set: an Arrow table and the T-SQL type of each column."""

    table: pa.Table
    sql_types: list[str]

    @property
    def columns(self) -> list[str]:
        """Return the column names."""
        return self.table.column_names

    def rows(self) -> list[tuple]:
        """Return the rows as tuples of Python values."""
        columns = [column.to_pylist() for column in self.table.columns]
        return list(zip(*columns, strict=True))

    def to_pandas(self):
        """Return the result as a pandas DataFrame (needs pandas)."""
        return self.table.to_pandas()


def sql_types_of(schema: pa.Schema) -> list[str]:
    """Return the T-SQL type names of an Arrow schema's fields."""
    return [str(sql_type_from_arrow(f.type)) for f in schema]


class Output:
    """Receives result sets and messages as a script runs.

    The default keeps every result set in memory as an Arrow table; the command
    line streams them to stdout instead.
    """

    def __init__(self) -> None:
        self.results: list[ResultSet] = []
        self.messages: list[str] = []

    def result(self, reader: pa.RecordBatchReader) -> int:
        """Consume one result set and return its row count."""
        table = reader.read_all()
        self.results.append(ResultSet(table, sql_types_of(table.schema)))
        return table.num_rows

    def message(self, text: str) -> None:
        """Record an informational message, such as PRINT output."""
        self.messages.append(text)


@dataclass
class RunResult:
    """The outcome of a script run: result sets, messages and the last return status."""

    results: list[ResultSet] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    return_status: int | None = None
