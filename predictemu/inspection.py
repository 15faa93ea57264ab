"""Describe a model's inputs and outputs for PREDICT, and dry-run its binding."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from predictemu.errors import PredictEmuError, PredictError
from predictemu.predict.binding import check_input_shape, check_output_shape
from predictemu.predict.model import LoadedModel, TensorSpec
from predictemu.sqltypes import STRING_TYPES, SqlType


@dataclass
class InputCheck:
    """The binding of one model input to a table: column, types and the fix."""

    input: TensorSpec
    column: str | None
    column_type: SqlType | None
    problem: str | None
    fix: str | None


def describe_model(model: LoadedModel, source: str) -> str:
    """Return a report of the model's inputs, outputs and opsets."""
    opsets = ", ".join(
        f"{domain} {version}" for domain, version in model.opsets.items()
    )
    lines = [
        f"Model: {source} ({model.size:,} bytes, sha256 {model.digest[:12]})",
        f"Opsets: {opsets}",
        "",
        "Inputs (each needs a DATA column of the same name and SQL type):",
    ]
    rows = [("name", "tensor type", "shape", "SQL type", "note")]
    for position, spec in enumerate(model.inputs, start=1):
        note = ""
        try:
            check_input_shape(spec, position)
        except PredictError:
            note = "rejected: more than one value per row"
        if spec.fixed_batch_of_one():
            note = note or "batch fixed at 1 (scored in batches after a probe)"
        rows.append(
            (spec.name, spec.description, spec.shape_text, spec.sql_type or "-", note)
        )
    lines.extend(_table(rows))
    lines.append("")
    lines.append("Outputs (declare the ones to return in WITH (...)):")
    rows = [("name", "type", "shape", "SQL type", "note")]
    for spec in model.outputs:
        note = ""
        try:
            check_output_shape(spec, model)
        except PredictError:
            note = (
                "cannot be returned: ZipMap (sequence of maps); convert with "
                "zipmap='columns'"
                if spec.kind != "tensor"
                else "cannot be returned: more than one value per row"
            )
        shape = spec.shape_text if spec.kind == "tensor" else "-"
        rows.append((spec.name, spec.description, shape, spec.sql_type or "-", note))
    lines.extend(_table(rows))
    return "\n".join(lines)


def check_binding(model: LoadedModel, columns: dict[str, SqlType]) -> list[InputCheck]:
    """Check each model input against a table's columns without raising."""
    by_name = {name.lower(): name for name in columns}
    checks = []
    for spec in model.inputs:
        column = by_name.get(spec.name.lower())
        needed = spec.sql_type
        if column is None:
            checks.append(
                InputCheck(
                    spec,
                    None,
                    None,
                    "no column of this name",
                    f"add [{spec.name}] to the DATA query, e.g. SELECT [x] AS "
                    f"[{spec.name}]",
                )
            )
            continue
        actual = columns[column]
        matches = (
            actual.name in STRING_TYPES
            if needed == "varchar"
            else actual.name == needed
        )
        if needed is None:
            checks.append(
                InputCheck(spec, column, actual, f"{spec.description} input", None)
            )
        elif matches:
            checks.append(InputCheck(spec, column, actual, None, None))
        else:
            checks.append(
                InputCheck(
                    spec,
                    column,
                    actual,
                    f"type {actual} does not match {needed}",
                    f"CAST([{column}] AS {needed}) AS [{spec.name}]",
                )
            )
    return checks


def describe_binding(checks: list[InputCheck], table: str) -> str:
    """Return the dry-run report for ``check_binding``."""
    rows = [("model input", "needs", "column", "column type", "result")]
    for check in checks:
        result = "ok" if check.problem is None else f"FAILS: {check.problem}"
        rows.append(
            (
                check.input.name,
                check.input.sql_type or check.input.description,
                check.column or "-",
                str(check.column_type) if check.column_type else "-",
                result,
            )
        )
    lines = [f"Binding against {table}:"]
    lines.extend(_table(rows))
    fixes = [check.fix for check in checks if check.fix]
    if fixes:
        lines.append("")
        lines.append("PREDICT would fail. Select these in the DATA query (a CTE):")
        lines.extend(f"  {fix}" for fix in fixes)
    else:
        lines.append("")
        lines.append("Every input binds; PREDICT can score this table as it is.")
    return "\n".join(lines)


def inspect_command(args) -> int:
    """Run ``predictemu inspect`` with parsed command-line arguments."""
    from predictemu.predict.model import load_model_bytes, load_model_file

    if args.model_table or args.model_id:
        if not (args.db and args.model_table and args.model_id):
            raise PredictEmuError(
                "Reading a model from a table needs --db, --model-table and --model-id."
            )
    elif not args.model:
        raise PredictEmuError("Name a model file or directory, or use --model-table.")
    if args.table and not args.db:
        raise PredictEmuError(
            "--table needs --db, the database that contains the table."
        )

    session = None
    try:
        if args.db:
            from predictemu.cli import open_session

            session = open_session(args, args.db)
        if args.model_table:
            data = read_model_row(session, args.model_table, args.model_id)
            source = f"{args.model_table} [ID] = '{args.model_id}'"
        else:
            data = load_model_file(args.model)
            source = args.model
        model = load_model_bytes(data, source)
        print(describe_model(model, source))
        if args.table:
            from sqlglot import exp

            from predictemu.tsql.dialect import Synapse

            table = exp.to_table(args.table, dialect=Synapse)
            columns = session.table_columns(session.qualify(table))
            if columns is None:
                raise PredictEmuError(f"Table {args.table} not found in {args.db}.")
            checks = check_binding(model, _original_names(session, table, columns))
            print()
            print(describe_binding(checks, args.table))
            return 0 if all(c.problem is None for c in checks) else 1
    finally:
        if session is not None:
            session.close()
    sys.stdout.flush()
    return 0


def read_model_row(session, table: str, model_id: str) -> bytes:
    """Return the model bytes of one row of a model table."""
    from predictemu.model_table import quote_name

    result = session.run(
        f"SELECT [model] FROM {quote_name(table)} WHERE [ID] = @id",
        variables={"@id": model_id},
    )
    rows = result.results[0].rows() if result.results else []
    if not rows:
        raise PredictEmuError(f"No row with [ID] = '{model_id}' in {table}.")
    return rows[0][0]


def _original_names(session, table, columns: dict[str, SqlType]) -> dict[str, SqlType]:
    located = session.qualify(table)
    names = session.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE lower(schema_name) = "
        "lower(?) AND lower(table_name) = lower(?) ORDER BY column_index",
        [located.db, located.name],
    ).fetchall()
    return {name: columns[name.lower()] for (name,) in names}


def _table(rows: list[tuple]) -> list[str]:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return lines
