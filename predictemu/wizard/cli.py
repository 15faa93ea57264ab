"""``predictemu wizard``: write a Synapse scoring procedure for a table and a model."""

from __future__ import annotations

import sys
from pathlib import Path

from predictemu.wizard.errors import WizardError


def add_wizard_parser(commands, add_session_options) -> None:
    """Register the wizard subcommand."""
    wizard = commands.add_parser(
        "wizard",
        help="write the scoring procedure Synapse Studio's wizard writes, for a "
        "table and an MLflow ONNX model",
        description=(
            "Map a table's columns onto an ONNX model's inputs, store the model in "
            "a model table, and write a stored procedure that scores the table "
            "with PREDICT. The mapping and the smoke test of the model's input "
            "example are printed on stderr; the script goes to stdout unless "
            "--out or --run is given."
        ),
    )
    wizard.add_argument(
        "--db", required=True, help="DuckDB database file that contains the table"
    )
    wizard.add_argument(
        "--table", required=True, help="table to score, as schema.name (schema dbo)"
    )
    wizard.add_argument(
        "--model",
        required=True,
        help="MLflow model directory (with MLmodel) or .onnx file; a bare .onnx "
        "file's graph input names stand in for the signature",
    )

    wizard.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=INPUT",
        help="feed model input INPUT from table column COLUMN; repeatable",
    )
    wizard.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="NAME=TYPE",
        help="declare model output NAME with SQL type TYPE, e.g. "
        "output_label=int; repeatable",
    )

    wizard.add_argument(
        "--model-table",
        default="dbo.aml_models",
        help="model table to store the model in, created when missing "
        "(default: dbo.aml_models)",
    )
    wizard.add_argument(
        "--model-name",
        help="model name in [ID] = 'name:version' (default: the MLflow "
        "directory name or the .onnx file's stem)",
    )
    wizard.add_argument(
        "--model-version",
        type=int,
        default=1,
        help="model version in [ID] (default: 1)",
    )
    wizard.add_argument(
        "--description", default="", help="text for the model table's [description]"
    )

    wizard.add_argument(
        "--procedure",
        help="name of the procedure (default: score_<table> in the table's schema)",
    )
    wizard.add_argument(
        "--template",
        choices=("cte", "temp-table"),
        default="cte",
        help="procedure shape: a CTE (default, the newer wizard) or a #temp table",
    )

    wizard.add_argument("--out", help="write the script to this .sql file")
    wizard.add_argument(
        "--run",
        action="store_true",
        help="run the script and print the first scored rows and the row count",
    )
    wizard.add_argument(
        "--show",
        type=int,
        default=10,
        help="with --run, how many scored rows to print (default: 10)",
    )
    add_session_options(wizard)
    wizard.set_defaults(handler=command_wizard)


def command_wizard(args) -> int:
    """Run the wizard from command-line options."""
    from predictemu.cli import open_session
    from predictemu.wizard.generate import WizardOptions, run_wizard

    if not Path(args.db).is_file():
        raise WizardError(
            f"Database file {args.db} not found. Load the table into it first, for "
            f"example with predictemu run --db {args.db} script.sql, or build the "
            f"flights example with predictemu demo --db {args.db}."
        )
    options = WizardOptions(
        table=args.table,
        model=args.model,
        template=args.template,
        procedure=args.procedure,
        model_table=args.model_table,
        model_name=args.model_name,
        model_version=args.model_version,
        description=args.description,
        column_map=parse_pairs(args.map, "--map", "COLUMN=INPUT"),
        output_types=parse_pairs(args.output, "--output", "NAME=TYPE"),
    )
    with open_session(args, args.db) as session:
        result = run_wizard(session, options, report=_report)
        if args.out:
            Path(args.out).write_text(result.script, encoding="utf-8")
            _report(f"Wrote {args.out}.")
        if args.run:
            _run_script(session, result.script, args.show)
        elif not args.out:
            sys.stdout.write(result.script)
    return 0


def parse_pairs(values: list[str], option: str, form: str) -> dict[str, str]:
    """Split ``left=right`` option values at the first ``=``.

    NOTE: a column name that contains ``=`` cannot be given to --map. The part
    after its first ``=`` is read as the input name, so the lookup fails with
    "the table has no column".
    """
    pairs: dict[str, str] = {}
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise WizardError(f"{option} {value!r} is not of the form {form}.")
        if left.strip() in pairs:
            raise WizardError(f"{option} gives '{left.strip()}' twice; give it once.")
        pairs[left.strip()] = right.strip()
    return pairs


def _run_script(session, script: str, show: int) -> None:
    from predictemu.demo import CountingOutput
    from predictemu.wizard.report import preview_table

    output = CountingOutput(keep=show)
    session.run(script, output=output)
    for message in output.messages:
        print(message, file=sys.stderr)
    if not output.results:
        raise WizardError("The script returned no result set.")
    print(preview_table(output.results[-1], limit=show))
    print(f"({output.rows:,} rows scored)")


def _report(text: str) -> None:
    print(text + "\n", file=sys.stderr, flush=True)
