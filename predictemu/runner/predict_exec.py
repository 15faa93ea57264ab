"""Turn each PREDICT in a statement into a scored Arrow stream that DuckDB scans.

For every PREDICT the binder evaluates MODEL, loads the model once per distinct
bytes, opens the DATA rows on a second cursor, binds inputs and outputs, and
registers the scored stream under a private name. The PREDICT node is replaced
by that name, and ``d.`` (DATA alias) references are pointed at it, so the
statement runs as ordinary DuckDB SQL.
"""

from __future__ import annotations

import itertools
import logging
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from predictemu.errors import PredictError, TsqlError, UnsupportedError
from predictemu.predict.binding import bind_inputs, bind_outputs
from predictemu.predict.relation import PredictStream
from predictemu.predict.scoring import ScoringPlan
from predictemu.runner.errors import map_duckdb_error
from predictemu.runner.predict_views import expand_predict_views
from predictemu.sqltypes import sql_type_from_ast
from predictemu.tsql import expressions as tx
from predictemu.tsql.transpile import RELATION_PREFIX, cte_names_of, to_duckdb

if TYPE_CHECKING:
    from predictemu.runner.session import Frame, Session

logger = logging.getLogger(__name__)

_counter = itertools.count(1)


class PredictBinder:
    """Binds the PREDICTs of one statement and cleans up after it runs."""

    def __init__(self, session: Session, frame: Frame) -> None:
        self.session = session
        self.frame = frame
        self.streams: list[PredictStream] = []
        self.views: list[str] = []
        self.cursors: list[duckdb.DuckDBPyConnection] = []
        self.bars: list[Any] = []

    def bind(self, statement: exp.Expression) -> exp.Expression:
        """Return ``statement`` with every PREDICT replaced by a scored stream."""
        statement = expand_predict_views(self.session, statement.copy())
        if not any(True for _ in statement.find_all(tx.Predict)):
            return statement
        for predict in list(statement.find_all(tx.Predict)):
            self._bind_one(statement, predict)
        return statement

    def _bind_one(self, statement: exp.Expression, predict: tx.Predict) -> None:
        line = predict.meta.get("line")
        try:
            self._check_runtime(predict)
            model = self._load_model(predict)
            data = predict.args["data"]
            reader = self._open_data(
                statement, data, _used_columns(predict), model.inputs
            )
            inputs = bind_inputs(model, reader.schema)
            columns = [
                (column.name, sql_type_from_ast(column.args["kind"], declaration=True))
                for column in predict.expressions
            ]
            outputs = bind_outputs(model, columns)
            _check_name_clashes(columns, reader.schema)
            self._note_default_lengths(predict)
        except TsqlError as err:
            raise err.locate(line) from None
        plan = ScoringPlan(
            model,
            inputs,
            outputs,
            null_policy=self.session.null_policy,
            notify=self.session.output.message,
        )
        stream = PredictStream(
            plan, reader, self.session.threads, progress=self._progress(statement, data)
        )
        view = f"{RELATION_PREFIX}{next(_counter)}"
        self.session.con.register(view, stream.reader())
        self.views.append(view)
        self.streams.append(stream)
        self._replace(predict, view, [name for name, _ in columns], reader.schema.names)

    def _note_default_lengths(self, predict: tx.Predict) -> None:
        for column in predict.expressions:
            kind = column.args["kind"]
            strings = (exp.DType.VARCHAR, exp.DType.NVARCHAR, exp.DType.CHAR)
            if kind.this in strings and not kind.expressions:
                self.session.output.message(
                    f"WITH column [{column.name}] is {kind.sql(dialect='tsql')} "
                    "without a length, which T-SQL reads as length 1, so values "
                    "are cut to one character; declare a length such as "
                    "nvarchar(100)."
                )

    def _check_runtime(self, predict: tx.Predict) -> None:
        runtime = predict.args.get("runtime")
        if runtime is None:
            if self.session.target == "synapse":
                self.session.output.message(
                    "PREDICT has no RUNTIME = ONNX; today's Synapse documentation "
                    "requires it, so add it before deploying."
                )
            return
        if runtime.name.upper() != "ONNX":
            raise UnsupportedError(
                f"RUNTIME = {runtime.name} is not supported; PREDICT scores ONNX "
                "models only: write RUNTIME = ONNX."
            )

    def _load_model(self, predict: tx.Predict):
        node = predict.args["model"]
        if isinstance(node, exp.Subquery) or (
            isinstance(node, exp.Paren) and isinstance(node.this, exp.Query)
        ):
            if self.session.target == "sqledge":
                raise UnsupportedError(
                    "MODEL as a subquery is supported in Synapse only; on SQL Edge "
                    "assign the model to a varbinary(max) variable first."
                )
            source = "MODEL (the scalar subquery)"
        elif isinstance(node, exp.Parameter):
            source = f"MODEL (variable @{node.name})"
        elif isinstance(node, exp.HexString):
            source = "MODEL (the 0x literal)"
        else:
            source = "MODEL"
        value = self.session.evaluate(node, self.frame)
        if isinstance(value, str):
            value = value.encode("utf-8")
        reason = None
        if value is None:
            reason = self._null_reason(node)
        return self.session.models.load(value, source, reason)

    def _null_reason(self, node: exp.Expression) -> str | None:
        """Tell why a MODEL expression is NULL: its query found no row, or NULL."""
        if isinstance(node, exp.Parameter):
            variable = self.frame.variables.get("@" + node.name.lower())
            return getattr(variable, "null_reason", None)
        query = node.this if isinstance(node, (exp.Subquery, exp.Paren)) else None
        if not isinstance(query, exp.Query):
            return None
        count = exp.select("count(*)").from_(query.copy().subquery("model_rows"))
        rows = self.session._scalar(count, self.frame)
        return "no row" if rows == 0 else "null value"

    def _data_query(self, statement: exp.Expression, data: exp.Table) -> exp.Select:
        name = exp.Table(this=data.this.copy(), db=data.args.get("db"))
        query = exp.Select(expressions=[exp.Star()]).from_(name)
        if data.name.lower() in cte_names_of(statement) and not data.args.get("db"):
            with_ = statement.args.get("with_")
            if with_ is None:
                parent = data.find_ancestor(exp.Select)
                with_ = parent.args.get("with_") if parent else None
            if with_ is not None:
                query.set("with_", with_.copy())
        return query

    def _open_data(
        self,
        statement: exp.Expression,
        data: exp.Table,
        used: set[str] | None,
        inputs: list,
    ) -> pa.RecordBatchReader:
        """Open the DATA rows, reading only the columns the statement can see.

        ``used`` contains the lower-case names the statement refers to, or None
        when a ``*`` can show every DATA column.
        """
        session = self.session
        query = self._data_query(statement, data)
        context = session.context(self.frame)
        sql = to_duckdb(query, context)
        try:
            if session.in_transaction:
                # A second cursor would not see this transaction's changes, so
                # the DATA rows are read in full on the session's connection.
                # NOTE: memory then grows with the DATA rows inside BEGIN TRAN.
                connection = session.con
            else:
                connection = session.con.cursor()
                self.cursors.append(connection)
                connection.execute("SET integer_division = true")
            relation = connection.sql(sql, params=context.params or None)
            if used is not None:
                wanted = used | {spec.name.lower() for spec in inputs}
                kept = [c for c in relation.columns if c.lower() in wanted]
                if kept and len(kept) < len(relation.columns):
                    relation = relation.select(
                        *(duckdb.ColumnExpression(c) for c in kept)
                    )
            if session.in_transaction:
                table = relation.to_arrow_table()
                return table.to_reader(max_chunksize=session.batch_rows)
            return relation.to_arrow_reader(session.batch_rows)
        except duckdb.Error as err:
            translated = map_duckdb_error(err)
            if translated.number == 208 and not session.object_exists(data):
                bare = data.copy()
                bare.set("alias", None)
                translated.message = f"Invalid object name '{bare.sql('tsql')}'."
                translated.args = (translated.message,)
            raise translated from err

    def _progress(self, statement: exp.Expression, data: exp.Table):
        factory = self.session.progress
        if factory is None:
            return None
        total = None
        query = self._data_query(statement, data)
        count = exp.select("count(*)").from_(query.subquery("counted"))
        context = self.session.context(self.frame)
        try:
            cursor = self.session.con.cursor()
            total = cursor.execute(
                to_duckdb(count, context), context.params
            ).fetchone()[0]
            cursor.close()
        except duckdb.Error:
            logger.debug("could not count the DATA rows for the progress bar")
        bar = factory(total)
        if bar is None:
            return None
        self.bars.append(bar)
        return bar.update

    def _replace(
        self,
        predict: tx.Predict,
        view: str,
        output_columns: list[str],
        data_columns: list[str],
    ) -> None:
        data = predict.args["data"]
        # Without AS, the DATA table's own name qualifies its columns (d.col).
        data_alias = data.alias or data.name
        predict_alias = predict.alias
        alias = predict_alias or data_alias
        table = exp.Table(this=exp.to_identifier(view, quoted=True))
        if alias:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
        predict.replace(table)
        select = table.find_ancestor(exp.Select)
        if select is None:
            return
        qualifier = alias or view
        names = {n.lower() for n in (data_alias, predict_alias) if n}
        expanded = []
        for item in select.expressions:
            star_table = (
                item.table.lower()
                if isinstance(item, exp.Column) and isinstance(item.this, exp.Star)
                else None
            )
            if star_table and star_table == (data_alias or "").lower():
                expanded.extend(_columns(qualifier, data_columns))
            elif star_table and star_table == (predict_alias or "").lower():
                expanded.extend(_columns(qualifier, output_columns))
            else:
                expanded.append(item)
        select.set("expressions", expanded)
        for column in select.find_all(exp.Column):
            if column.table and column.table.lower() in names:
                column.set("table", exp.to_identifier(qualifier))

    def translate(self, err: BaseException) -> BaseException:
        """Return the error to report for a failure of the bound statement."""
        for stream in self.streams:
            if isinstance(stream.error, TsqlError):
                return stream.error
            if stream.error is not None and not isinstance(stream.error, GeneratorExit):
                return PredictError(
                    f"onnxruntime failed while scoring: {_first_line(stream.error)}"
                )
        if isinstance(err, duckdb.Error):
            return map_duckdb_error(err)
        return err

    def close(self) -> None:
        """Unregister the streams and close the DATA cursors and progress bars."""
        for view in self.views:
            try:
                self.session.con.unregister(view)
            except duckdb.Error:
                logger.debug("could not unregister %s", view)
        for cursor in self.cursors:
            cursor.close()
        for bar in self.bars:
            bar.close()
        self.views.clear()
        self.cursors.clear()
        self.bars.clear()


def _used_columns(predict: tx.Predict) -> set[str] | None:
    """Return the names the statement can read from a PREDICT's DATA columns.

    A ``*`` over the PREDICT rowset returns None (every column). Otherwise the
    set contains each column name referenced unqualified or through the DATA or
    PREDICT alias, in lower case. Names that belong to other tables do no harm,
    because only names that DATA has are kept.
    """
    select = predict.find_ancestor(exp.Select)
    if select is None:
        return None
    data = predict.args["data"]
    aliases = {n.lower() for n in (predict.alias, data.alias or data.name) if n}
    for item in select.expressions:
        if isinstance(item, exp.Star):
            return None
        star_column = isinstance(item, exp.Column) and isinstance(item.this, exp.Star)
        if star_column and (not item.table or item.table.lower() in aliases):
            return None
    used = set()
    for column in select.find_all(exp.Column):
        if isinstance(column.this, exp.Star):
            continue
        if not column.table or column.table.lower() in aliases:
            used.add(column.name.lower())
    return used


def _columns(qualifier: str, names: list[str]) -> list[exp.Column]:
    return [
        exp.Column(
            this=exp.to_identifier(name, quoted=True),
            table=exp.to_identifier(qualifier),
        )
        for name in names
    ]


def _check_name_clashes(columns: list[tuple[str, Any]], schema: pa.Schema) -> None:
    seen: set[str] = set()
    for name, _ in columns:
        if name.lower() in seen:
            raise PredictError(
                "Column names in each view or function must be unique. Column name "
                f"'{name}' in the WITH clause of PREDICT is specified more than once."
            )
        seen.add(name.lower())
    data = {name.lower() for name in schema.names}
    for name, _ in columns:
        if name.lower() in data:
            raise PredictError(
                f"WITH column [{name}] has the same name as a DATA column, so the "
                "PREDICT rowset would have two columns of that name. Rename the DATA "
                f"column in a CTE (SELECT [{name}] AS [{name}_input] ...)."
            )


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
