"""Prepare SQL statements for DuckDB: SELECT INTO, DDL, DROP, OBJECT_ID.

Each function takes a parsed T-SQL statement and returns what the session runs:
the statement to translate, what kind of result it gives, and any step to take
after it succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from predictemu.errors import TsqlError, UnsupportedError
from predictemu.tsql import expressions as tx
from predictemu.tsql.transpile import variable_name

if TYPE_CHECKING:
    from predictemu.runner.session import Frame, Session


@dataclass
class Prepared:
    """A statement ready to run, with the kind of result it gives."""

    statement: exp.Expression
    kind: str  # "query", "dml", "ddl" or "assign"
    after: Callable[[], None] | None = None
    consume: Callable[[object], None] | None = None


def prepare_statement(
    session: Session, statement: exp.Expression, frame: Frame
) -> Prepared | None:
    """Return the statement to run, or None when it was handled here."""
    resolve_object_ids(session, statement)
    if isinstance(statement, exp.Select) and statement.args.get("into"):
        return _select_into(session, statement)
    if isinstance(statement, exp.Select) and _is_assignment(statement):
        return _assignment(session, statement, frame)
    if isinstance(statement, exp.Query):
        _reject_unsupported_query(session, statement)
        return Prepared(statement, "query")
    if isinstance(statement, (exp.Insert, exp.Update, exp.Delete, exp.Merge)):
        if statement.args.get("returning") and session.target == "synapse":
            raise UnsupportedError(
                "The OUTPUT clause is not supported in a dedicated SQL pool; run a "
                "second SELECT to read the changed rows."
            )
        return Prepared(statement, "dml")
    if isinstance(statement, exp.Create):
        return _create(session, statement)
    if isinstance(statement, exp.Drop):
        return _drop(session, statement)
    if isinstance(statement, (exp.TruncateTable, exp.Alter)):
        return Prepared(statement, "ddl")
    raise UnsupportedError(
        f"The statement '{_head(statement)}' is not supported by predictemu."
    )


def _head(statement: exp.Expression) -> str:
    text = statement.sql(dialect="tsql")
    return text if len(text) <= 60 else text[:57] + "..."


def _reject_unsupported_query(session: Session, statement: exp.Query) -> None:
    if session.target != "synapse":
        return
    if statement.args.get("for_"):
        raise UnsupportedError(
            "FOR XML and FOR JSON are not supported in a dedicated SQL pool."
        )
    limit = statement.args.get("limit")
    if isinstance(limit, exp.Limit) and limit.args.get("percent"):
        raise UnsupportedError(
            "TOP n PERCENT is not supported in a dedicated SQL pool; use TOP (n) with "
            "a computed n."
        )


def _select_into(session: Session, statement: exp.Select) -> Prepared:
    into = statement.args["into"]
    target = into.this
    if session.object_exists(target):
        raise TsqlError(
            f"There is already an object named '{_display_name(target)}' in the "
            "database.",
            number=2714,
        )
    query = statement.copy()
    query.set("into", None)
    create = exp.Create(
        this=target.copy(), kind="TABLE", expression=query, exists=False
    )
    return Prepared(create, "ddl", after=_rows_message(session, target))


def _rows_message(session: Session, target: exp.Table) -> Callable[[], None]:
    def report() -> None:
        table = session.qualify(target)
        count = session.con.execute(
            f"SELECT count(*) FROM {table.sql(dialect='duckdb')}"
        ).fetchone()[0]
        session._rows_affected(int(count))

    return report


def _is_assignment(statement: exp.Select) -> bool:
    return any(
        isinstance(e, exp.EQ) and isinstance(e.this, exp.Parameter)
        for e in statement.expressions
    )


def _assignment(session: Session, statement: exp.Select, frame: Frame) -> Prepared:
    names = []
    query = statement.copy()
    projections = []
    for item in query.expressions:
        if not (isinstance(item, exp.EQ) and isinstance(item.this, exp.Parameter)):
            raise TsqlError(
                "A SELECT statement that assigns a value to a variable must not be "
                "combined with data-retrieval operations.",
                number=141,
            )
        names.append(variable_name(item.this))
        projections.append(item.expression)
    query.set("expressions", projections)
    for name in names:
        session._variable(name, frame)

    def assign(result) -> None:
        last = None
        while True:
            rows = result.fetchmany(10_000)
            if not rows:
                break
            last = rows[-1]
        if last is None:
            return
        for name, value in zip(names, last, strict=True):
            variable = session._variable(name, frame)
            variable.value = _coerce(value, variable.sql_type)

    return Prepared(query, "assign", consume=assign)


def _coerce(value, sql_type):
    if isinstance(value, str) and sql_type.length:
        return value[: sql_type.length]
    return value


def _create(session: Session, statement: exp.Create) -> Prepared:
    kind = (statement.args.get("kind") or "").upper()
    statement = statement.copy()
    properties = statement.args.get("properties")
    if properties is not None:
        kept = [
            p
            for p in properties.expressions
            if not isinstance(p, (tx.SynapseTableOption, exp.TemporaryProperty))
        ]
        statement.set("properties", exp.Properties(expressions=kept) if kept else None)
    if kind == "TABLE":
        _check_table_definition(session, statement)
        target = (
            statement.this.this
            if isinstance(statement.this, exp.Schema)
            else (statement.this)
        )
        if session.object_exists(target):
            raise TsqlError(
                f"There is already an object named '{_display_name(target)}' in the "
                "database.",
                number=2714,
            )
        after = _rows_message(session, target) if statement.expression else None
        return Prepared(statement, "ddl", after=after)
    if kind in ("VIEW", "SCHEMA"):
        return Prepared(statement, "ddl")
    raise UnsupportedError(f"CREATE {kind} is not supported by predictemu.")


def _check_table_definition(session: Session, statement: exp.Create) -> None:
    schema = statement.this
    if not isinstance(schema, exp.Schema):
        return
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        for constraint in column.constraints:
            kind = constraint.kind
            if (
                isinstance(kind, exp.DefaultColumnConstraint)
                and session.target == "synapse"
                and not _is_constant(kind.this)
            ):
                raise UnsupportedError(
                    f"The default of column [{column.name}] is not a constant; a "
                    "dedicated SQL pool accepts only constant defaults. Set the "
                    "value in the INSERT instead."
                )
            if isinstance(kind, exp.GeneratedAsIdentityColumnConstraint):
                # NOTE: IDENTITY columns are not supported yet; the user gets this
                # error and can number rows with ROW_NUMBER() instead.
                raise UnsupportedError(
                    f"IDENTITY on column [{column.name}] is not supported by "
                    "predictemu yet; number the rows with ROW_NUMBER() OVER (...)."
                )


def _is_constant(node: exp.Expression) -> bool:
    return not any(
        isinstance(n, (exp.Func, exp.Column, exp.Parameter, exp.Subquery))
        and not isinstance(n, exp.Neg)
        for n in node.walk()
    )


def _drop(session: Session, statement: exp.Drop) -> Prepared | None:
    kind = (statement.args.get("kind") or "").upper()
    if kind in ("PROCEDURE", "PROC"):
        from predictemu.runner.procedures import drop_procedure

        drop_procedure(session, statement)
        return None
    if kind not in ("TABLE", "VIEW", "SCHEMA"):
        raise UnsupportedError(f"DROP {kind} is not supported by predictemu.")
    targets = statement.args.get("tables") or [statement.this]
    if kind in ("TABLE", "VIEW") and not statement.args.get("exists"):
        for target in targets:
            if not session.object_exists(target):
                raise TsqlError(
                    f"Cannot drop the {kind.lower()} '{_display_name(target)}', "
                    "because it does not exist or you do not have permission.",
                    number=3701,
                )
    return Prepared(statement, "ddl")


def _display_name(table: exp.Table) -> str:
    name = table.name
    if table.this.args.get("global_"):
        return "##" + name
    if table.this.args.get("temporary"):
        return "#" + name
    return ".".join(part for part in (table.db, name) if part)


def resolve_object_ids(session: Session, node: exp.Expression) -> None:
    """Replace ``OBJECT_ID('name')`` calls with the object's id or NULL, in place."""
    from predictemu.tsql.dialect import Synapse

    for call in list(node.find_all(exp.ObjectId)):
        argument = call.this
        if not (isinstance(argument, exp.Literal) and argument.is_string):
            raise UnsupportedError(
                "OBJECT_ID is supported with a literal object name only."
            )
        name = argument.name
        if name.lower().startswith("tempdb.."):
            name = name[len("tempdb..") :]
        try:
            table = exp.to_table(name, dialect=Synapse)
        except Exception as err:  # sqlglot raises ParseError for a bad name
            raise TsqlError(
                f"Invalid object name '{argument.name}'.", number=208
            ) from err
        object_id = _object_id(session, table)
        call.replace(exp.Literal.number(object_id) if object_id else exp.null())


def _object_id(session: Session, table: exp.Table) -> int | None:
    from predictemu.runner.procedures import procedure_exists

    if session.object_exists(table):
        located = session.qualify(table)
        row = session.con.execute(
            "SELECT table_oid FROM duckdb_tables() WHERE lower(table_name) = lower(?) "
            "AND lower(schema_name) = lower(?) UNION ALL SELECT view_oid FROM "
            "duckdb_views() WHERE lower(view_name) = lower(?) "
            "AND lower(schema_name) = lower(?)",
            [located.name, located.db, located.name, located.db],
        ).fetchone()
        return int(row[0]) if row else 1
    if procedure_exists(session, table):
        return 1
    return None
