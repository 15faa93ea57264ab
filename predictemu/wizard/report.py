"""Plain-text tables for the wizard's report: mapping, outputs, first scores."""

from __future__ import annotations

import pyarrow as pa

from predictemu.wizard.mapping import ColumnMapping
from predictemu.wizard.outputs import OutputColumn, SkippedOutput

MAX_CELL = 60


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """Align rows under headers, with a dashed rule, two spaces between columns."""
    cells = [[_fit(text) for text in row] for row in rows]
    widths = [
        max([len(header)] + [len(row[index]) for row in cells])
        for index, header in enumerate(headers)
    ]
    lines = [
        "  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True))
        for row in [headers, ["-" * width for width in widths], *cells]
    ]
    return "\n".join(line.rstrip() for line in lines)


def mapping_table(mappings: list[ColumnMapping]) -> str:
    """Tabulate column, its SQL type, model input, input type, cast and match."""
    rows = []
    for mapping in mappings:
        cast = f"CAST AS {mapping.input.sql_type}" if mapping.needs_cast else "none"
        rows.append(
            [
                mapping.column.name,
                str(mapping.column.sql_type),
                mapping.input.name,
                mapping.input.mlflow_type,
                cast,
                mapping.matched_by,
            ]
        )
    headers = ["column", "SQL type", "model input", "input type", "cast", "matched by"]
    return format_table(headers, rows)


def outputs_table(outputs: list[OutputColumn], skipped: list[SkippedOutput]) -> str:
    """Tabulate the declared outputs, then list the skipped ones with the reason."""
    rows = [[output.name, str(output.sql_type), output.source] for output in outputs]
    lines = [format_table(["output", "SQL type", "from"], rows)]
    lines += [f"Skipped '{output.name}': {output.reason}." for output in skipped]
    return "\n".join(lines)


def preview_table(table: pa.Table, limit: int = 10) -> str:
    """Tabulate the first ``limit`` rows of a result."""
    head = table.slice(0, limit)
    columns = [column.to_pylist() for column in head.columns]
    rows = [[_cell(value) for value in row] for row in zip(*columns, strict=True)]
    return format_table(list(table.column_names), rows)


def _cell(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _fit(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."
