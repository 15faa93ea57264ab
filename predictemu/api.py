"""Score a DataFrame or Arrow table with PREDICT's rules, without writing SQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from predictemu.errors import PredictEmuError
from predictemu.predict.binding import bind_inputs, bind_outputs
from predictemu.predict.model import LoadedModel, ModelCache, load_model_file
from predictemu.predict.relation import PredictStream
from predictemu.predict.scoring import ScoringPlan
from predictemu.sqltypes import sql_type_from_ast

_models = ModelCache()


def score(
    data: Any,
    model: bytes | str | Path | LoadedModel,
    outputs: dict[str, str],
    threads: int | None = None,
    null_policy: str = "error",
    batch_rows: int = 65_536,
) -> pa.Table:
    """Score ``data`` as ``PREDICT(MODEL = model, DATA = data) WITH (outputs)`` would.

    Parameters
    ----------
    data:
        A pyarrow Table, RecordBatchReader or pandas DataFrame. Columns bind to
        model inputs by name with the pool's exact type pairs: float32 for a
        tensor(float) input, float64 for tensor(double), int64, int32, strings.
    model:
        ONNX bytes, an ``.onnx`` file, an MLflow model directory, or a model
        loaded before.
    outputs:
        The WITH list: output name to T-SQL type, for example
        ``{"output_label": "bigint"}``.

    Returns the WITH columns followed by the data columns, in input order.
    """
    from sqlglot import exp

    from predictemu.tsql.dialect import Synapse

    loaded = _load(model)
    reader = _reader(data, batch_rows)
    columns = []
    for name, type_text in outputs.items():
        try:
            node = exp.DataType.build(type_text, dialect=Synapse)
        except Exception as err:  # sqlglot raises ParseError for a bad type
            raise PredictEmuError(
                f"Output {name!r} has type {type_text!r}, which is not a T-SQL type."
            ) from err
        columns.append((name, sql_type_from_ast(node, declaration=True)))
    plan = ScoringPlan(
        loaded,
        bind_inputs(loaded, reader.schema, type_fix=_python_fix),
        bind_outputs(loaded, columns),
        null_policy=null_policy,
    )
    stream = PredictStream(plan, reader, threads or os.cpu_count() or 1)
    return stream.reader().read_all()


def _load(model: bytes | str | Path | LoadedModel) -> LoadedModel:
    if isinstance(model, LoadedModel):
        return model
    if isinstance(model, (str, Path)):
        return _models.load(load_model_file(model), f"model {model}")
    return _models.load(model, "the model bytes")


def _reader(data: Any, batch_rows: int) -> pa.RecordBatchReader:
    if isinstance(data, pa.RecordBatchReader):
        return data
    if isinstance(data, pa.Table):
        return data.to_reader(max_chunksize=batch_rows)
    if type(data).__module__.startswith("pandas"):
        table = pa.Table.from_pandas(data, preserve_index=False)
        return table.to_reader(max_chunksize=batch_rows)
    raise PredictEmuError(
        f"Cannot score data of type {type(data).__name__}; pass a pyarrow Table, a "
        "RecordBatchReader or a pandas DataFrame."
    )


_DTYPES = {
    "real": "float32",
    "float": "float64",
    "bigint": "int64",
    "int": "int32",
    "varchar": "str",
}


def _python_fix(column: str, input_name: str, needed: str) -> str:
    dtype = _DTYPES.get(needed, needed)
    fix = (
        f"Convert the column before scoring, for example "
        f"data[{column!r}] = data[{column!r}].astype({dtype!r}) for a pandas "
        f"DataFrame, or a pyarrow cast to {dtype}"
    )
    if column != input_name:
        fix += f", and name it {input_name!r}"
    return fix + "."
