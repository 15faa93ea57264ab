"""Run the wizard's steps: validate, map, smoke-test, store the model, write.

Nothing is stored or written until the model, the mapping and the outputs have
been checked and the input example (when the model has one) has been scored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from predictemu.errors import PredictEmuError
from predictemu.model_table import store_model
from predictemu.runner.output import ResultSet
from predictemu.wizard.errors import WizardError
from predictemu.wizard.mapping import map_columns, read_table_columns
from predictemu.wizard.names import ObjectName
from predictemu.wizard.outputs import SkippedOutput, choose_outputs
from predictemu.wizard.report import mapping_table, outputs_table, preview_table
from predictemu.wizard.signature import WizardModel, read_model
from predictemu.wizard.smoke import example_rows, score_example
from predictemu.wizard.templates import TEMPLATES, ProcedureSpec, render_script

logger = logging.getLogger(__name__)

DEFAULT_MODEL_TABLE = "dbo.aml_models"

# The columns store_model writes; an existing model table must have them all.
MODEL_TABLE_COLUMNS = (
    "ID",
    "name",
    "description",
    "version",
    "created_time",
    "created_by",
    "framework",
    "model",
    "inputs_schema",
    "outputs_schema",
)


@dataclass
class WizardOptions:
    """The choices the wizard's pages ask for; only table and model are required."""

    table: str
    model: str | Path
    template: str = "cte"
    procedure: str | None = None
    model_table: str = DEFAULT_MODEL_TABLE
    model_name: str | None = None
    model_version: int = 1
    description: str = ""
    column_map: dict[str, str] = field(default_factory=dict)
    output_types: dict[str, str] = field(default_factory=dict)


@dataclass
class WizardResult:
    """The generated script and what the wizard checked and stored on the way."""

    script: str
    spec: ProcedureSpec
    model: WizardModel
    skipped: list[SkippedOutput]
    example_scores: ResultSet | None
    model_table_created: bool
    model_replaced: bool


def run_wizard(
    session, options: WizardOptions, report: Callable[[str], None] = logger.info
) -> WizardResult:
    """Check and map the model, store it and return the scoring script.

    ``report`` receives the mapping table, the outputs and the smoke-test
    result as text, each before the next step runs.
    """
    if options.template not in TEMPLATES:
        raise WizardError(
            f"Unknown template {options.template!r}; choose one of: "
            f"{', '.join(TEMPLATES)}."
        )
    if options.model_version < 1:
        raise WizardError(
            f"--model-version {options.model_version} is invalid; versions start at 1."
        )
    table = ObjectName.parse(options.table, "--table")
    model_table = ObjectName.parse(options.model_table, "--model-table")
    procedure = (
        ObjectName.parse(options.procedure, "--procedure")
        if options.procedure
        else ObjectName(table.schema, f"score_{table.name}")
    )

    model = read_model(options.model)
    name = options.model_name or model.default_name
    if not name.strip():
        raise WizardError("--model-name is empty; give the model a name.")
    columns = read_table_columns(session, table)
    mappings = map_columns(columns, model.inputs, options.column_map)
    report(
        f"Columns of {table} mapped onto the model inputs "
        f"(from the {model.signature_source}):\n{mapping_table(mappings)}"
    )
    outputs, skipped = choose_outputs(model, options.output_types)
    report(f"Outputs declared in WITH:\n{outputs_table(outputs, skipped)}")

    example_scores = None
    if model.input_example is not None:
        example_scores = _smoke_test(session, model, outputs)
        report(
            f"Smoke test: the input example ({example_scores.table.num_rows} rows) "
            f"scored with PREDICT:\n{preview_table(example_scores.table)}"
        )
    else:
        report("Smoke test skipped: the model has no input example.")

    created = not _model_table_exists(session, model_table)
    model_id = f"{name}:{options.model_version}"
    replaced = not created and _model_row_exists(session, model_table, model_id)
    store_model(
        session,
        model_table.quoted,
        name,
        options.model_version,
        model.model_bytes,
        info=model.info,
        description=options.description,
    )
    action = "Created" if created else "Used existing"
    row = "replaced the row" if replaced else "stored the row"
    report(f"{action} model table {model_table}; {row} [ID] = '{model_id}'.")

    spec = ProcedureSpec(
        template=options.template,
        procedure=procedure,
        table=table,
        model_table=model_table,
        model_id=model_id,
        mappings=mappings,
        outputs=outputs,
    )
    return WizardResult(
        script=render_script(spec),
        spec=spec,
        model=model,
        skipped=skipped,
        example_scores=example_scores,
        model_table_created=created,
        model_replaced=replaced,
    )


def _smoke_test(session, model: WizardModel, outputs) -> ResultSet:
    rows = example_rows(model.input_example, model.inputs)
    try:
        return score_example(session, model.model_bytes, model.inputs, outputs, rows)
    except PredictEmuError as err:
        raise WizardError(
            f"Smoke test failed: PREDICT could not score the model's input example, "
            f"so the procedure would fail too. {err}"
        ) from err


def _model_table_exists(session, model_table: ObjectName) -> bool:
    located = session.qualify(model_table.table)
    columns = session.table_columns(located)
    if columns is None:
        return False
    missing = [name for name in MODEL_TABLE_COLUMNS if name.lower() not in columns]
    if missing:
        names = ", ".join(f"[{name}]" for name in missing)
        raise WizardError(
            f"Model table {model_table} exists but is not a wizard model table: it "
            f"lacks the columns {names}. Pass --model-table with a new table name (the "
            "wizard creates it) or an existing wizard model table."
        )
    return True


def _model_row_exists(session, model_table: ObjectName, model_id: str) -> bool:
    result = session.run(
        f"SELECT COUNT(*) AS n FROM {model_table.quoted} WHERE [ID] = @id",
        variables={"@id": model_id},
    )
    return result.results[-1].rows()[0][0] > 0
