"""Run one benchmark cell in this process and print its result as JSON.

A cell is one engine scoring one model over one flights table with a given
number of threads, ``repeat`` times. The runner starts each cell in a fresh Python
process (``python -m benchmarks.cells SPEC``), so ``ru_maxrss`` at the end is
the peak resident memory of that cell alone.

Engines:

- ``predictemu_agg``: Session.run of a T-SQL script whose PREDICT feeds
  ``SELECT COUNT(*), SUM(p.output_label)``, with a streaming output.
- ``predictemu_into``: the same PREDICT into ``SELECT ... INTO`` a table.
- ``onnxruntime``: the model alone on numpy arrays already in memory, in
  65,536-row slices on a pool of threads: the limit the others are compared to.
- ``onnxruntime_1call``: the same arrays in one call with intra-op threads.
- ``pandas``: the table read into pandas, one ``session.run`` on it, and the
  scores written back to DuckDB.
- ``orbital``: the pipeline translated to SQL by orbital and run by DuckDB.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import onnxruntime as ort
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.prepare import DATABASE, INPUTS, MODEL_TABLE, flights_table, input_view

# Rows per onnxruntime call in the in-memory limit; the same as Session's
# default batch_rows, so both score the same batches.
BATCH_ROWS = 65_536

SCORES_TABLE = "dbo.bench_scores"


def peak_rss_bytes() -> int:
    """Return this process's peak resident set size in bytes.

    Linux keeps ``ru_maxrss`` across exec, so a child started by a large parent
    would report the parent's peak. VmHWM in /proc/self/status belongs to the
    current program only; ``ru_maxrss`` (KiB on Linux) is the fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def predict_script(model: str, rows: int, into: bool) -> str:
    """Return the T-SQL the wizard would write, feeding an aggregate or a table."""
    data = f"""WITH InputData AS
(
    SELECT flight_id,
        CAST([dep_delay] AS [real]) AS [dep_delay],
        CAST([distance] AS [real]) AS [distance],
        [hour], [carrier], [origin]
    FROM {flights_table(rows)}
)
"""
    model_query = f"SELECT [model] FROM {MODEL_TABLE} WHERE [ID] = '{model}'"
    predict = f"""FROM PREDICT (MODEL = ({model_query}),
              DATA = InputData AS d,
              RUNTIME = ONNX) WITH ([output_label] [bigint]) AS p"""
    if into:
        return (
            f"{data}SELECT d.flight_id, p.output_label INTO {SCORES_TABLE}\n{predict}"
        )
    return f"{data}SELECT COUNT(*) AS scored, SUM(p.output_label) AS late\n{predict}"


class AggregateOutput:
    """Output that stores the rows of each result set and the messages."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.results: list = []
        self.messages: list[str] = []

    def result(self, reader: pa.RecordBatchReader) -> int:
        table = reader.read_all()
        self.rows.extend(zip(*(c.to_pylist() for c in table.columns), strict=True))
        return table.num_rows

    def message(self, text: str) -> None:
        self.messages.append(text)


def run_predictemu(spec: dict, into: bool) -> dict:
    from predictemu.runner.session import Session

    database = Path(spec["work"]) / DATABASE
    script = predict_script(spec["model"], spec["rows"], into)
    warmup_seconds = warm_up_predictemu(database, spec["model"])
    seconds = []
    buffers = []
    label_sum = None
    messages: list[str] = []
    for _ in range(spec["repeat"]):
        with Session(database, threads=spec["threads"]) as session:
            session.con.execute(f"DROP TABLE IF EXISTS {SCORES_TABLE}")
            output = AggregateOutput()
            started = time.perf_counter()
            session.run(script, output=output)
            seconds.append(time.perf_counter() - started)
            buffers.append(duckdb_buffer_bytes(session.con))
            if into:
                [(scored, label_sum)] = session.con.execute(
                    f"SELECT count(*), sum(output_label) FROM {SCORES_TABLE}"
                ).fetchall()
                session.con.execute(f"DROP TABLE {SCORES_TABLE}")
            else:
                [(scored, label_sum)] = output.rows
            messages = output.messages
    # DuckDB sums BIGINT into HUGEINT, which reaches Python as a Decimal.
    return {
        "seconds": seconds,
        "scored": int(scored),
        "label_sum": int(label_sum),
        "messages": messages,
        "duckdb_buffer_bytes": max(buffers),
        "warmup_seconds": warmup_seconds,
        "interface": "Session.run with a streaming output",
    }


def warm_up_predictemu(database: Path, model: str) -> float:
    """Score 10 rows in a throwaway session and return how long it took.

    predictemu imports onnx and parts of sqlglot on the first PREDICT of a
    process, which took about 0.6 s on the benchmark machine. The timed runs
    start after this warm-up, so they measure throughput, not process start.
    The startup row of the report measures the cold start of ``predictemu
    run`` on its own.
    """
    from predictemu.runner.session import Session

    smallest = predict_script(model, 10, into=False).replace(
        f"FROM {flights_table(10)}", "FROM dbo.flights WHERE flight_id <= 10"
    )
    started = time.perf_counter()
    with Session(database, threads=1) as session:
        session.run(smallest, output=AggregateOutput())
    return time.perf_counter() - started


def duckdb_buffer_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """Return the memory DuckDB's buffer manager holds, table blocks included."""
    [(used,)] = con.execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()"
    ).fetchall()
    return int(used)


def _session(model_path: str, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(
        model_path, sess_options=options, providers=["CPUExecutionProvider"]
    )


def _numpy_feeds(table: pa.Table) -> dict[str, np.ndarray]:
    feeds = {}
    for name in INPUTS:
        column = table.column(name).combine_chunks()
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            encoded = pc.dictionary_encode(column)
            dictionary = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
            values = dictionary[encoded.indices.to_numpy()]
        else:
            values = column.to_numpy(zero_copy_only=False)
        feeds[name] = values.reshape(-1, 1)
    return feeds


def run_onnxruntime(spec: dict, one_call: bool) -> dict:
    """Time the model alone on numpy arrays already in memory.

    By default ``threads`` Python threads share one session with one intra-op
    thread and score 65,536-row slices, as predictemu does. With ``one_call``
    a session with ``threads`` intra-op threads scores all rows in one call,
    as a short script would.
    """
    database = Path(spec["work"]) / DATABASE
    con = duckdb.connect(str(database), read_only=True)
    table = con.sql(f"SELECT * FROM {input_view(spec['rows'])}").to_arrow_table()
    con.close()
    feeds = _numpy_feeds(table)
    del table
    rows = spec["rows"]
    names = ["output_label"]
    session = _session(spec["model_path"], spec["threads"] if one_call else 1)

    def score_slice(start: int) -> int:
        part = {k: v[start : start + BATCH_ROWS] for k, v in feeds.items()}
        return int(session.run(names, part)[0].sum())

    seconds = []
    for _ in range(spec["repeat"]):
        started = time.perf_counter()
        if one_call:
            label_sum = int(session.run(names, feeds)[0].sum())
        else:
            with ThreadPoolExecutor(spec["threads"]) as pool:
                label_sum = sum(pool.map(score_slice, range(0, rows, BATCH_ROWS)))
        seconds.append(time.perf_counter() - started)
    return {"seconds": seconds, "scored": rows, "label_sum": label_sum}


def run_pandas(spec: dict) -> dict:
    """Time the route a user writes by hand: DuckDB to pandas, score, write back."""
    database = Path(spec["work"]) / DATABASE
    session = _session(spec["model_path"], spec["threads"])
    query = f"SELECT flight_id, {', '.join(INPUTS)} FROM {flights_table(spec['rows'])}"
    dtypes = {
        "dep_delay": np.float32,
        "distance": np.float32,
        "hour": np.int64,
        "carrier": object,
        "origin": object,
    }
    import pandas  # noqa: F401  (imported before timing, as a user's script would)

    seconds = []
    label_sum = None
    for _ in range(spec["repeat"]):
        con = duckdb.connect(str(database))
        con.execute(f"DROP TABLE IF EXISTS {SCORES_TABLE}")
        started = time.perf_counter()
        frame = con.execute(query).df()
        feeds = {
            name: frame[name].to_numpy(dtype=dtype).reshape(-1, 1)
            for name, dtype in dtypes.items()
        }
        frame["output_label"] = session.run(["output_label"], feeds)[0]
        scores = frame[["flight_id", "output_label"]]
        con.execute(f"CREATE TABLE {SCORES_TABLE} AS SELECT * FROM scores")
        seconds.append(time.perf_counter() - started)
        label_sum = int(frame["output_label"].sum())
        con.execute(f"DROP TABLE {SCORES_TABLE}")
        con.close()
        del frame, feeds, scores
    return {"seconds": seconds, "scored": spec["rows"], "label_sum": label_sum}


def run_orbital(spec: dict) -> dict:
    """Time orbital's SQL for the pipeline, run by DuckDB into an aggregate."""
    sql = Path(spec["orbital_sql_path"]).read_text()
    database = Path(spec["work"]) / DATABASE
    con = duckdb.connect(str(database), read_only=True)
    con.execute(f"SET threads = {spec['threads']}")
    con.execute(
        f"CREATE TEMP VIEW bench_inputs AS SELECT * FROM {input_view(spec['rows'])}"
    )
    query = f"SELECT count(*), sum(output_label) FROM ({sql})"
    seconds = []
    for _ in range(spec["repeat"]):
        started = time.perf_counter()
        [(scored, label_sum)] = con.execute(query).fetchall()
        seconds.append(time.perf_counter() - started)
    con.close()
    return {"seconds": seconds, "scored": scored, "label_sum": int(label_sum)}


def run_cell(spec: dict) -> dict:
    """Run the cell ``spec`` describes and return its measurements."""
    baseline = peak_rss_bytes()
    engine = spec["engine"]
    if engine == "predictemu_agg":
        result = run_predictemu(spec, into=False)
    elif engine == "predictemu_into":
        result = run_predictemu(spec, into=True)
    elif engine == "onnxruntime":
        result = run_onnxruntime(spec, one_call=False)
    elif engine == "onnxruntime_1call":
        result = run_onnxruntime(spec, one_call=True)
    elif engine == "pandas":
        result = run_pandas(spec)
    elif engine == "orbital":
        result = run_orbital(spec)
    else:
        raise ValueError(
            f"invalid engine {engine!r}; expected predictemu_agg, predictemu_into, "
            "onnxruntime, onnxruntime_1call, pandas or orbital"
        )
    result["peak_rss_bytes"] = peak_rss_bytes()
    result["rss_after_imports_bytes"] = baseline
    return result


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    print(json.dumps(run_cell(spec)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
