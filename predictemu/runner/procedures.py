"""Stored procedures: CREATE, EXEC with parameters and OUTPUT, DROP.

Procedures persist in the database file (table ``predictemu.procedures``) as
the text of their CREATE statement, so a later run can EXEC them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import duckdb
from sqlglot import exp

from predictemu.errors import TsqlError, UnsupportedError
from predictemu.sqltypes import sql_type_from_ast
from predictemu.tsql import expressions as tx
from predictemu.tsql.dialect import parse_batch
from predictemu.tsql.transpile import (
    DEFAULT_SCHEMA,
    TEMP_CATALOG,
    Variable,
    variable_name,
)

if TYPE_CHECKING:
    from predictemu.runner.session import Frame, Session

logger = logging.getLogger(__name__)

MAX_NESTING = 32


def procedure_key(name: exp.Table) -> str:
    """Return the catalog key of a procedure name: ``schema.name`` in lower case."""
    schema = name.db or DEFAULT_SCHEMA
    return f"{schema}.{name.name}".lower()


def procedure_exists(session: Session, name: exp.Table) -> bool:
    """Tell whether a procedure of that name is stored."""
    return _definition(session, name) is not None


def _definition(session: Session, name: exp.Table) -> str | None:
    row = session.con.execute(
        "SELECT definition FROM predictemu.procedures WHERE name = ?",
        [procedure_key(name)],
    ).fetchone()
    return row[0] if row else None


def create_procedure(session: Session, statement: tx.CreateProcedure) -> None:
    """Store a procedure; CREATE OR ALTER and ALTER replace an existing one."""
    name = statement.this
    exists = procedure_exists(session, name)
    if exists and not statement.args.get("replace"):
        raise TsqlError(
            f"There is already an object named '{name.name}' in the database.",
            number=2714,
        )
    session.con.execute(
        "INSERT OR REPLACE INTO predictemu.procedures VALUES (?, ?)",
        [procedure_key(name), statement.args["source"]],
    )


def drop_procedure(session: Session, statement: exp.Drop) -> None:
    """Remove a stored procedure (DROP PROCEDURE [IF EXISTS] name)."""
    name = (statement.args.get("tables") or [statement.this])[0]
    if not procedure_exists(session, name):
        if statement.args.get("exists"):
            return
        raise TsqlError(
            f"Cannot drop the procedure '{name.name}', because it does not exist or "
            "you do not have permission.",
            number=3701,
        )
    session.con.execute(
        "DELETE FROM predictemu.procedures WHERE name = ?", [procedure_key(name)]
    )


def execute_procedure(
    session: Session, statement: tx.ExecProcedure, frame: Frame
) -> None:
    """Run EXEC: a stored procedure with arguments, or EXEC ('dynamic sql')."""
    from predictemu.runner.session import Frame, _Return

    if statement.args.get("sql") is not None:
        text = session.evaluate(statement.args["sql"], frame)
        inner = Frame(batch=frame.batch)
        try:
            for inner_statement in parse_batch(str(text)):
                session.execute(inner_statement, inner)
        except TsqlError as err:
            raise _called_from(err, statement) from None
        return

    name = statement.this
    if name.name.lower().startswith("sp_"):
        raise UnsupportedError(f"The system procedure '{name.name}' is not supported.")
    definition = _definition(session, name)
    if definition is None:
        raise TsqlError(f"Could not find stored procedure '{name.name}'.", number=2812)
    depth = getattr(session, "_nesting", 0)
    if depth >= MAX_NESTING:
        raise TsqlError(
            "Maximum stored procedure, function, trigger, or view nesting level "
            f"exceeded (limit {MAX_NESTING}).",
            number=217,
        )
    procedure = parse_batch(definition)[0]
    inner = Frame(procedure=name.name, batch=frame.batch)
    outputs = _bind_arguments(session, procedure, statement, frame, inner)
    status = 0
    session._nesting = depth + 1
    temp_tables_before = _local_temp_tables(session)
    try:
        session.execute(procedure.args["body"], inner)
    except _Return as signal:
        status = signal.status if signal.status is not None else 0
    except TsqlError as err:
        raise _called_from(err, statement) from None
    finally:
        session._nesting = depth
        if session.target == "sqledge":
            _drop_temp_tables(session, _local_temp_tables(session) - temp_tables_before)
    for caller_name, parameter_name in outputs:
        target = session._variable(caller_name, frame)
        target.value = inner.variables[parameter_name].value
    status_name = statement.args.get("status")
    if status_name:
        session._variable(status_name, frame).value = status


def _called_from(err: TsqlError, statement: tx.ExecProcedure) -> TsqlError:
    """Record the line of the EXEC through which an error leaves a procedure.

    Each enclosing EXEC overwrites it, so the EXEC written in the batch, the
    outermost, is the one that remains.
    """
    err.call_line = statement.meta.get("line", err.call_line)
    return err


# SQL Server drops a local #temp table that a procedure created when the
# procedure returns, so a second EXEC can create it again (sqledge target). In
# a dedicated SQL pool temporary tables exist at session level and are dropped
# when the session closes ("Temporary tables in dedicated SQL pool in Azure
# Synapse Analytics" on learn.microsoft.com), so under the synapse target they
# stay until DROP TABLE or the end of the session.


def _local_temp_tables(session: Session) -> set[str]:
    rows = session.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ?",
        [TEMP_CATALOG],
    ).fetchall()
    return {
        name for (name,) in rows if name.startswith("#") and not name.startswith("##")
    }


def _drop_temp_tables(session: Session, names: set[str]) -> None:
    for name in sorted(names):
        quoted = name.replace('"', '""')
        try:
            session.con.execute(f'DROP TABLE IF EXISTS {TEMP_CATALOG}.main."{quoted}"')
        except duckdb.Error:
            # An aborted transaction rejects the DROP; its rollback removes the
            # table anyway.
            logger.debug("Could not drop temp table %s after its procedure", name)


def _bind_arguments(
    session: Session,
    procedure: tx.CreateProcedure,
    statement: tx.ExecProcedure,
    caller: Frame,
    inner: Frame,
) -> list[tuple[str, str]]:
    parameters = procedure.expressions
    by_name = {p.name.lower(): p for p in parameters}
    values: dict[str, exp.Expression] = {}
    outputs = []
    procedure_name = procedure.this.name
    for position, argument in enumerate(statement.expressions):
        name = argument.name
        if name:
            parameter = by_name.get(name.lower())
            if parameter is None:
                raise TsqlError(
                    f"{name} is not a parameter for procedure {procedure_name}.",
                    number=8145,
                )
        else:
            if position >= len(parameters):
                raise TsqlError(
                    f"Procedure or function {procedure_name} has too many arguments "
                    "specified.",
                    number=8144,
                )
            parameter = parameters[position]
        values[parameter.name.lower()] = argument.args["value"]
        if argument.args.get("output"):
            value = argument.args["value"]
            if not parameter.args.get("output"):
                raise TsqlError(
                    f'The formal parameter "{parameter.name}" was not declared as an '
                    "OUTPUT parameter, but the actual parameter passed in requested "
                    "output.",
                    number=8162,
                )
            if not isinstance(value, exp.Parameter):
                raise TsqlError(
                    "An OUTPUT argument must be a variable.", number=179, level=15
                )
            outputs.append((variable_name(value), parameter.name.lower()))
    for parameter in parameters:
        sql_type = sql_type_from_ast(parameter.args["kind"], declaration=True)
        key = parameter.name.lower()
        argument = values.get(key)
        if argument is None or (
            isinstance(argument, exp.Var) and argument.name == "DEFAULT"
        ):
            argument = parameter.args.get("default")
            if argument is None:
                raise TsqlError(
                    f"Procedure or function '{procedure_name}' expects parameter "
                    f"'{parameter.name}', which was not supplied.",
                    number=201,
                )
        value = session._evaluate_as(argument, sql_type, caller)
        inner.variables[key] = Variable(sql_type, value)
    return outputs
