"""Map table columns onto model inputs, as the wizard's mapping grid does.

Inputs are matched in passes, so a weaker match never takes a column that a
stronger one needs. The passes are ``--map`` overrides, exact names, names that
differ only in case, and names equal after normalising (case, ``_``, ``-`` and
spaces removed). The last pass takes the most similar normalised name, with a
difflib ratio of at least ``SIMILARITY_CUTOFF``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from predictemu.sqltypes import INTEGER_RANGES, STRING_TYPES, SqlType
from predictemu.wizard.errors import WizardError
from predictemu.wizard.names import ObjectName
from predictemu.wizard.signature import SignatureColumn

SIMILARITY_CUTOFF = 0.8

NUMERIC_TYPES = set(INTEGER_RANGES) | {
    "decimal",
    "numeric",
    "money",
    "smallmoney",
    "bit",
    "real",
    "float",
}
# Column types that CAST turns into text the model can use.
TEXT_SOURCE_TYPES = (
    NUMERIC_TYPES
    | STRING_TYPES
    | {
        "date",
        "datetime",
        "datetime2",
        "smalldatetime",
        "datetimeoffset",
        "time",
        "uniqueidentifier",
    }
)


@dataclass(frozen=True)
class TableColumn:
    """A column of the table to score."""

    name: str
    sql_type: SqlType


@dataclass(frozen=True)
class ColumnMapping:
    """A table column feeding one model input, and how the two were matched."""

    column: TableColumn
    input: SignatureColumn
    matched_by: str

    @property
    def needs_cast(self) -> bool:
        """Tell whether the column's type differs from the one PREDICT binds.

        PREDICT feeds char, varchar and nvarchar columns alike to a
        tensor(string) input, so a string column is never cast.
        """
        if self.input.sql_type == "varchar":
            return self.column.sql_type.name not in STRING_TYPES
        return self.column.sql_type.name != self.input.sql_type

    @property
    def renamed(self) -> bool:
        """Tell whether the SELECT list must alias the column to the input name."""
        return self.column.name != self.input.name


def read_table_columns(session, table: ObjectName) -> list[TableColumn]:
    """Return the table's columns in order, with their names as created."""
    located = session.qualify(table.table)
    types = session.table_columns(located)
    if types is None:
        raise WizardError(
            f"Table {table} not found in {session.database}. Tables there: "
            f"{_list_tables(session)}. Load the table first, or pass --table "
            "schema.name."
        )
    names = session.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE lower(schema_name) = "
        "lower(?) AND lower(table_name) = lower(?) ORDER BY column_index",
        [located.db, located.name],
    ).fetchall()
    return [TableColumn(name, types[name.lower()]) for (name,) in names]


def _list_tables(session) -> str:
    rows = session.con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND NOT internal "
        "ORDER BY schema_name, table_name"
    ).fetchall()
    return ", ".join(f"{schema}.{name}" for schema, name in rows) or "none"


def normalise(name: str) -> str:
    """Lower-case a name and drop ``_``, ``-`` and whitespace."""
    return re.sub(r"[_\-\s]", "", name.lower())


def similarity(left: str, right: str) -> float:
    """Return difflib's ratio between two normalised names."""
    return difflib.SequenceMatcher(None, normalise(left), normalise(right)).ratio()


def map_columns(
    columns: list[TableColumn],
    inputs: list[SignatureColumn],
    overrides: dict[str, str] | None = None,
) -> list[ColumnMapping]:
    """Map every model input to a table column; raise if one has none."""
    found: dict[str, ColumnMapping] = {}
    used: set[str] = set()
    for column_name, input_name in (overrides or {}).items():
        column = _find_column(columns, column_name, input_name)
        spec = _find_input(inputs, input_name, column_name)
        if spec.name in found:
            raise WizardError(
                f"--map maps model input '{spec.name}' twice; map each input once."
            )
        found[spec.name] = ColumnMapping(column, spec, "--map")
        used.add(column.name)

    passes = (
        ("exact name", lambda c, i: c == i),
        ("case-insensitive", lambda c, i: c.lower() == i.lower()),
        ("normalised name", lambda c, i: normalise(c) == normalise(i)),
    )
    for label, matches in passes:
        for spec in inputs:
            if spec.name in found:
                continue
            for column in columns:
                if column.name not in used and matches(column.name, spec.name):
                    found[spec.name] = ColumnMapping(column, spec, label)
                    used.add(column.name)
                    break
    _match_similar(columns, inputs, found, used)

    missing = [spec for spec in inputs if spec.name not in found]
    if missing:
        raise WizardError(_missing_message(missing, columns, used))
    mappings = [found[spec.name] for spec in inputs]
    for mapping in mappings:
        _check_castable(mapping)
    return mappings


def _match_similar(
    columns: list[TableColumn],
    inputs: list[SignatureColumn],
    found: dict[str, ColumnMapping],
    used: set[str],
) -> None:
    # Assign the highest-scoring pairs first, so each column goes to the input it
    # fits best.
    pairs = []
    for spec_index, spec in enumerate(inputs):
        if spec.name in found:
            continue
        for column_index, column in enumerate(columns):
            if column.name in used:
                continue
            score = similarity(column.name, spec.name)
            if score >= SIMILARITY_CUTOFF:
                pairs.append((-score, spec_index, column_index))
    for negative_score, spec_index, column_index in sorted(pairs):
        spec, column = inputs[spec_index], columns[column_index]
        if spec.name in found or column.name in used:
            continue
        label = f"similar name ({-negative_score:.2f})"
        found[spec.name] = ColumnMapping(column, spec, label)
        used.add(column.name)


def _find_column(columns: list[TableColumn], name: str, input_name: str) -> TableColumn:
    for column in columns:
        if column.name == name:
            return column
    for column in columns:
        if column.name.lower() == name.lower():
            return column
    listed = ", ".join(f"[{c.name}]" for c in columns)
    raise WizardError(
        f"--map {name}={input_name}: the table has no column '{name}'. "
        f"Columns: {listed}."
    )


def _find_input(
    inputs: list[SignatureColumn], name: str, column_name: str
) -> SignatureColumn:
    for spec in inputs:
        if spec.name == name:
            return spec
    for spec in inputs:
        if spec.name.lower() == name.lower():
            return spec
    listed = ", ".join(f"'{spec.name}'" for spec in inputs)
    raise WizardError(
        f"--map {column_name}={name}: the model has no input '{name}'. "
        f"Model inputs: {listed}."
    )


def _missing_message(
    missing: list[SignatureColumn], columns: list[TableColumn], used: set[str]
) -> str:
    free = [column for column in columns if column.name not in used]
    lines = []
    for spec in missing:
        ranked = sorted(free, key=lambda c: -similarity(c.name, spec.name))
        candidates = ", ".join(
            f"[{c.name}] {c.sql_type.name} ({similarity(c.name, spec.name):.2f})"
            for c in ranked[:5]
        )
        lines.append(
            f"Model input '{spec.name}' ({spec.mlflow_type}) has no table column. "
            f"Candidate columns, most similar first: {candidates or 'none left'}."
        )
    example = missing[0].name
    lines.append(f"Map a column with --map column={example} (repeatable).")
    return "\n".join(lines)


def _check_castable(mapping: ColumnMapping) -> None:
    source = mapping.column.sql_type.name
    target = mapping.input.sql_type
    allowed = TEXT_SOURCE_TYPES if target == "varchar" else NUMERIC_TYPES | STRING_TYPES
    if source in allowed:
        return
    raise WizardError(
        f"Column [{mapping.column.name}] is {source}, which cannot be cast to "
        f"[{target}] for model input '{mapping.input.name}' "
        f"({mapping.input.mlflow_type}). Map a {target}-compatible column with "
        f"--map column={mapping.input.name}."
    )
