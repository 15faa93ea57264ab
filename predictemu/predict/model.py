"""Load ONNX models for PREDICT, with the checks the pool makes and better reasons.

The pool reports every unreadable model as "Model is corrupt or invalid".
predictemu adds the reason: no row, NULL, empty, not ONNX (with a hint from the
first bytes), weights in an external data file, an opset or IR version newer than
the installed runtime, or an invalid graph. Model bytes are only parsed as ONNX
protobuf, so nothing is unpickled, and no file is read to complete a model that
came from a table.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from predictemu.errors import ModelError

logger = logging.getLogger(__name__)

CORRUPT = "Model is corrupt or invalid"

# ONNX tensor element types (onnx.TensorProto.DataType) by name.
ELEMENT_TYPES = {
    1: "float",
    2: "uint8",
    3: "int8",
    4: "uint16",
    5: "int16",
    6: "int32",
    7: "int64",
    8: "string",
    9: "bool",
    10: "float16",
    11: "double",
    12: "uint32",
    13: "uint64",
}

# The SQL type PREDICT binds to each tensor element type. The pairs are exact:
# the pool rejects a float column for a tensor(float) input, for example.
SQL_TYPE_FOR_ELEMENT = {
    "float": "real",
    "double": "float",
    "int64": "bigint",
    "int32": "int",
    "string": "varchar",
}


@dataclass(frozen=True)
class TensorSpec:
    """One graph input or output: name, kind, element type and shape."""

    name: str
    kind: str  # "tensor", "sequence" or "map"
    element_type: str | None
    shape: tuple[int | str | None, ...] | None
    description: str

    @property
    def sql_type(self) -> str | None:
        """Return the SQL type PREDICT binds to this tensor, if it has one."""
        if self.kind != "tensor" or self.element_type is None:
            return None
        return SQL_TYPE_FOR_ELEMENT.get(self.element_type)

    @property
    def shape_text(self) -> str:
        """Return the shape as ONNX tools print it, for example ``[N, 1]``."""
        if self.shape is None:
            return "unknown"
        dims = ["N" if d is None else str(d) for d in self.shape]
        return "[" + ", ".join(dims) + "]"

    def one_value_per_row(self) -> bool:
        """Tell whether the shape is one of [N, 1], [N], [1, 1] or [1]."""
        if self.kind != "tensor" or self.shape is None:
            return False
        if len(self.shape) == 1:
            return True
        return len(self.shape) == 2 and self.shape[1] == 1

    def fixed_batch_of_one(self) -> bool:
        """Tell whether the first dimension is fixed at 1."""
        return bool(self.shape) and self.shape[0] == 1


@dataclass
class LoadedModel:
    """A checked ONNX model with its onnxruntime session, shared across statements."""

    digest: str
    size: int
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    opsets: dict[str, int]
    proto_bytes: bytes = field(repr=False)
    _sessions: dict[tuple, object] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    batched_bytes: bytes | None = field(default=None, repr=False)
    batched_verified: bool | None = None

    @property
    def fixed_batch(self) -> bool:
        """Tell whether any input is fixed at batch size 1."""
        return any(spec.fixed_batch_of_one() for spec in self.inputs)

    def session(self, threads: int = 1, batched: bool = False):
        """Return an onnxruntime session, created once per thread count and form."""
        import onnxruntime as ort

        key = (threads, batched)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                # The batched form may fail by design (the probe then falls back
                # to one row at a time), so its errors are not logged to stderr.
                options.log_severity_level = 4 if batched else 3
                data = self.batched_bytes if batched else self.proto_bytes
                session = ort.InferenceSession(
                    data, sess_options=options, providers=["CPUExecutionProvider"]
                )
                self._sessions[key] = session
            return session


class ModelCache:
    """Keeps one loaded model per distinct model bytes (by SHA-256)."""

    def __init__(self) -> None:
        self._models: dict[str, LoadedModel] = {}
        self._lock = threading.Lock()

    def load(
        self, data: bytes | None, source: str = "MODEL", null_reason: str | None = None
    ) -> LoadedModel:
        """Return the model for ``data``, loading and checking it on first use."""
        check_model_bytes(data, source, null_reason)
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            model = self._models.get(digest)
        if model is None:
            model = load_model_bytes(data, source, digest)
            with self._lock:
                self._models[digest] = model
        return model


def check_model_bytes(
    data: bytes | None, source: str, null_reason: str | None = None
) -> None:
    """Raise ModelError when ``data`` is NULL or empty.

    ``null_reason`` is ``"no row"`` or ``"null value"`` when the caller knows why
    the query that produced the model gave NULL.
    """
    if data is None:
        if null_reason == "no row":
            raise ModelError(
                f"{CORRUPT}: {source} is NULL because its query returned no row. "
                "Check the WHERE clause, for example the model ID."
            )
        if null_reason == "null value":
            raise ModelError(
                f"{CORRUPT}: {source} is NULL: the query found the row, but its "
                "model column is NULL. Load the model bytes into that row."
            )
        raise ModelError(
            f"{CORRUPT}: {source} is NULL. When MODEL is a variable or subquery "
            "that reads a model table, the query returned no row (or the row's "
            "model column is NULL); check the WHERE clause, for example the model ID."
        )
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelError(
            f"{CORRUPT}: {source} is of type {type(data).__name__}, not varbinary. "
            "Store the model in a varbinary(max) column or variable."
        )
    if len(data) == 0:
        raise ModelError(
            f"{CORRUPT}: {source} is empty (0 bytes). Reload the model bytes into "
            "the model table."
        )


def describe_first_bytes(data: bytes) -> str:
    """Return a hint about what the bytes are when they are not ONNX."""
    head = bytes(data[:4])
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return (
            f"the bytes start with 80 {head[1]:02x}, a Python pickle (for example a "
            "pickled scikit-learn model); convert the model to ONNX with skl2onnx "
            "and store the .onnx bytes"
        )
    if head[:2].lower() == b"0x":
        return (
            "the bytes start with the characters '0x': the model was stored as hex "
            "text, not as binary; load the hex into varbinary with CONVERT("
            "varbinary(max), @hex, 1), or store the raw .onnx bytes"
        )
    if head[:2] == b"PK":
        return "the bytes are a ZIP archive; store the model.onnx file inside it"
    if all(chr(b) in "0123456789abcdefABCDEF" for b in head) and len(head) == 4:
        return (
            "the bytes are hexadecimal text; convert the hex to binary before "
            "storing it in the varbinary column"
        )
    if head[:1] == b"\x08":
        # ONNX files begin with field 1, ir_version, as a varint: byte 0x08.
        return (
            f"the {len(data):,} bytes start like an ONNX model but do not parse, so "
            "the model is probably cut short or damaged; check that the whole "
            "file was loaded (a varchar variable of limited length cuts hex text)"
        )
    return f"the first bytes are {head.hex(' ')}"


def load_model_bytes(
    data: bytes, source: str, digest: str | None = None
) -> LoadedModel:
    """Check and load ONNX model bytes; raise ModelError with the reason."""
    import onnx

    check_model_bytes(data, source)
    data = bytes(data)
    proto = parse_onnx(data, f"{CORRUPT}: {source}")
    if not proto.graph.node and not proto.graph.input:
        raise ModelError(
            f"{CORRUPT}: {source} is not an ONNX model ({describe_first_bytes(data)})."
        )

    _reject_external_data(proto, source)
    opsets = {entry.domain or "ai.onnx": entry.version for entry in proto.opset_import}
    _check_ir_version(proto, source)
    _check_opset(opsets, source)

    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as err:
        first_line = str(err).strip().splitlines()[0]
        raise ModelError(
            f"{CORRUPT}: {source} has an invalid graph: {first_line}"
        ) from err

    initializers = {init.name for init in proto.graph.initializer}
    inputs = [
        _tensor_spec(value)
        for value in proto.graph.input
        if value.name not in initializers
    ]
    outputs = [_tensor_spec(value) for value in proto.graph.output]
    model = LoadedModel(
        digest=digest or hashlib.sha256(data).hexdigest(),
        size=len(data),
        inputs=inputs,
        outputs=outputs,
        opsets=opsets,
        proto_bytes=data,
    )
    try:
        model.session()
    except Exception as err:  # onnxruntime raises its own exception classes
        raise ModelError(
            f"{CORRUPT}: onnxruntime cannot load {source}: {_first_line(err)}"
        ) from err
    if model.fixed_batch:
        model.batched_bytes = make_batch_dynamic(proto)
    return model


def parse_onnx(data: bytes, subject: str):
    """Parse ONNX protobuf bytes; raise ModelError naming ``subject`` if they are not.

    Only the bytes are parsed: external data files are not read here.
    """
    import onnx
    from google.protobuf.message import DecodeError

    try:
        return onnx.load_model_from_string(data)
    except (DecodeError, ValueError, RuntimeError) as err:
        raise ModelError(
            f"{subject} is not an ONNX model ({describe_first_bytes(data)})."
        ) from err


def load_model_file(path: str | Path) -> bytes:
    """Read the ONNX bytes of a ``.onnx`` file or an MLflow model directory.

    External data files next to the model are folded in, but only from the
    model's own directory; a location that leaves it is rejected.
    """
    import onnx

    path = Path(path)
    if path.is_dir():
        path = mlflow_model_file(path)
    if not path.is_file():
        raise ModelError(f"Model file {path} not found.")
    data = path.read_bytes()
    proto = parse_onnx(data, str(path))
    if _external_locations(proto):
        base = path.parent.resolve()
        for location in _external_locations(proto):
            target = (base / location).resolve()
            if base not in target.parents:
                raise ModelError(
                    f"Model {path} names external data '{location}' outside its own "
                    "directory; predictemu does not follow such paths."
                )
            if not target.is_file():
                raise ModelError(
                    f"Model {path} needs the external data file '{location}', which "
                    f"is missing from {base}."
                )
        onnx.external_data_helper.load_external_data_for_model(proto, str(base))
        return proto.SerializeToString()
    return data


def mlflow_model_file(directory: Path) -> Path:
    """Return the ONNX file of an MLflow model directory (from its MLmodel)."""
    mlmodel = directory / "MLmodel"
    if not mlmodel.is_file():
        candidates = sorted(directory.glob("*.onnx"))
        if len(candidates) == 1:
            return candidates[0]
        raise ModelError(
            f"{directory} is neither an MLflow model directory (no MLmodel file) nor "
            "a directory with exactly one .onnx file."
        )
    from predictemu.mlflow import read_mlmodel

    info = read_mlmodel(directory)
    return directory / info.model_file


def make_batch_dynamic(proto) -> bytes | None:
    """Return a copy of the model with its batch dimension of 1 made symbolic.

    Many models declare every input as [1, 1]; onnxruntime then rejects larger
    batches. Renaming the first dimension to a symbol and dropping the stored
    intermediate shapes lets the runtime infer them again. The copy is only
    used after a probe shows that it gives the same results row by row.
    """
    import onnx

    batched = onnx.ModelProto()
    batched.CopyFrom(proto)
    changed = False
    for value in list(batched.graph.input) + list(batched.graph.output):
        tensor = value.type.tensor_type
        if value.type.HasField("tensor_type") and tensor.shape.dim:
            first = tensor.shape.dim[0]
            if first.HasField("dim_value") and first.dim_value == 1:
                first.Clear()
                first.dim_param = "N"
                changed = True
    if not changed:
        return None
    del batched.graph.value_info[:]
    return batched.SerializeToString()


def _reject_external_data(proto, source: str) -> None:
    locations = _external_locations(proto)
    if locations:
        names = ", ".join(sorted(locations))
        raise ModelError(
            f"{CORRUPT}: {source} keeps its weights in external data files ({names}) "
            "that are not part of the stored bytes. Re-save the model "
            "self-contained, for example onnx.save_model(model, path, "
            "save_as_external_data=False), or predictemu wizard, which stores "
            "models self-contained, and store those bytes."
        )


def _external_locations(proto) -> set[str]:
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    locations = set()
    for tensor in _get_all_tensors(proto):
        if uses_external_data(tensor):
            for entry in tensor.external_data:
                if entry.key == "location":
                    locations.add(entry.value)
    return locations


def supported_opset() -> int:
    """Return the highest ai.onnx opset the installed onnx and onnxruntime know."""
    import onnx

    return onnx.defs.onnx_opset_version()


def supported_opsets() -> dict[str, int]:
    """Return the highest opset of each operator domain in the installed onnx.

    NOTE: these come from the onnx package's operator registry, which ships
    with a matching onnxruntime release; a runtime that lags its onnx package
    can still reject a model that passes, with onnxruntime's own message.
    """
    import onnx

    highest = {"ai.onnx": onnx.defs.onnx_opset_version()}
    for schema in onnx.defs.get_all_schemas_with_history():
        domain = schema.domain or "ai.onnx"
        if domain != "ai.onnx":
            highest[domain] = max(highest.get(domain, 1), schema.since_version)
    return highest


def _check_opset(opsets: dict[str, int], source: str) -> None:
    import onnxruntime

    highest = supported_opsets()
    for domain, needed in opsets.items():
        limit = highest.get(domain)
        if limit is not None and needed > limit:
            raise ModelError(
                f"{CORRUPT}: {source} needs {domain} opset {needed}, but the "
                f"installed onnxruntime {onnxruntime.__version__} supports "
                f"{domain} opsets up to {limit}. Convert the model with a target "
                f"opset of {limit} or lower for {domain} (skl2onnx: target_opset="
                f"{{'{'' if domain == 'ai.onnx' else domain}': {limit}}}), or "
                "upgrade onnxruntime."
            )


def _check_ir_version(proto, source: str) -> None:
    import onnx

    if proto.ir_version > onnx.IR_VERSION:
        raise ModelError(
            f"{CORRUPT}: {source} has ONNX IR version {proto.ir_version}, but the "
            f"installed onnx and onnxruntime read IR versions up to "
            f"{onnx.IR_VERSION}. Save the model with an older converter or onnx "
            "release, or upgrade onnxruntime."
        )


def _tensor_spec(value) -> TensorSpec:
    value_type = value.type
    which = value_type.WhichOneof("value")
    if which == "tensor_type":
        tensor = value_type.tensor_type
        element = ELEMENT_TYPES.get(tensor.elem_type, f"type {tensor.elem_type}")
        shape = None
        if tensor.HasField("shape"):
            shape = tuple(
                d.dim_value
                if d.HasField("dim_value")
                else (d.dim_param if d.HasField("dim_param") else None)
                for d in tensor.shape.dim
            )
            shape = tuple(None if isinstance(d, str) else d for d in shape)
        return TensorSpec(value.name, "tensor", element, shape, f"tensor({element})")
    kind = "sequence" if which == "sequence_type" else "map"
    return TensorSpec(value.name, kind, None, None, _describe_type(value_type))


def _describe_type(value_type) -> str:
    """Return an ONNX type as text, for example ``seq(map(int64, tensor(float)))``."""
    which = value_type.WhichOneof("value")
    if which == "tensor_type":
        element = value_type.tensor_type.elem_type
        return f"tensor({ELEMENT_TYPES.get(element, element)})"
    if which == "sequence_type":
        return f"seq({_describe_type(value_type.sequence_type.elem_type)})"
    if which == "map_type":
        key = ELEMENT_TYPES.get(value_type.map_type.key_type, "?")
        return f"map({key}, {_describe_type(value_type.map_type.value_type)})"
    return which or "unknown"


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
