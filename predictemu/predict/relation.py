"""Stream a PREDICT rowset into DuckDB as an Arrow record batch reader.

DuckDB's Python API has scalar UDFs but no table functions, so PREDICT is an
Arrow stream that DuckDB scans like a table. The DATA rows are read in batches
from a second cursor, scored by a small pool of threads (onnxruntime releases
the GIL while it runs) and yielded in input order. Memory is bounded by the
number of batches in flight, not by the size of the table.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from predictemu.predict.scoring import ScoringPlan, score_batch

logger = logging.getLogger(__name__)


class PredictStream:
    """The rowset of one PREDICT: WITH columns first, then the DATA columns."""

    def __init__(
        self,
        plan: ScoringPlan,
        data: pa.RecordBatchReader,
        threads: int = 2,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.plan = plan
        self.data = data
        self.threads = max(1, threads)
        self.progress = progress
        self.error: BaseException | None = None
        self.rows = 0
        self.seconds = 0.0
        fields = [
            pa.field(binding.column, binding.sql_type.arrow) for binding in plan.outputs
        ]
        fields.extend(data.schema)
        self.schema = pa.schema(fields)

    def reader(self) -> pa.RecordBatchReader:
        """Return the reader DuckDB scans; it can be read once."""
        return pa.RecordBatchReader.from_batches(self.schema, self._batches())

    def _score(self, batch: pa.RecordBatch, first_row: int) -> pa.RecordBatch:
        outputs = score_batch(self.plan, batch, first_row)
        return pa.RecordBatch.from_arrays(
            outputs + list(batch.columns), schema=self.schema
        )

    def _batches(self) -> Iterator[pa.RecordBatch]:
        started = time.perf_counter()
        in_flight = self.threads * 2
        lock = threading.Lock()
        try:
            with ThreadPoolExecutor(self.threads, "predictemu-score") as pool:
                pending: deque = deque()
                read = 0
                for batch in self.data:
                    if batch.num_rows == 0:
                        continue
                    pending.append(pool.submit(self._score, batch, read))
                    read += batch.num_rows
                    if len(pending) >= in_flight:
                        yield self._finish(pending.popleft().result(), lock)
                while pending:
                    yield self._finish(pending.popleft().result(), lock)
        except BaseException as err:
            # DuckDB replaces the exception with its own text; keep the original
            # so the runner can re-raise it with predictemu's message.
            self.error = err
            raise
        finally:
            self.seconds = time.perf_counter() - started
            self.data.close()

    def _finish(self, batch: pa.RecordBatch, lock: threading.Lock) -> pa.RecordBatch:
        with lock:
            self.rows += batch.num_rows
        if self.progress is not None:
            self.progress(batch.num_rows)
        return batch
