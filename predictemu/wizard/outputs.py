"""Choose the model outputs the procedure declares in PREDICT's WITH clause.

PREDICT returns only outputs with one value per row. ZipMap outputs (a
sequence of maps), other sequences and maps, and tensors wider than one column
are skipped, and the report gives the reason. ``--output name=type`` declares
an output or changes its type.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ParseError

from predictemu.errors import PredictError, TsqlError
from predictemu.predict.binding import check_output_shape, describe_outputs
from predictemu.predict.model import TensorSpec
from predictemu.sqltypes import INTEGER_RANGES, STRING_TYPES, SqlType, sql_type_from_ast
from predictemu.tsql.dialect import Synapse
from predictemu.wizard.errors import WizardError
from predictemu.wizard.signature import (
    ELEMENT_FOR_MLFLOW,
    MLFLOW_FOR_ELEMENT,
    OUTPUT_SQL_TYPE_FOR_MLFLOW,
    WizardModel,
)

# The types PREDICT converts output values to (see predict/scoring.py).
WITH_TYPES = (
    set(INTEGER_RANGES)
    | {"real", "float", "decimal", "numeric", "money", "smallmoney", "bit"}
    | STRING_TYPES
)


@dataclass(frozen=True)
class OutputColumn:
    """A WITH column: the graph output's name, its SQL type and where that came from."""

    name: str
    sql_type: SqlType
    source: str


@dataclass(frozen=True)
class SkippedOutput:
    """A graph output left out of the WITH clause, with the reason."""

    name: str
    reason: str


def parse_output_type(text: str, output: str) -> SqlType:
    """Parse a WITH column type such as ``bigint``, ``[real]`` or ``numeric(25,17)``."""
    cleaned = text.replace("[", "").replace("]", "").strip()
    try:
        node = exp.DataType.build(cleaned, dialect=Synapse)
        sql_type = sql_type_from_ast(node, declaration=True)
    except (ParseError, ValueError, TsqlError) as err:
        raise WizardError(
            f"--output {output}={text}: {text!r} is not a T-SQL type. Write a type "
            "such as bigint, real, float, numeric(25,17) or nvarchar(100)."
        ) from err
    if sql_type.name not in WITH_TYPES:
        raise WizardError(
            f"--output {output}={text}: PREDICT cannot return a {sql_type} column. "
            "Use int, bigint, real, float, numeric(p,s), bit, varchar(n) or "
            "nvarchar(n)."
        )
    return sql_type


def choose_outputs(
    model: WizardModel, overrides: dict[str, str]
) -> tuple[list[OutputColumn], list[SkippedOutput]]:
    """Return the outputs to declare and the outputs skipped, with reasons."""
    overridden = _override_types(model, overrides)
    if model.outputs is not None:
        chosen, skipped = _from_signature(model, overridden)
    else:
        chosen, skipped = _from_graph(model, overridden)
    if not chosen:
        reasons = "; ".join(f"'{s.name}': {s.reason}" for s in skipped) or "none"
        raise WizardError(
            "The model has no output PREDICT can return (skipped outputs: "
            f"{reasons}). Convert the model so that at least one output has one "
            "value per row, or declare one with --output name=type."
        )
    return chosen, skipped


def _from_signature(
    model: WizardModel, overridden: dict[str, SqlType]
) -> tuple[list[OutputColumn], list[SkippedOutput]]:
    graph = {spec.name.lower(): spec for spec in model.graph.outputs}
    chosen: list[OutputColumn] = []
    skipped: list[SkippedOutput] = []
    listed = set()
    for column in model.outputs:
        spec = graph.get(column.name.lower())
        if spec is None:
            raise WizardError(
                f"The MLflow signature has output '{column.name}', but the ONNX "
                f"graph has no output of that name (graph outputs: "
                f"{describe_outputs(model.graph)}). Log the model again with a "
                "signature whose outputs are the graph's output names."
            )
        listed.add(spec.name.lower())
        if spec.name.lower() in overridden:
            sql_type = overridden[spec.name.lower()]
            chosen.append(OutputColumn(spec.name, sql_type, "--output"))
            continue
        reason = _shape_reason(spec)
        if reason is None:
            _check_signature_type(column.name, column.mlflow_type, spec)
            if column.sql_type is None:
                reason = (
                    f"MLflow type '{column.mlflow_type}' has no SQL type in the "
                    f"wizard's type map; add --output {spec.name}=<type>"
                )
        if reason:
            skipped.append(SkippedOutput(spec.name, reason))
            continue
        sql_type = parse_output_type(column.sql_type, spec.name)
        chosen.append(OutputColumn(spec.name, sql_type, "signature"))

    # Graph outputs missing from the signature are declared only through --output.
    for spec in model.graph.outputs:
        key = spec.name.lower()
        if key in listed:
            continue
        if key in overridden:
            chosen.append(OutputColumn(spec.name, overridden[key], "--output"))
        else:
            reason = _shape_reason(spec) or "not in the MLflow signature"
            skipped.append(SkippedOutput(spec.name, reason))
    return chosen, skipped


def _from_graph(
    model: WizardModel, overridden: dict[str, SqlType]
) -> tuple[list[OutputColumn], list[SkippedOutput]]:
    chosen: list[OutputColumn] = []
    skipped: list[SkippedOutput] = []
    for spec in model.graph.outputs:
        key = spec.name.lower()
        if key in overridden:
            chosen.append(OutputColumn(spec.name, overridden[key], "--output"))
            continue
        reason = _shape_reason(spec)
        mlflow_type = MLFLOW_FOR_ELEMENT.get(spec.element_type or "")
        if reason is None and mlflow_type is None:
            reason = (
                f"{spec.description} has no SQL type in the wizard's type map; "
                f"add --output {spec.name}=<type>"
            )
        if reason:
            skipped.append(SkippedOutput(spec.name, reason))
            continue
        sql_type = parse_output_type(OUTPUT_SQL_TYPE_FOR_MLFLOW[mlflow_type], spec.name)
        chosen.append(OutputColumn(spec.name, sql_type, "ONNX graph"))
    return chosen, skipped


def _override_types(
    model: WizardModel, overrides: dict[str, str]
) -> dict[str, SqlType]:
    graph = {spec.name.lower(): spec for spec in model.graph.outputs}
    types = {}
    for name, text in overrides.items():
        spec = graph.get(name.lower())
        if spec is None:
            raise WizardError(
                f"--output {name}={text}: the model has no output '{name}'. Model "
                f"outputs: {describe_outputs(model.graph)}."
            )
        try:
            check_output_shape(spec, model.graph)
        except PredictError as err:
            raise WizardError(f"--output {name}={text}: {err.message}") from err
        types[spec.name.lower()] = parse_output_type(text, name)
    return types


def _shape_reason(spec: TensorSpec) -> str | None:
    if spec.kind == "sequence" and "map(" in spec.description:
        return (
            f"{spec.description} is a ZipMap (one map of class probabilities per "
            "row), not one value per row; convert the classifier with skl2onnx "
            "options={'zipmap': 'columns'} for one probability output per class"
        )
    if spec.kind != "tensor":
        return f"{spec.description} is not a tensor, so it gives no value per row"
    if not spec.one_value_per_row():
        return f"shape {spec.shape_text} gives more than one value per row"
    return None


def _check_signature_type(name: str, mlflow_type: str, spec: TensorSpec) -> None:
    expected = ELEMENT_FOR_MLFLOW.get(mlflow_type)
    if expected is None or spec.element_type == expected:
        return
    raise WizardError(
        f"Output '{name}': the MLflow signature declares {mlflow_type} "
        f"(tensor({expected})), but the ONNX graph output is {spec.description}. "
        f"Log the model again with a signature that matches the graph, or declare "
        f"the type yourself with --output {spec.name}=<type>."
    )
