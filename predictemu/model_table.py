"""Store models in a model table the way Synapse Studio's scoring wizard does.

The wizard's table has ``[ID] = 'name:version'``, the model's metadata, the
self-contained model bytes in ``[model] varbinary(max)`` and the MLflow
signature JSON in ``[inputs_schema]`` and ``[outputs_schema]``.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from predictemu.tsql.dialect import Synapse

if TYPE_CHECKING:
    from predictemu.mlflow import MLmodelInfo
    from predictemu.runner.session import Session


def quote_name(name: str) -> str:
    """Bracket-quote a one- or two-part T-SQL name, escaping ``]``."""
    from sqlglot import exp

    table = exp.to_table(name, dialect=Synapse)
    parts = [p for p in (table.db, table.name) if p]
    return ".".join(quote_identifier(p) for p in parts)


def quote_identifier(name: str) -> str:
    """Bracket-quote one identifier, doubling any ``]`` inside it."""
    return "[" + name.replace("]", "]]") + "]"


def create_model_table_sql(table: str) -> str:
    """Return the wizard's CREATE TABLE for a model table, guarded by OBJECT_ID."""
    quoted = quote_name(table)
    literal = table.replace("'", "''")
    return f"""IF OBJECT_ID('{literal}') IS NULL
CREATE TABLE {quoted}
(
    [ID] nvarchar(1024) NOT NULL,
    [name] nvarchar(1024) NOT NULL,
    [description] nvarchar(1024) NULL,
    [version] int NOT NULL,
    [created_time] datetime2 NOT NULL,
    [created_by] nvarchar(1024) NOT NULL,
    [framework] nvarchar(1024) NOT NULL,
    [model] varbinary(max) NULL,
    [inputs_schema] nvarchar(max) NOT NULL,
    [outputs_schema] nvarchar(max) NOT NULL
)
WITH (HEAP, DISTRIBUTION = ROUND_ROBIN)
"""


def store_model(
    session: Session,
    table: str,
    name: str,
    version: int,
    model: bytes,
    info: MLmodelInfo | None = None,
    description: str = "",
) -> str:
    """Create the model table if needed and store one model; return its ID.

    A row with the same ``[ID]`` is replaced, so storing a model twice is safe.
    """
    model_id = f"{name}:{version}"
    inputs = _schema_json(info.inputs if info else None)
    outputs = _schema_json(info.outputs if info else None)
    quoted = quote_name(table)
    script = (
        create_model_table_sql(table)
        + f"""
DELETE FROM {quoted} WHERE [ID] = @id
INSERT INTO {quoted} ([ID], [name], [description], [version], [created_time],
    [created_by], [framework], [model], [inputs_schema], [outputs_schema])
VALUES (@id, @name, @description, @version, @created, @user, 'ONNX', @model,
    @inputs, @outputs)
"""
    )
    session.run(
        script,
        variables={
            "@id": model_id,
            "@name": name,
            "@description": description,
            "@version": version,
            "@created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "@user": _user(),
            "@model": model,
            "@inputs": inputs,
            "@outputs": outputs,
        },
    )
    return model_id


def _schema_json(columns) -> str:
    if not columns:
        return "[]"
    return json.dumps([asdict(column) for column in columns])


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "predictemu"
