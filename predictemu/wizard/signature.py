"""Read a model's signature and check it against the ONNX graph.

The signature comes from the MLflow ``MLmodel`` file, or, for a bare ``.onnx``
file, from the graph's input and output tensor types. Every signature input must
be a graph input of the matching tensor type, because PREDICT binds the DATA
columns to the graph, not to the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from predictemu.errors import PredictError
from predictemu.mlflow import ColumnSpec, MLmodelInfo, read_mlmodel
from predictemu.predict.binding import check_input_shape
from predictemu.predict.model import LoadedModel, load_model_bytes, load_model_file
from predictemu.wizard.errors import WizardError

# The wizard's casts: the SQL type written for each MLflow signature type.
# float, long and string are the pool wizard's; double and integer follow the
# pairs PREDICT accepts (float = tensor(double), int = tensor(int32)).
SQL_TYPE_FOR_MLFLOW = {
    "float": "real",
    "double": "float",
    "long": "bigint",
    "integer": "int",
    "string": "varchar",
}

# The ONNX tensor element type each MLflow type stands for.
ELEMENT_FOR_MLFLOW = {
    "float": "float",
    "double": "double",
    "long": "int64",
    "integer": "int32",
    "string": "string",
}
MLFLOW_FOR_ELEMENT = {element: name for name, element in ELEMENT_FOR_MLFLOW.items()}

# The WITH column type written for each MLflow output type. A varchar without a
# length in a column list means varchar(1), so string outputs get a length.
# NOTE: nvarchar(4000) is predictemu's choice; labels longer than 4000
# characters are cut. Override it with --output name=type.
OUTPUT_SQL_TYPE_FOR_MLFLOW = {
    **SQL_TYPE_FOR_MLFLOW,
    "string": "nvarchar(4000)",
}

SUPPORTED_TYPES = ", ".join(SQL_TYPE_FOR_MLFLOW)


@dataclass(frozen=True)
class SignatureColumn:
    """One signature input or output with the tensor it names in the graph."""

    name: str
    mlflow_type: str
    sql_type: str | None


@dataclass
class WizardModel:
    """A model file read for the wizard: bytes, graph, signature and example."""

    path: Path
    default_name: str
    model_bytes: bytes
    graph: LoadedModel
    inputs: list[SignatureColumn]
    outputs: list[SignatureColumn] | None
    signature_source: str  # "MLflow signature" or "ONNX graph"
    info: MLmodelInfo
    input_example: dict | None


def read_model(path: str | Path) -> WizardModel:
    """Read an MLflow model directory or a bare ``.onnx`` file and check it."""
    path = Path(path)
    if path.is_dir():
        return _read_mlflow(path)
    if path.is_file():
        return _read_onnx(path)
    raise WizardError(
        f"Model {path} not found. Pass an MLflow model directory (with an MLmodel "
        "file) or an .onnx file."
    )


def _read_mlflow(directory: Path) -> WizardModel:
    if not (directory / "MLmodel").is_file():
        raise WizardError(
            f"{directory} is not an MLflow model directory: it has no MLmodel file. "
            "Pass the directory that mlflow.onnx.save_model wrote, or the .onnx "
            "file itself."
        )
    info = read_mlmodel(directory)
    if info.signature_kind == "tensors":
        raise WizardError(
            f"The MLflow signature of {directory} is tensor-based: its inputs have "
            "no column names, so they cannot be mapped onto table columns. Log the "
            "model with a column-based signature, for example signature="
            "mlflow.models.infer_signature(X) where X is a pandas DataFrame with "
            "one column per model input, or pass the .onnx file, whose graph "
            "input names then stand in for the signature."
        )
    if not info.inputs:
        raise WizardError(
            f"The MLflow model in {directory} has no input signature. Log it with "
            "signature=mlflow.models.infer_signature(X), or pass the .onnx file, "
            "whose graph input names then stand in for the signature."
        )
    model_bytes = load_model_file(directory)
    graph = _load_graph(model_bytes, directory)
    inputs = [_input_column(spec, graph) for spec in info.inputs]
    _check_graph_inputs_covered(inputs, graph)
    outputs = [_signature_output(spec) for spec in info.outputs or []] or None
    return WizardModel(
        path=directory,
        default_name=directory.resolve().name,
        model_bytes=model_bytes,
        graph=graph,
        inputs=inputs,
        outputs=outputs,
        signature_source="MLflow signature",
        info=info,
        input_example=info.input_example,
    )


def _read_onnx(path: Path) -> WizardModel:
    model_bytes = load_model_file(path)
    graph = _load_graph(model_bytes, path)
    inputs = []
    for position, spec in enumerate(graph.inputs, start=1):
        _check_shape(spec, position)
        mlflow_type = MLFLOW_FOR_ELEMENT.get(spec.element_type or "")
        if mlflow_type is None:
            raise WizardError(
                f"Graph input '{spec.name}' is {spec.description}; PREDICT feeds only "
                "tensor(float), tensor(double), tensor(int64), tensor(int32) and "
                "tensor(string) inputs. Convert the model with one of those types."
            )
        inputs.append(
            SignatureColumn(spec.name, mlflow_type, SQL_TYPE_FOR_MLFLOW[mlflow_type])
        )
    # The derived signature is stored in the model table's schema columns.
    info = MLmodelInfo(
        directory=path.parent,
        model_file=path.name,
        inputs=[ColumnSpec(column.name, column.mlflow_type) for column in inputs],
        outputs=[
            ColumnSpec(spec.name, MLFLOW_FOR_ELEMENT[spec.element_type])
            for spec in graph.outputs
            if spec.kind == "tensor" and spec.element_type in MLFLOW_FOR_ELEMENT
        ],
        signature_kind="columns",
    )
    return WizardModel(
        path=path,
        default_name=path.stem,
        model_bytes=model_bytes,
        graph=graph,
        inputs=inputs,
        outputs=None,
        signature_source="ONNX graph",
        info=info,
        input_example=None,
    )


def _load_graph(model_bytes: bytes, path: Path) -> LoadedModel:
    return load_model_bytes(model_bytes, f"the model {path}")


def _check_shape(spec, position: int) -> None:
    try:
        check_input_shape(spec, position)
    except PredictError as err:
        raise WizardError(err.message) from err


def _input_column(spec: ColumnSpec, graph: LoadedModel) -> SignatureColumn:
    by_name = {tensor.name.lower(): tensor for tensor in graph.inputs}
    tensor = by_name.get(spec.name.lower())
    if tensor is None:
        names = ", ".join(f"'{t.name}'" for t in graph.inputs)
        raise WizardError(
            f"The MLflow signature has input '{spec.name}', but the ONNX graph has "
            f"no input of that name (graph inputs: {names}). PREDICT binds columns "
            "to the graph's inputs; log the model again with a signature whose "
            "column names are the graph's input names."
        )
    _check_shape(tensor, graph.inputs.index(tensor) + 1)
    sql_type = SQL_TYPE_FOR_MLFLOW.get(spec.type)
    if sql_type is None:
        raise WizardError(
            f"Signature input '{spec.name}' has MLflow type '{spec.type}', which "
            f"PREDICT cannot feed; supported types: {SUPPORTED_TYPES}. Convert the "
            "model so this input takes one of them."
        )
    expected = ELEMENT_FOR_MLFLOW[spec.type]
    if tensor.element_type != expected:
        graph_type = MLFLOW_FOR_ELEMENT.get(tensor.element_type or "")
        fix = (
            f"log the model again with '{spec.name}' as {graph_type} in the "
            "signature (infer it from the data the ONNX model was converted with)"
            if graph_type
            else "convert the model so this input takes a supported tensor type"
        )
        raise WizardError(
            f"Input '{spec.name}': the MLflow signature declares {spec.type} "
            f"(tensor({expected})), but the ONNX graph input is {tensor.description}. "
            f"The procedure would cast the column to [{sql_type}] and PREDICT would "
            f"reject it. Either {fix}, or convert the model with a "
            f"tensor({expected}) input."
        )
    # Keep the graph's spelling: it is the name the DATA column must carry.
    return SignatureColumn(tensor.name, spec.type, sql_type)


def _check_graph_inputs_covered(
    inputs: list[SignatureColumn], graph: LoadedModel
) -> None:
    named = {column.name.lower() for column in inputs}
    missing = [
        tensor.name for tensor in graph.inputs if tensor.name.lower() not in named
    ]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        raise WizardError(
            f"The ONNX graph has inputs {names} that the MLflow signature does not "
            "list. PREDICT needs a column for every graph input; log the model "
            "again with a signature that lists every graph input."
        )


def _signature_output(spec: ColumnSpec) -> SignatureColumn:
    return SignatureColumn(
        spec.name, spec.type, OUTPUT_SQL_TYPE_FOR_MLFLOW.get(spec.type)
    )
