"""Score Arrow record batches with onnxruntime and convert the outputs.

Inputs are converted from Arrow without copying where the types allow it.
Strings go through a dictionary encoding, so each distinct value becomes a
Python string once per batch. Outputs are converted to the WITH column's SQL
type with T-SQL CAST's rules: truncation toward zero for integers, rounding for
numeric, overflow errors, and silent truncation of strings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from predictemu.errors import PredictError, TsqlError
from predictemu.predict.binding import InputBinding, OutputBinding
from predictemu.predict.model import LoadedModel
from predictemu.sqltypes import INTEGER_RANGES, STRING_TYPES, SqlType

logger = logging.getLogger(__name__)

# How many rows the fixed-batch probe scores both row by row and as one batch.
PROBE_ROWS = 64

_NUMPY_TYPES = {
    "float": np.float32,
    "double": np.float64,
    "int64": np.int64,
    "int32": np.int32,
}


@dataclass
class ScoringPlan:
    """Everything needed to score one PREDICT: model, bindings and options."""

    model: LoadedModel
    inputs: list[InputBinding]
    outputs: list[OutputBinding]
    null_policy: str = "error"
    notify: Callable[[str], None] = field(default=lambda message: None)
    nan_counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note_nan(self, column: str, count: int) -> None:
        """Count NaN outputs returned as NULL; the first one gets a notice."""
        with self._lock:
            first = column not in self.nan_counts
            self.nan_counts[column] = self.nan_counts.get(column, 0) + count
        if first:
            self.notify(
                f"Model output for WITH column [{column}] was NaN for some rows "
                "(often because a NULL input was fed as NaN); T-SQL float and real "
                "cannot hold NaN, so those rows get NULL."
            )

    @property
    def output_names(self) -> list[str]:
        """Return the names of the graph outputs to compute."""
        return [binding.spec.name for binding in self.outputs]


def score_batch(
    plan: ScoringPlan, batch: pa.RecordBatch, first_row: int = 0
) -> list[pa.Array]:
    """Score one batch and return one Arrow array per WITH column.

    ``first_row`` is the position of the batch's first row among all DATA rows,
    counted from 0, so that errors can name the row.
    """
    rows = batch.num_rows
    feeds, skip = _feeds(plan, batch, first_row)
    if skip is not None:
        keep = ~skip
        if not keep.any():
            return [pa.nulls(rows, b.sql_type.arrow) for b in plan.outputs]
        feeds = {name: values[keep] for name, values in feeds.items()}
    scored_rows = next(iter(feeds.values())).shape[0] if feeds else rows
    raw = _run(plan, feeds, scored_rows)
    arrays = []
    for binding, values in zip(plan.outputs, raw, strict=True):
        values = np.asarray(values).reshape(-1)
        nan = np.isnan(values) if values.dtype.kind == "f" else None
        if nan is not None and nan.any():
            # T-SQL float and real cannot hold NaN, so NaN outputs become NULL.
            plan.note_nan(binding.column, int(nan.sum()))
            array = convert_output(np.where(nan, 0, values), binding)
            array = pc.if_else(pa.array(nan), pa.nulls(len(array), array.type), array)
        else:
            array = convert_output(values, binding)
        if skip is not None:
            array = _spread(array, skip)
        arrays.append(array)
    return arrays


def _feeds(
    plan: ScoringPlan, batch: pa.RecordBatch, first_row: int
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    feeds = {}
    skip = None
    for binding in plan.inputs:
        column = batch.column(binding.index)
        spec = binding.spec
        if spec.element_type == "string":
            values, nulls = _string_values(column)
        else:
            values, nulls = _numeric_values(column, spec.element_type)
        if nulls is not None:
            if plan.null_policy == "null":
                skip = nulls if skip is None else (skip | nulls)
            else:
                first = first_row + int(np.flatnonzero(nulls)[0])
                raise PredictError(
                    f"DATA column [{binding.column}] contains NULL (first in DATA row "
                    f"{first + 1}) and feeds the {spec.description} input "
                    f"'{spec.name}', which has no NULL. Filter or replace the NULLs "
                    f"in the DATA query (ISNULL([{binding.column}], ...)), or run "
                    "with the null policy 'null' to return NULL predictions for such "
                    "rows."
                )
        shape = (-1, 1) if spec.shape is None or len(spec.shape) == 2 else (-1,)
        feeds[spec.name] = values.reshape(shape)
    return feeds, skip


def _numeric_values(
    column: pa.Array, element_type: str
) -> tuple[np.ndarray, np.ndarray | None]:
    dtype = _NUMPY_TYPES[element_type]
    floating = element_type in ("float", "double")
    nulls = None
    if column.null_count:
        if floating:
            # NULL in a real or float column becomes NaN, which imputers handle.
            column = pc.fill_null(column, float("nan"))
        else:
            nulls = np.asarray(column.is_null())
            column = pc.fill_null(column, 0)
    values = column.to_numpy(zero_copy_only=False)
    if values.dtype != dtype:
        values = values.astype(dtype)
    return values, nulls


def _string_values(column: pa.Array) -> tuple[np.ndarray, np.ndarray | None]:
    nulls = np.asarray(column.is_null()) if column.null_count else None
    if not pa.types.is_dictionary(column.type):
        if pa.types.is_string_view(column.type):
            column = column.cast(pa.string())
        column = pc.dictionary_encode(column)
    dictionary = np.asarray(column.dictionary.to_pylist() or [""], dtype=object)
    indices = column.indices
    if indices.null_count:
        indices = pc.fill_null(indices, 0)
    return dictionary[indices.to_numpy(zero_copy_only=False)], nulls


def _spread(array: pa.Array, skip: np.ndarray) -> pa.Array:
    """Place ``array`` at the rows not skipped; skipped rows become NULL."""
    positions = np.cumsum(~skip) - 1
    taken = array.take(pa.array(np.where(skip, 0, positions)))
    return pc.if_else(pa.array(skip), pa.nulls(len(skip), array.type), taken)


def _run(plan: ScoringPlan, feeds: dict[str, np.ndarray], rows: int) -> list:
    model = plan.model
    names = plan.output_names
    if not model.fixed_batch:
        return model.session().run(names, feeds)
    if model.batched_verified is None:
        batched = _probe_batched(plan, feeds, rows)
        model.batched_verified = batched is not None
        if batched is not None:
            return batched
    if model.batched_verified:
        return model.session(batched=True).run(names, feeds)
    return _run_row_by_row(plan, feeds, rows)


def _run_row_by_row(plan: ScoringPlan, feeds: dict[str, np.ndarray], rows: int) -> list:
    session = plan.model.session()
    names = plan.output_names
    parts: list[list[np.ndarray]] = [[] for _ in names]
    for row in range(rows):
        single = {name: values[row : row + 1] for name, values in feeds.items()}
        for part, result in zip(parts, session.run(names, single), strict=True):
            part.append(np.asarray(result).reshape(-1))
    return [np.concatenate(part) if part else np.empty(0) for part in parts]


def _probe_batched(
    plan: ScoringPlan, feeds: dict[str, np.ndarray], rows: int
) -> list | None:
    """Score the first batch in one call and check it row by row on a sample.

    The sample is spread over the whole batch, and the batched results come
    from the whole batch, so a graph that mixes rows (a mean over the batch,
    say) shows up as a difference. Returns the batched results when the
    sample matches exactly, else None.

    NOTE: this is a check on one batch, not a proof. A graph whose rows mix
    only for data that appears after the first batch would pass.
    """
    model = plan.model
    if model.batched_bytes is None:
        plan.notify(_fixed_batch_notice(model, batched=False))
        return None
    try:
        batched = model.session(batched=True).run(plan.output_names, feeds)
    except Exception as err:  # onnxruntime raises its own exception classes
        logger.info("batched form of a fixed-batch model failed: %s", err)
        plan.notify(_fixed_batch_notice(model, batched=False))
        return None
    positions = np.unique(np.linspace(0, rows - 1, min(rows, PROBE_ROWS)).astype(int))
    sample = {name: values[positions] for name, values in feeds.items()}
    single = _run_row_by_row(plan, sample, len(positions))
    same = True
    for whole, one_by_one in zip(batched, single, strict=True):
        whole = np.asarray(whole).reshape(-1)
        one_by_one = np.asarray(one_by_one).reshape(-1)
        if whole.shape[0] != rows or not np.array_equal(
            whole[positions], one_by_one, equal_nan=whole.dtype.kind == "f"
        ):
            same = False
    plan.notify(
        _fixed_batch_notice(
            model, batched=same, sample=len(positions), mixes_rows=not same
        )
    )
    return batched if same else None


def _fixed_batch_notice(
    model: LoadedModel, batched: bool, sample: int = 0, mixes_rows: bool = False
) -> str:
    if batched:
        return (
            "The model's inputs are fixed at batch size 1; predictemu scores it in "
            f"batches after checking on {sample} rows of the first batch that "
            "batched and row-by-row results are identical."
        )
    if mixes_rows:
        return (
            "The model's inputs are fixed at batch size 1, and in a batch its rows "
            f"give other results than one by one (checked on {sample} rows); "
            "predictemu scores it one row at a time, which is slow."
        )
    return (
        "The model's inputs are fixed at batch size 1 and its graph does not accept "
        "larger batches; predictemu scores it one row at a time, which is slow."
    )


def convert_output(values: np.ndarray, binding: OutputBinding) -> pa.Array:
    """Convert raw output values to the WITH column's type as T-SQL CAST does."""
    target = binding.sql_type
    name = target.name
    try:
        if name in INTEGER_RANGES:
            return _to_integer(values, target)
        if name == "real":
            return _to_float(values, np.float32, target)
        if name == "float":
            return _to_float(values, np.float64, target)
        if name in ("decimal", "numeric", "money", "smallmoney"):
            return _to_decimal(values, target)
        if name == "bit":
            return pa.array(_numeric(values, target) != 0)
        if name in STRING_TYPES:
            return _to_string(values, target)
    except TsqlError as err:
        err.message = f"{err.message} (WITH column [{binding.column}])"
        err.args = (err.message,)
        raise
    raise PredictError(
        f"WITH column [{binding.column}] has type {target}, which PREDICT cannot "
        "fill; use int, bigint, real, float, numeric(p,s), bit or varchar(n)."
    )


def _numeric(values: np.ndarray, target: SqlType) -> np.ndarray:
    if values.dtype.kind in "fiub":
        return values
    try:
        return values.astype(np.float64)
    except ValueError as err:
        raise TsqlError(
            f"Conversion failed when converting the varchar value to data type "
            f"{target}: {err}",
            number=245,
        ) from err


def _overflow(source: str, target: SqlType) -> TsqlError:
    return TsqlError(
        f"Arithmetic overflow error converting {source} to data type {target}.",
        number=8115,
    )


def _to_integer(values: np.ndarray, target: SqlType) -> pa.Array:
    values = _numeric(values, target)
    low, high = INTEGER_RANGES[target.name]
    if values.dtype.kind == "f":
        if not np.isfinite(values).all():
            raise _overflow("float", target)
        # CAST from float to an integer type truncates toward zero.
        values = np.trunc(values)
        source = "expression" if values.dtype == np.float32 else "float"
        if values.size and (values.min() < low or values.max() > high):
            raise _overflow(source, target)
    elif values.size and (values.min() < low or values.max() > high):
        raise _overflow("expression", target)
    return pa.array(values.astype(target.arrow.to_pandas_dtype()))


def _to_float(values: np.ndarray, dtype, target: SqlType) -> pa.Array:
    values = _numeric(values, target)
    converted = values.astype(dtype)
    if dtype == np.float32 and values.dtype.kind == "f":
        overflowed = np.isinf(converted) & np.isfinite(values)
        if overflowed.any():
            raise _overflow("float", target)
    return pa.array(converted)


def _to_decimal(values: np.ndarray, target: SqlType) -> pa.Array:
    values = _numeric(values, target).astype(np.float64)
    precision = target.precision or 19
    scale = target.scale if target.scale is not None else 4
    if not np.isfinite(values).all():
        raise _overflow("float", target)
    # numeric(p,s) rounds half away from zero at s digits.
    factor = 10.0**scale
    rounded = np.sign(values) * np.floor(np.abs(values) * factor + 0.5) / factor
    if rounded.size and np.abs(rounded).max() >= 10.0 ** (precision - scale):
        raise _overflow("float", target)
    arrow_type = pa.decimal128(precision, scale)
    return pc.cast(pa.array(rounded), arrow_type, safe=False)


def _to_string(values: np.ndarray, target: SqlType) -> pa.Array:
    if values.dtype.kind in "iub":
        strings = pa.array(values).cast(pa.string())
    elif values.dtype.kind == "f":
        strings = pa.array([_float_text(v) for v in values], pa.string())
    else:
        # CAST of a string to a shorter varchar keeps the first n characters.
        strings = pa.array(values.astype(str), pa.string())
        if target.length:
            strings = pc.utf8_slice_codeunits(strings, 0, target.length)
        return strings
    if target.length and len(strings):
        too_long = pc.greater(pc.utf8_length(strings), target.length)
        if pc.any(too_long).as_py():
            if values.dtype.kind in "iub":
                # An integer that does not fit becomes '*', as CAST(int AS varchar(n)).
                return pc.if_else(too_long, "*", strings)
            # NOTE: a float that does not fit raises Msg 8115 here; SQL Server's
            # documentation does not state what CAST(float AS varchar(n)) does.
            raise _overflow("float", target)
    return strings


def _float_text(value: float) -> str:
    # CAST(float AS varchar) writes up to 6 significant digits, like %g.
    return f"{value:g}"
