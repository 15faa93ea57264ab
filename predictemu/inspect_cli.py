"""``predictemu inspect``: show a model's inputs and outputs, and dry-run a binding."""

from __future__ import annotations


def add_inspect_parser(commands, add_session_options) -> None:
    """Register the inspect subcommand."""
    inspect = commands.add_parser(
        "inspect", help="show a model's inputs, outputs and the SQL types PREDICT needs"
    )
    inspect.add_argument(
        "model",
        nargs="?",
        help="an .onnx file or an MLflow model directory (or use --model-table)",
    )
    inspect.add_argument("--db", help="DuckDB file with the table or model table")
    inspect.add_argument("--table", help="dry-run the binding against this table")
    inspect.add_argument("--model-table", help="read the model from this table")
    inspect.add_argument("--model-id", help="the [ID] of the model row, e.g. 'name:1'")
    add_session_options(inspect)
    inspect.set_defaults(handler=command_inspect)


def command_inspect(args) -> int:
    """Print the model report and, with --table, the binding dry run."""
    from predictemu.inspection import inspect_command

    return inspect_command(args)
