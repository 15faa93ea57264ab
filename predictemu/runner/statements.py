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
from predictemu.runner.predict_views import (
    create_predict_view,
    drop_predict_view,
    is_predict_view_definition,
)
from predictemu.sqltypes import STRING_TYPES, SqlType, sql_type_from_ast
from predictemu.tsql import expressions as tx
from predictemu.tsql.transpile import (
    TEMP_CATALOG,
    Variable,
    is_temp,
    to_duckdb,
    variable_name,
)

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
    reject_table_functions(statement)
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
        return Prepared(_dml(session, statement), "dml")
    if isinstance(statement, exp.Copy):
        from predictemu.runner.loading import copy_into

        copy_into(session, statement)
        return None
    if isinstance(statement, exp.Create):
        return _create(session, statement)
    if isinstance(statement, exp.Drop):
        return _drop(session, statement)
    if isinstance(statement, (exp.TruncateTable, exp.Alter)):
        return Prepared(statement, "ddl")
    raise UnsupportedError(
        f"The statement '{_head(statement)}' is not supported by predictemu."
    )


def reject_table_functions(statement: exp.Expression) -> None:
    """Reject a function in FROM or JOIN, which would run as DuckDB's, not T-SQL's.

    PREDICT is parsed as its own node, so it is not affected. Without this check
    a DuckDB table function such as read_csv('...') would run, which no pool
    accepts.
    """
    for table in statement.find_all(exp.Table, exp.Lateral):
        function = table.this
        if isinstance(function, exp.Func):
            name = (
                function.sql_name()
                if not isinstance(function, exp.Anonymous)
                else (function.name)
            )
            raise UnsupportedError(
                f"The table-valued function {name.upper()} is not supported by "
                "predictemu. Load the rows into a table first (COPY INTO for files)."
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
    for select in statement.find_all(exp.Select):
        limit = select.args.get("limit")
        options = (
            limit.args.get("limit_options") if isinstance(limit, exp.Limit) else None
        )
        if options is not None and options.args.get("percent"):
            raise UnsupportedError(
                "TOP n PERCENT is not supported in a dedicated SQL pool; use TOP (n) "
                "with n computed from COUNT(*)."
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


def _create(session: Session, statement: exp.Create) -> Prepared | None:
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
        _add_identity_and_lengths(session, statement)
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
    if kind == "VIEW":
        _reject_temp_tables_in_view(statement)
    if kind == "VIEW" and is_predict_view_definition(statement):
        create_predict_view(session, statement)
        return None
    if kind in ("VIEW", "SCHEMA"):
        return Prepared(statement, "ddl")
    raise UnsupportedError(f"CREATE {kind} is not supported by predictemu.")


def _reject_temp_tables_in_view(statement: exp.Create) -> None:
    query = statement.expression
    if query is None:
        return
    if any(is_temp(table) for table in query.find_all(exp.Table)):
        raise TsqlError(
            "Views or functions are not allowed on temporary tables. Table names "
            "that begin with '#' denote temporary tables.",
            number=4508,
        )


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
    if kind == "VIEW" and all(drop_predict_view(session, t) for t in targets):
        return None
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


# -- IDENTITY and string lengths ---------------------------------------------------

IDENTITY_PREFIX = "__identity_"


def _add_identity_and_lengths(session: Session, statement: exp.Create) -> None:
    """Give IDENTITY columns a sequence and char(n) columns a length check, in place.

    IDENTITY values come from a DuckDB sequence, so they follow insert order.
    A dedicated SQL pool only promises unique values: each distribution counts
    on its own, so scripts must not rely on the order or on gaps.
    """
    schema = statement.this
    if not isinstance(schema, exp.Schema):
        return
    table = session.qualify(schema.this)
    for column in schema.expressions:
        if not isinstance(column, exp.ColumnDef):
            continue
        constraints = list(column.constraints)
        for constraint in constraints:
            if isinstance(constraint.kind, exp.GeneratedAsIdentityColumnConstraint):
                sequence = _create_identity_sequence(
                    session, table, column.name, constraint.kind
                )
                constraints.remove(constraint)
                default = exp.Anonymous(
                    this="nextval", expressions=[exp.Literal.string(sequence)]
                )
                constraints.append(
                    exp.ColumnConstraint(kind=exp.DefaultColumnConstraint(this=default))
                )
        length = _declared_length(column)
        if length is not None:
            check = exp.LTE(
                this=exp.Anonymous(
                    this="length", expressions=[exp.column(column.name)]
                ),
                expression=exp.Literal.number(length),
            )
            constraints.append(
                exp.ColumnConstraint(kind=exp.CheckColumnConstraint(this=check))
            )
        column.set("constraints", constraints)


def _declared_length(column: exp.ColumnDef) -> int | None:
    kind = column.args.get("kind")
    if not isinstance(kind, exp.DataType):
        return None
    try:
        sql_type = sql_type_from_ast(kind, declaration=True)
    except UnsupportedError:
        return None
    return sql_type.length if sql_type.name in STRING_TYPES else None


def _create_identity_sequence(
    session: Session,
    table: exp.Table,
    column: str,
    identity: exp.GeneratedAsIdentityColumnConstraint,
) -> str:
    seed = identity.args.get("start")
    step = identity.args.get("increment")
    name = f"{IDENTITY_PREFIX}{table.name}_{column}".lower().replace('"', "")
    catalog = (
        table.catalog or session.con.execute("SELECT current_database()").fetchone()[0]
    )
    location = f'"{catalog}"."{table.db}"."{name}"'
    # A leftover sequence of a dropped table with the same name is replaced.
    session.con.execute(
        f"CREATE OR REPLACE SEQUENCE {location} START WITH "
        f"{int(seed.name) if seed else 1} INCREMENT BY {int(step.name) if step else 1}"
    )
    return location


def identity_columns(session: Session, table: exp.Table) -> list[str]:
    """Return the IDENTITY columns of a (translated) table."""
    rows = session.con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE lower(table_name) = lower(?) "
        "AND lower(schema_name) = lower(?) AND column_default LIKE ?",
        [table.name, table.db, f"%{IDENTITY_PREFIX}%"],
    ).fetchall()
    return [row[0] for row in rows]


# -- INSERT, UPDATE ... FROM, DELETE ... FROM ------------------------------------------


def _dml(session: Session, statement: exp.Expression) -> exp.Expression:
    if isinstance(statement, exp.Insert):
        return _insert(session, statement)
    if isinstance(statement, exp.Update) and statement.args.get("from_"):
        return _update_from(statement)
    if isinstance(statement, exp.Delete) and statement.args.get("tables"):
        return _delete_from(statement)
    return statement


def _insert(session: Session, statement: exp.Insert) -> exp.Expression:
    """Leave IDENTITY columns out of an INSERT without a column list, as T-SQL does."""
    target = statement.this
    if not isinstance(target, exp.Table) or isinstance(target.this, exp.Parameter):
        return statement
    located = session.qualify(target, session.cte_names(statement))
    identity = {c.lower() for c in identity_columns(session, located)}
    if not identity:
        return statement
    columns = session.table_columns(located) or {}
    # NOTE: SET IDENTITY_INSERT is not supported; an explicit value for an
    # IDENTITY column is stored as given instead of raising Msg 544.
    kept = [exp.to_identifier(c, quoted=True) for c in columns if c not in identity]
    statement = statement.copy()
    statement.set("this", exp.Schema(this=target.copy(), expressions=kept))
    return statement


def _matching_source(sources: list[exp.Table], name: str) -> exp.Table | None:
    for table in sources:
        if table.alias_or_name.lower() == name.lower():
            return table
    return None


def _from_tables(from_: exp.Expression) -> list[exp.Table]:
    tables = [from_] if isinstance(from_, exp.Table) else []
    for join in from_.args.get("joins") or []:
        if isinstance(join.this, exp.Table):
            tables.append(join.this)
    return tables


def _update_from(statement: exp.Update) -> exp.Expression:
    """Rewrite T-SQL's ``UPDATE a SET ... FROM t a JOIN s ...`` for DuckDB.

    DuckDB's UPDATE ... FROM must not name the target again, so the joined
    query computes each target row's new values by rowid, and the UPDATE
    applies them.
    """
    from_ = statement.args["from_"].this
    target_name = statement.this.alias_or_name
    source = _matching_source(_from_tables(from_), target_name)
    if source is None:
        return statement
    alias = source.alias_or_name
    projections = [exp.alias_(exp.column("rowid", table=alias), "__rowid", quoted=True)]
    assignments = []
    for index, assignment in enumerate(statement.expressions):
        name = f"__value{index}"
        projections.append(exp.alias_(assignment.expression.copy(), name, quoted=True))
        assignments.append(
            exp.EQ(
                this=exp.column(assignment.this.name, quoted=True),
                expression=exp.column(name, table="__source", quoted=True),
            )
        )
    query = exp.Select(expressions=projections, from_=exp.From(this=from_.copy()))
    where = statement.args.get("where")
    if where is not None:
        query.set("where", where.copy())
    target = source.copy()
    target.set("joins", None)
    target.set("alias", exp.TableAlias(this=exp.to_identifier("__target")))
    return exp.Update(
        this=target,
        expressions=assignments,
        from_=exp.From(this=query.subquery("__source")),
        where=exp.Where(
            this=exp.EQ(
                this=exp.column("rowid", table="__target"),
                expression=exp.column("__rowid", table="__source", quoted=True),
            )
        ),
    )


def _delete_from(statement: exp.Delete) -> exp.Expression:
    """Rewrite T-SQL's ``DELETE a FROM t a JOIN s ...`` as a DELETE by rowid."""
    from_ = statement.this
    target_name = statement.args["tables"][0].alias_or_name
    source = _matching_source(_from_tables(from_), target_name)
    if source is None:
        raise TsqlError(
            f"The target '{target_name}' of the DELETE is not in its FROM clause.",
            number=4104,
        )
    query = exp.select(exp.column("rowid", table=source.alias_or_name)).from_(
        from_.copy()
    )
    where = statement.args.get("where")
    if where is not None:
        query.set("where", where.copy())
    target = source.copy()
    target.set("joins", None)
    target.set("alias", None)
    return exp.Delete(
        this=target,
        where=exp.Where(this=exp.In(this=exp.column("rowid"), query=query.subquery())),
    )


# -- table variables ---------------------------------------------------------------


def declare_table_variable(
    session: Session, item: tx.DeclareVariable, frame: Frame
) -> Variable:
    """Create the temp table that stores a table variable (sqledge target only)."""
    if session.target == "synapse":
        raise UnsupportedError(
            f"Table variables (DECLARE {item.name} TABLE) are not supported in a "
            "dedicated SQL pool; use a #temp table instead."
        )
    name = f"{item.name}#{id(frame)}"
    schema = item.args["schema"].copy()
    schema.set(
        "this",
        exp.Table(
            this=exp.to_identifier(name, quoted=True),
            db=exp.to_identifier("main"),
            catalog=exp.to_identifier(TEMP_CATALOG),
        ),
    )
    create = exp.Create(this=schema, kind="TABLE")
    _add_identity_and_lengths(session, create)
    session.con.execute(to_duckdb(create, session.context(frame)))
    return Variable(SqlType("table"), table=name)


def drop_table_variables(session: Session, frame: Frame) -> None:
    """Drop the tables of a frame's table variables when its batch or call ends."""
    for variable in frame.variables.values():
        if variable.table is not None:
            session.con.execute(
                f'DROP TABLE IF EXISTS {TEMP_CATALOG}.main."{variable.table}"'
            )
