"""Bind DATA columns to model inputs and WITH columns to model outputs.

The rules are the pool's: inputs bind by name, one column per input, with an
exact pair of SQL type and tensor type; WITH columns bind to outputs by name and
each output gives one scalar per row. Every error names the input or output, the
column, both types and the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from predictemu.errors import PredictError
from predictemu.predict.model import LoadedModel, TensorSpec
from predictemu.sqltypes import STRING_TYPES, SqlType, sql_type_from_arrow


@dataclass(frozen=True)
class InputBinding:
    """A model input fed by a DATA column."""

    spec: TensorSpec
    column: str
    index: int
    sql_type: SqlType


@dataclass(frozen=True)
class OutputBinding:
    """A WITH column filled from a model output."""

    spec: TensorSpec
    column: str
    sql_type: SqlType


def sql_cast_fix(column: str, input_name: str, needed: str) -> str:
    """Return the fix for a type mismatch as a CAST in the DATA query."""
    return f"Cast it in the DATA query: CAST([{column}] AS {needed}) AS [{input_name}]."


def bind_inputs(
    model: LoadedModel,
    schema: pa.Schema,
    type_fix: Callable[[str, str, str], str] = sql_cast_fix,
) -> list[InputBinding]:
    """Bind each model input to the DATA column of the same name.

    ``type_fix(column, input, sql_type)`` words the fix for a type mismatch.
    """
    # Shapes first: a model with one wide input cannot be fixed by renaming columns.
    for position, spec in enumerate(model.inputs, start=1):
        check_input_shape(spec, position)
    by_name = {name.lower(): (index, name) for index, name in enumerate(schema.names)}
    missing = [spec.name for spec in model.inputs if spec.name.lower() not in by_name]
    if missing:
        available = ", ".join(f"[{name}]" for name in schema.names) or "none"
        names = ", ".join(f"'{name}'" for name in missing)
        noun = "input" if len(missing) == 1 else "inputs"
        raise PredictError(
            f"The model {noun} {names} {'has' if len(missing) == 1 else 'have'} no "
            f"DATA column of the same name. DATA columns: {available}. Name the "
            "columns after the model inputs in the DATA query, for example "
            f"SELECT [your_column] AS [{missing[0]}]."
        )
    bindings = []
    for spec in model.inputs:
        index, column = by_name[spec.name.lower()]
        needed = spec.sql_type
        if needed is None:
            raise PredictError(
                f"Model input '{spec.name}' is {spec.description}; PREDICT feeds "
                "only tensor(float), tensor(double), tensor(int64), tensor(int32) "
                "and tensor(string) inputs. Convert the model with one of those "
                "input types."
            )
        actual = sql_type_from_arrow(schema.field(index).type)
        if not _input_types_match(needed, actual):
            raise PredictError(
                f"The type of model column '{spec.name}' is '{needed}'. Doesn't match "
                f"the input column type: DATA column [{column}] is '{actual.name}'. "
                + type_fix(column, spec.name, needed)
            )
        bindings.append(InputBinding(spec, column, index, actual))
    return bindings


def check_input_shape(spec: TensorSpec, position: int) -> None:
    """Reject an input that takes more than one value per row."""
    if spec.kind != "tensor":
        raise PredictError(
            f"Input column {position} (1-based) '{spec.name}' is {spec.description}, "
            "which is not supported: PREDICT feeds one column per input."
        )
    if not spec.one_value_per_row():
        raise PredictError(
            f"Input column {position} (1-based) '{spec.name}' has shape "
            f"{spec.shape_text} which is not supported. PREDICT binds one DATA column "
            "to each model input, so every input must have shape [N, 1] or [N]. "
            "Convert the model with one input per column, for example skl2onnx "
            "initial_types=[('a', FloatTensorType([None, 1])), ('b', "
            "FloatTensorType([None, 1]))], named like the columns."
        )


def _input_types_match(needed: str, actual: SqlType) -> bool:
    if needed == "varchar":
        return actual.name in STRING_TYPES
    return actual.name == needed


def bind_outputs(
    model: LoadedModel, columns: list[tuple[str, SqlType]]
) -> list[OutputBinding]:
    """Bind each WITH column to the model output of the same name."""
    by_name = {spec.name.lower(): spec for spec in model.outputs}
    bindings = []
    for column, sql_type in columns:
        spec = by_name.get(column.lower())
        if spec is None:
            raise PredictError(
                "WITH clause specified different output columns from what 'PREDICT' "
                f"function tries to return: the model has no output '{column}'. "
                f"Model outputs: {describe_outputs(model)}."
            )
        check_output_shape(spec, model)
        bindings.append(OutputBinding(spec, column, sql_type))
    return bindings


def check_output_shape(spec: TensorSpec, model: LoadedModel) -> None:
    """Reject an output that does not give one scalar per row."""
    if spec.kind != "tensor":
        raise PredictError(
            f"Output '{spec.name}' is {spec.description} (a ZipMap: one map of class "
            "probabilities per row), which cannot fill a column. Convert the "
            "classifier with skl2onnx options={'zipmap': 'columns'} to get one "
            "probability output per class, or {'zipmap': False}, which renames the "
            "outputs to 'label' and 'probabilities' (an [N, classes] tensor, which "
            "also needs one column per class). Model outputs: "
            f"{describe_outputs(model)}."
        )
    if not spec.one_value_per_row():
        raise PredictError(
            f"Output '{spec.name}' has shape {spec.shape_text}, more than one value "
            "per row, so it cannot fill a column. Model outputs: "
            f"{describe_outputs(model)}. Add a node to the graph that splits it "
            "into one output per value, or declare another output."
        )


def describe_outputs(model: LoadedModel) -> str:
    """List the model's outputs with their types and shapes, for messages."""
    parts = []
    for spec in model.outputs:
        shape = f" {spec.shape_text}" if spec.kind == "tensor" else ""
        parts.append(f"'{spec.name}' {spec.description}{shape}")
    return ", ".join(parts)
