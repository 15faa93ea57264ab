"""Check the MLflow input example against the signature and score it with PREDICT.

The example is loaded into a ``#`` table typed like the procedure's casts and
scored with the same WITH clause the procedure declares, before anything is
stored or written. A model that fails here would fail in the pool too.
"""

from __future__ import annotations

import math

from predictemu.model_table import quote_identifier
from predictemu.runner.output import ResultSet
from predictemu.wizard.errors import WizardError
from predictemu.wizard.outputs import OutputColumn
from predictemu.wizard.signature import SignatureColumn
from predictemu.wizard.templates import render_predict

EXAMPLE_TABLE = "#wizard_input_example"

# Column types of the example table; strings get varchar(max) so nothing is cut.
_EXAMPLE_COLUMN_TYPES = {
    "real": "real",
    "float": "float",
    "bigint": "bigint",
    "int": "int",
    "varchar": "varchar(max)",
}
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def example_rows(example: dict, inputs: list[SignatureColumn]) -> list[list]:
    """Return the example's rows in signature order; raise if they do not fit."""
    # NOTE: only MLflow's pandas split orient is read. Tensor examples
    # ({"inputs": ...}) are rejected with the error below.
    columns = example.get("columns")
    data = example.get("data")
    if not isinstance(columns, list) or not isinstance(data, list):
        keys = ", ".join(sorted(example)) or "none"
        raise WizardError(
            f"The input example is not a pandas DataFrame in split orient (keys: "
            f"{keys}; expected 'columns' and 'data'). Log the model with "
            "input_example set to a DataFrame with one column per model input."
        )
    positions = {name: index for index, name in enumerate(columns)}
    missing = [spec.name for spec in inputs if spec.name not in positions]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        listed = ", ".join(f"'{name}'" for name in columns)
        raise WizardError(
            f"The input example has no column for model inputs {names} (example "
            f"columns: {listed}). Log the model again with an input example that "
            "has a column per signature input."
        )
    rows = []
    for number, row in enumerate(data, start=1):
        values = []
        for spec in inputs:
            value = row[positions[spec.name]]
            _check_value(value, spec, number)
            values.append(value)
        rows.append(values)
    return rows


def _check_value(value, spec: SignatureColumn, row: int) -> None:
    if value is None:
        return
    kind = spec.mlflow_type
    if kind in ("float", "double"):
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind in ("long", "integer"):
        low, high = _INT32 if kind == "integer" else _INT64
        fits = (
            isinstance(value, int)
            and not isinstance(value, bool)
            and low <= value <= high
        )
    else:
        fits = isinstance(value, str)
    if not fits:
        raise WizardError(
            f"Input example row {row}, column '{spec.name}': the value {value!r} "
            f"({type(value).__name__}) does not fit the signature type {kind}. "
            "Log the model again with an input example whose column types match "
            "the signature, or fix the signature."
        )


def score_example(
    session,
    model_bytes: bytes,
    inputs: list[SignatureColumn],
    outputs: list[OutputColumn],
    rows: list[list],
) -> ResultSet:
    """Load the example rows into a ``#`` table and score them with PREDICT."""
    definitions = ", ".join(
        f"{quote_identifier(spec.name)} {_EXAMPLE_COLUMN_TYPES[spec.sql_type]}"
        for spec in inputs
    )
    script = f"CREATE TABLE {EXAMPLE_TABLE} ({definitions})\n"
    if rows:
        values = ",\n    ".join(
            "(" + ", ".join(_literal(value) for value in row) + ")" for row in rows
        )
        script += f"INSERT INTO {EXAMPLE_TABLE} VALUES\n    {values}\n"
    script += render_predict("@model", EXAMPLE_TABLE, outputs)
    try:
        result = session.run(script, variables={"@model": model_bytes})
    finally:
        session.run(
            f"IF OBJECT_ID('tempdb..{EXAMPLE_TABLE}') IS NOT NULL "
            f"DROP TABLE {EXAMPLE_TABLE}"
        )
    return result.results[-1]


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "N'" + value.replace("'", "''") + "'"
    if isinstance(value, float):
        # NaN has no T-SQL literal; NULL in a real or float input is fed as NaN.
        if math.isnan(value):
            return "NULL"
        if math.isinf(value):
            raise WizardError(
                "The input example contains an infinite value, which T-SQL cannot "
                "store in real or float. Replace it in the input example."
            )
        return repr(value)
    return str(value)
