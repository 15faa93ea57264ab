"""The ``predictemu`` command line: run, demo, inspect and wizard."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

# Heavy modules (duckdb, pyarrow, onnxruntime) are imported inside the commands,
# so `predictemu --help` and short scripts start quickly.

EXIT_ERROR = 1
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from predictemu.errors import PredictEmuError, TsqlError

    try:
        return args.handler(args)
    except TsqlError as err:
        print(str(err), file=sys.stderr)
        return EXIT_ERROR
    except PredictEmuError as err:
        print(f"predictemu: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("predictemu: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout (head, say) closed it; stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="predictemu",
        description=(
            "Run Azure Synapse T-SQL scoring scripts with PREDICT locally, on DuckDB "
            "and onnxruntime."
        ),
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a T-SQL script against a DuckDB file")
    run.add_argument("script", help="T-SQL script file, or - for standard input")
    run.add_argument(
        "--db",
        default=":memory:",
        help="DuckDB database file, created when missing (default: in memory)",
    )
    run.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="how result sets are printed on stdout (default: table)",
    )
    add_session_options(run)
    run.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="@NAME=VALUE",
        help="predeclare a variable for every batch, as nvarchar; repeatable",
    )
    run.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="@NAME=PATH",
        help="predeclare a varbinary(max) variable holding a file's bytes, for "
        "example @model=model.onnx; repeatable",
    )
    run.set_defaults(handler=command_run)

    demo = commands.add_parser(
        "demo", help="build the bundled flights example and score it end to end"
    )
    demo.add_argument(
        "--db",
        default="predictemu-demo.duckdb",
        help="DuckDB file to build the example in (default: predictemu-demo.duckdb)",
    )
    add_session_options(demo)
    demo.set_defaults(handler=command_demo)

    from predictemu.inspect_cli import add_inspect_parser

    add_inspect_parser(commands, add_session_options)

    try:
        from predictemu.wizard.cli import add_wizard_parser
    except ImportError:
        add_wizard_parser = None
    if add_wizard_parser is not None:
        add_wizard_parser(commands, add_session_options)
    return parser


def add_session_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that configure a Session."""
    parser.add_argument(
        "--target",
        choices=("synapse", "sqledge"),
        default="synapse",
        help="T-SQL rules to follow: a Synapse dedicated SQL pool (default) or SQL "
        "Edge / SQL Server",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="onnxruntime scoring threads (default: the number of CPUs)",
    )
    parser.add_argument(
        "--nulls",
        choices=("error", "null"),
        default="error",
        help="PREDICT with NULL in an integer or string input: stop with an error "
        "(default) or return NULL predictions for those rows",
    )
    parser.add_argument(
        "--memory-limit",
        default=None,
        metavar="SIZE",
        help="DuckDB's memory limit, such as 1GB (default: DuckDB's, 80%% of RAM); "
        "DuckDB keeps table blocks it has read in memory up to this limit",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="never show a progress bar for PREDICT",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")


def open_session(args: argparse.Namespace, database: str):
    """Open a Session configured from the command-line options."""
    from predictemu.runner.session import Session

    progress = None if args.no_progress else progress_bar_factory()
    return Session(
        database,
        target=args.target,
        threads=args.threads,
        null_policy=args.nulls,
        progress=progress,
        memory_limit=args.memory_limit,
    )


def progress_bar_factory():
    """Return a factory of tqdm progress bars on stderr, or None off a terminal."""
    if not sys.stderr.isatty():
        return None

    def factory(total: int | None):
        from tqdm import tqdm

        return tqdm(
            total=total, unit=" rows", unit_scale=True, desc="PREDICT", leave=False
        )

    return factory


def command_run(args: argparse.Namespace) -> int:
    """Run a T-SQL script and print its result sets."""
    from predictemu.errors import PredictEmuError

    if args.script == "-":
        script = sys.stdin.read()
    else:
        path = Path(args.script)
        if not path.exists():
            raise PredictEmuError(f"Script {path} not found.")
        if path.is_dir():
            raise PredictEmuError(f"Script {path} is a directory; name a .sql file.")
        # Reading rather than checking is_file() also accepts /dev/stdin and pipes.
        script = path.read_text(encoding="utf-8-sig")
    variables = parse_variables(args.var, args.var_file)
    output = StreamOutput(args.format, sys.stdout, sys.stderr)
    with open_session(args, args.db) as session:
        try:
            session.run(script, output=output, variables=variables)
        finally:
            output.finish()
    return 0


def parse_variables(values: list[str], files: list[str]) -> dict[str, Any]:
    """Turn ``--var`` and ``--var-file`` options into a variables dict."""
    from predictemu.errors import PredictEmuError

    variables: dict[str, Any] = {}
    for option, entries in (("--var", values), ("--var-file", files)):
        for entry in entries:
            name, sep, value = entry.partition("=")
            if not sep or not name.startswith("@") or len(name) < 2:
                raise PredictEmuError(
                    f"{option} {entry!r} is not of the form @name=value."
                )
            if option == "--var-file":
                path = Path(value)
                if not path.is_file():
                    raise PredictEmuError(f"{option} {name}: file {path} not found.")
                variables[name] = path.read_bytes()
            else:
                variables[name] = value
    return variables


class StreamOutput:
    """Prints result sets to stdout as they stream and messages to stderr."""

    def __init__(self, fmt: str, out: TextIO, err: TextIO) -> None:
        self.format = fmt
        self.out = out
        self.err = err
        self.count = 0
        self.results: list = []
        self.messages: list[str] = []

    def result(self, reader) -> int:
        """Print one result set and return its row count."""
        from predictemu.runner.output import sql_types_of

        columns = reader.schema.names
        types = sql_types_of(reader.schema)
        self.count += 1
        if self.format == "json":
            return self._json(reader, columns, types)
        if self.format == "csv":
            return self._csv(reader, columns)
        return self._table(reader, columns)

    def message(self, text: str) -> None:
        """Print a message (PRINT output, row counts, notices) on stderr."""
        self.messages.append(text)
        print(text, file=self.err, flush=True)

    def finish(self) -> None:
        """Close the JSON list, if one was started."""
        if self.format == "json":
            if self.count == 0:
                self.out.write("[")
            self.out.write("]\n")
        self.out.flush()

    def _json(self, reader, columns: list[str], types: list[str]) -> int:
        self.out.write("[" if self.count == 1 else ",")
        header = json.dumps({"columns": columns, "types": types})[:-1]
        self.out.write(f'\n{header}, "rows": [')
        rows = 0
        for batch in reader:
            for row in _rows(batch):
                prefix = "" if rows == 0 else ","
                text = json.dumps(_json_row(row), default=_json_value)
                self.out.write(prefix + "\n  " + text)
                rows += 1
        self.out.write("]}")
        return rows

    def _csv(self, reader, columns: list[str]) -> int:
        if self.count > 1:
            self.out.write("\n")
        writer = csv.writer(self.out, lineterminator="\n")
        writer.writerow(columns)
        rows = 0
        for batch in reader:
            for row in _rows(batch):
                writer.writerow(_csv_value(v) for v in row)
                rows += 1
        return rows

    def _table(self, reader, columns: list[str]) -> int:
        rows = 0
        widths: list[int] | None = None
        for batch in reader:
            texts = [[_cell(v) for v in row] for row in _rows(batch)]
            if widths is None:
                widths = [
                    max([len(c)] + [len(r[i]) for r in texts[:1000]])
                    for i, c in enumerate(columns)
                ]
                widths = [min(w, 60) for w in widths]
                self._table_header(columns, widths)
            for row in texts:
                cells = [
                    _fit(cell, width) for cell, width in zip(row, widths, strict=True)
                ]
                self.out.write(" ".join(cells).rstrip() + "\n")
            rows += len(texts)
        if widths is None:
            self._table_header(columns, [len(c) for c in columns])
        self.out.write("\n")
        return rows

    def _table_header(self, columns: list[str], widths: list[int]) -> None:
        if self.count > 1:
            self.out.write("\n")
        self.out.write(
            " ".join(_fit(c, w) for c, w in zip(columns, widths, strict=True)).rstrip()
            + "\n"
        )
        self.out.write(" ".join("-" * w for w in widths) + "\n")


def _rows(batch) -> list[tuple]:
    columns = [_column_values(column) for column in batch.columns]
    return list(zip(*columns, strict=True))


def _column_values(column) -> list:
    import pyarrow as pa

    if pa.types.is_float32(column.type):
        # Print a real with the digits float32 keeps (0.05, not 0.0500000007...).
        import numpy as np

        return [
            None if v is None else float(str(np.float32(v))) for v in column.to_pylist()
        ]
    if pa.types.is_decimal(column.type):
        return [None if v is None else _DecimalText(v) for v in column.to_pylist()]
    return column.to_pylist()


class _DecimalText(float):
    """A decimal printed with all its scale digits and no exponent (0.00, not 0E-2)."""

    def __new__(cls, value):
        instance = super().__new__(cls, value)
        instance.text = format(value, "f")
        return instance

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        text = "0x" + value.hex().upper()
        return text if len(text) <= 40 else text[:37] + "..."
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _fit(text: str, width: int) -> str:
    if len(text) > width:
        return text[: width - 3] + "..."
    return text.ljust(width)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex().upper()
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex().upper()
    return str(value)


def _json_row(row: tuple) -> list:
    # JSON has no NaN or infinity, so such floats are written as null.
    return [
        None if isinstance(v, float) and (v != v or v in (_INF, -_INF)) else v
        for v in row
    ]


_INF = float("inf")


def command_demo(args: argparse.Namespace) -> int:
    """Build and score the bundled flights example."""
    from predictemu.demo import run_demo

    return run_demo(args, open_session)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"predictemu {version('predictemu')}"
    except PackageNotFoundError:
        return "predictemu (not installed)"


if __name__ == "__main__":
    sys.exit(main())
