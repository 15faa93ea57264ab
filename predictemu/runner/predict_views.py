"""Views whose query uses PREDICT.

DuckDB cannot store a view over PREDICT, because PREDICT becomes an Arrow
stream registered for one statement. Such a view is kept in predictemu's
catalog (table ``predictemu.predict_views``) as T-SQL text, and a statement
that reads the view gets the view's query in its place before PREDICT is bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from predictemu.errors import TsqlError
from predictemu.tsql import expressions as tx
from predictemu.tsql.dialect import Synapse, parse_batch
from predictemu.tsql.transpile import DEFAULT_SCHEMA

if TYPE_CHECKING:
    from predictemu.runner.session import Session

MAX_DEPTH = 32


def ensure_catalog(session: Session) -> None:
    """Create the catalog table of PREDICT views when it is missing."""
    session.con.execute(
        "CREATE TABLE IF NOT EXISTS predictemu.predict_views "
        "(name VARCHAR PRIMARY KEY, definition VARCHAR NOT NULL)"
    )


def view_key(table: exp.Table) -> str:
    """Return the catalog key of a view name: ``schema.name`` in lower case."""
    return f"{table.db or DEFAULT_SCHEMA}.{table.name}".lower()


def is_predict_view_definition(statement: exp.Create) -> bool:
    """Tell whether a CREATE VIEW reads from PREDICT."""
    query = statement.expression
    return query is not None and any(True for _ in query.find_all(tx.Predict))


def create_predict_view(session: Session, statement: exp.Create) -> None:
    """Store a view over PREDICT in the catalog."""
    name = statement.this
    if isinstance(name, exp.Schema):
        name = name.this
    if session.object_exists(name):
        raise TsqlError(
            f"There is already an object named '{name.name}' in the database.",
            number=2714,
        )
    definition = statement.expression.sql(dialect=Synapse)
    session.con.execute(
        "INSERT INTO predictemu.predict_views VALUES (?, ?)",
        [view_key(name), definition],
    )


def predict_view_exists(session: Session, table: exp.Table) -> bool:
    """Tell whether ``table`` names a stored view over PREDICT."""
    return _definition(session, table) is not None


def drop_predict_view(session: Session, table: exp.Table) -> bool:
    """Remove a view over PREDICT; return False when there was none."""
    if not predict_view_exists(session, table):
        return False
    session.con.execute(
        "DELETE FROM predictemu.predict_views WHERE name = ?", [view_key(table)]
    )
    return True


def expand_predict_views(session: Session, statement: exp.Expression) -> exp.Expression:
    """Replace each reference to a view over PREDICT with the view's query."""
    # One catalog read per statement: most databases have no such views, and
    # then no table reference needs a look-up of its own.
    if (
        session.con.execute("SELECT 1 FROM predictemu.predict_views LIMIT 1").fetchone()
        is None
    ):
        return statement
    for _ in range(MAX_DEPTH):
        replaced = False
        for table in list(statement.find_all(exp.Table)):
            if isinstance(table.parent, (exp.Column, exp.Dot)) or not table.name:
                continue
            definition = _definition(session, table)
            if definition is None:
                continue
            query = parse_batch(definition)[0]
            alias = table.alias or table.name
            table.replace(
                exp.Subquery(
                    this=query, alias=exp.TableAlias(this=exp.to_identifier(alias))
                )
            )
            replaced = True
        if not replaced:
            return statement
    raise TsqlError(
        "Views over PREDICT are nested more than 32 levels deep.", number=217
    )


def _definition(session: Session, table: exp.Table) -> str | None:
    if table.args.get("catalog"):
        return None
    row = session.con.execute(
        "SELECT definition FROM predictemu.predict_views WHERE name = ?",
        [view_key(table)],
    ).fetchone()
    return row[0] if row else None
