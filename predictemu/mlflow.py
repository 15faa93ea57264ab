"""Read the parts of an MLflow model directory that PREDICT and the wizard use.

Only the ``MLmodel`` file, its column signature and ``input_example.json`` are
read; predictemu never imports MLflow or loads a Python model flavor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from predictemu.errors import PredictEmuError


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an MLflow signature: name, MLflow type, required flag."""

    name: str
    type: str
    required: bool = True


@dataclass
class MLmodelInfo:
    """The parts of an MLflow model directory that predictemu reads."""

    directory: Path
    model_file: str
    inputs: list[ColumnSpec] | None = None
    outputs: list[ColumnSpec] | None = None
    signature_kind: str | None = None  # "columns" or "tensors"
    input_example: dict | None = None
    run_id: str | None = None
    raw: dict = field(default_factory=dict, repr=False)


def read_mlmodel(directory: str | Path) -> MLmodelInfo:
    """Read ``MLmodel`` and the input example of an MLflow ONNX model directory."""
    import yaml

    directory = Path(directory)
    path = directory / "MLmodel"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise PredictEmuError(f"Cannot read {path}: {err}") from err
    flavors = raw.get("flavors") or {}
    onnx_flavor = flavors.get("onnx")
    if onnx_flavor is None:
        names = ", ".join(sorted(flavors)) or "none"
        raise PredictEmuError(
            f"{directory} is an MLflow model without the onnx flavor (flavors: "
            f"{names}). PREDICT scores ONNX models only; log the model with "
            "mlflow.onnx.log_model."
        )
    info = MLmodelInfo(
        directory=directory,
        model_file=onnx_flavor.get("data", "model.onnx"),
        run_id=raw.get("run_id"),
        raw=raw,
    )
    signature = raw.get("signature") or {}
    info.inputs, info.signature_kind = _columns(signature.get("inputs"))
    info.outputs, _ = _columns(signature.get("outputs"))
    example = (raw.get("saved_input_example_info") or {}).get("artifact_path")
    if example and (directory / example).is_file():
        info.input_example = json.loads((directory / example).read_text("utf-8"))
    return info


def _columns(text: str | None) -> tuple[list[ColumnSpec] | None, str | None]:
    if not text:
        return None, None
    specs = json.loads(text)
    if any(spec.get("type") == "tensor" or "name" not in spec for spec in specs):
        return None, "tensors"
    columns = [
        ColumnSpec(spec["name"], spec["type"], spec.get("required", True))
        for spec in specs
    ]
    return columns, "columns"
