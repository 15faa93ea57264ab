"""Run T-SQL scripts against a DuckDB database with T-SQL's execution model.

The runner interprets what DuckDB has no notion of (batches, variables, control
flow, procedures, TRY/CATCH, PREDICT) and hands each SQL statement, translated
by :mod:`predictemu.tsql.transpile`, to DuckDB. Each statement runs in its own
transaction unless the script opened one, so a failed statement leaves the
database as it was.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from predictemu.errors import PredictEmuError, TsqlError, UnsupportedError
from predictemu.predict.model import ModelCache
from predictemu.runner.errors import map_duckdb_error
from predictemu.runner.output import Output, RunResult
from predictemu.runner.predict_exec import PredictBinder
from predictemu.runner.predict_views import ensure_catalog
from predictemu.sqltypes import SqlType, sql_type_from_arrow, sql_type_from_ast
from predictemu.tsql import expressions as tx
from predictemu.tsql.batches import Batch, split_batches
from predictemu.tsql.dialect import Synapse, parse_batch
from predictemu.tsql.transpile import (
    DEFAULT_SCHEMA,
    RELATION_PREFIX,
    TEMP_CATALOG,
    TranspileContext,
    Variable,
    cte_names_of,
    is_temp,
    qualify_table,
    to_duckdb,
)

logger = logging.getLogger(__name__)

TARGETS = ("synapse", "sqledge")
CATALOG_SCHEMA = "predictemu"
MAX_LOOP_ITERATIONS = 10_000_000


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    def __init__(self, status: int | None) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Frame:
    """The variable scope of a batch or a procedure call."""

    variables: dict[str, Variable] = field(default_factory=dict)
    procedure: str | None = None
    batch: int | None = None
    error: dict[str, Any] | None = None


class Session:
    """A connection to a DuckDB database that runs T-SQL scripts.

    Parameters
    ----------
    database:
        A DuckDB database file (created when missing) or ``":memory:"``.
    target:
        ``"synapse"`` (a dedicated SQL pool, the default) rejects T-SQL the pool
        does not accept; ``"sqledge"`` follows the SQL Server engine.
    threads:
        onnxruntime scoring threads for PREDICT; defaults to the CPU count.
    null_policy:
        What PREDICT does with NULL in an integer or string input: ``"error"``
        (the default) or ``"null"`` (return NULL predictions for such rows).
        NULL in a real or float input is always fed as NaN.
    batch_rows:
        Rows per PREDICT batch read from DATA and scored in one onnxruntime call.
    progress:
        A factory called with the DATA row count (or None) for each PREDICT; it
        returns an object with ``update(rows)`` and ``close()``, or None.
    memory_limit:
        DuckDB's memory limit, such as ``"1GB"``; DuckDB's default is 80% of RAM.
        DuckDB keeps the table blocks it has read in memory up to this limit.
    """

    def __init__(
        self,
        database: str | Path = ":memory:",
        target: str = "synapse",
        threads: int | None = None,
        null_policy: str = "error",
        batch_rows: int = 65_536,
        progress: Callable[[int | None], Any] | None = None,
        memory_limit: str | None = None,
    ) -> None:
        if target not in TARGETS:
            raise PredictEmuError(
                f"Unknown target '{target}'; choose one of: {', '.join(TARGETS)}."
            )
        if null_policy not in ("error", "null"):
            raise PredictEmuError(
                f"Unknown null policy '{null_policy}'; choose 'error' or 'null'."
            )
        self.database = str(database)
        self.target = target
        self.threads = threads or os.cpu_count() or 1
        self.null_policy = null_policy
        self.batch_rows = batch_rows
        self.progress = progress
        self.con = _connect(self.database)
        self.con.execute("SET integer_division = true")
        # A pool's default collation, SQL_Latin1_General_CP1_CI_AS, compares
        # strings case-insensitively. DuckDB applies this setting to every
        # cursor of the connection.
        self.con.execute("SET default_collation = 'nocase'")
        # Never download DuckDB extensions: predictemu needs none, and the
        # network must not be reached from a script.
        self.con.execute("SET autoinstall_known_extensions = false")
        self.con.execute("SET autoload_known_extensions = false")
        if memory_limit is not None:
            try:
                self.con.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error as err:
                self.con.close()
                raise PredictEmuError(
                    f"Invalid memory limit {memory_limit!r}; write a size such as "
                    "'512MB' or '2GB'."
                ) from err
        self.con.execute(f"ATTACH ':memory:' AS {TEMP_CATALOG}")
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {DEFAULT_SCHEMA}")
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {CATALOG_SCHEMA}")
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {CATALOG_SCHEMA}.procedures "
            "(name VARCHAR PRIMARY KEY, definition VARCHAR NOT NULL)"
        )
        ensure_catalog(self)
        self.models = ModelCache()
        self.nocount = False
        self.in_transaction = False
        self.transaction_depth = 0
        # @@ROWCOUNT: rows that the last statement returned or changed.
        self.rowcount = 0
        self.output: Output = Output()

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.con.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- running scripts ----------------------------------------------------------

    def run(
        self,
        script: str,
        output: Output | None = None,
        variables: dict[str, Any] | None = None,
    ) -> RunResult:
        """Run a T-SQL script; stop at the first error that no CATCH handles.

        ``variables`` predeclares variables for every batch, for example
        ``{"@model": model_bytes}``; their types follow the Python values.
        """
        output = output or Output()
        self.output = output
        status = None
        for batch in split_batches(script):
            for _ in range(batch.repeat):
                status = self._run_batch(batch, variables)
        return RunResult(output.results, output.messages, status)

    def query(self, script: str, variables: dict[str, Any] | None = None) -> pa.Table:
        """Run a script and return its last result set as an Arrow table."""
        result = self.run(script, variables=variables)
        if not result.results:
            raise PredictEmuError("The script returned no result set.")
        return result.results[-1].table

    def _run_batch(self, batch: Batch, variables: dict[str, Any] | None) -> int | None:
        frame = Frame(batch=batch.number)
        for name, value in (variables or {}).items():
            frame.variables[_normal(name)] = Variable(_python_sql_type(value), value)
        try:
            statements = parse_batch(batch.text)
            for statement in statements:
                self.execute(statement, frame)
        except _Return as signal:
            return signal.status
        except TsqlError as err:
            err.locate(None, batch.number)
            # An error inside a procedure or dynamic SQL has a line in that
            # code, which is not a line of this file: name the EXEC's line.
            line = err.call_line if err.call_line is not None else err.line
            if line is not None and err.script_line is None:
                err.script_line = batch.first_line + line - 1
            raise
        finally:
            from predictemu.runner.statements import drop_table_variables

            drop_table_variables(self, frame)
        return None

    # -- statements -----------------------------------------------------------------

    def execute(self, statement: exp.Expression, frame: Frame) -> None:
        """Execute one parsed statement in ``frame``."""
        line = statement.meta.get("line")
        try:
            handler = self._HANDLERS.get(type(statement))
            if handler is not None:
                handler(self, statement, frame)
            else:
                self._execute_sql(statement, frame)
        except TsqlError as err:
            if err.procedure is None and frame.procedure:
                err.procedure = frame.procedure
            raise err.locate(line) from None

    def _execute_block(self, block: exp.Block, frame: Frame) -> None:
        for statement in block.expressions:
            self.execute(statement, frame)

    def _execute_if(self, statement: exp.IfBlock, frame: Frame) -> None:
        if self._condition(statement.this, frame):
            self.execute(statement.args["true"], frame)
        elif statement.args.get("false") is not None:
            self.execute(statement.args["false"], frame)

    def _execute_while(self, statement: exp.WhileBlock, frame: Frame) -> None:
        iterations = 0
        while self._condition(statement.this, frame):
            iterations += 1
            if iterations > MAX_LOOP_ITERATIONS:
                raise TsqlError(
                    f"WHILE loop ran {MAX_LOOP_ITERATIONS:,} times; predictemu stops "
                    "it as a runaway loop. Check the loop condition."
                )
            try:
                self.execute(statement.args["body"], frame)
            except _Break:
                break
            except _Continue:
                continue

    def _execute_try(self, statement: tx.TryCatch, frame: Frame) -> None:
        try:
            self._execute_block(statement.this, frame)
        except TsqlError as err:
            if self.in_transaction:
                # DuckDB aborts the whole transaction on an error, as SQL Server
                # does with XACT_ABORT ON.
                self._rollback()
            saved = frame.error
            frame.error = {
                "message": err.message,
                "number": err.number,
                "severity": err.level,
                "state": err.state,
                "line": err.line,
                "procedure": err.procedure,
            }
            try:
                self._execute_block(statement.args["catch"], frame)
            finally:
                frame.error = saved

    def _execute_print(self, statement: tx.Print, frame: Frame) -> None:
        value = self.evaluate(statement.this, frame)
        self.output.message("" if value is None else _text(value))

    def _execute_declare(self, statement: tx.DeclareStatement, frame: Frame) -> None:
        for item in statement.expressions:
            name = _normal(item.name)
            if name in frame.variables:
                raise TsqlError(
                    f"The variable name '{item.name}' has already been declared. "
                    "Variable names must be unique within a query batch or stored "
                    "procedure.",
                    number=134,
                )
            if item.args.get("schema") is not None:
                from predictemu.runner.statements import declare_table_variable

                frame.variables[name] = declare_table_variable(self, item, frame)
                continue
            sql_type = sql_type_from_ast(item.args["kind"], declaration=True)
            variable = Variable(sql_type)
            frame.variables[name] = variable
            default = item.args.get("default")
            if default is not None:
                self._assign(variable, default, frame)

    def _execute_set_variable(self, statement: tx.SetVariable, frame: Frame) -> None:
        variable = self._variable(statement.name, frame)
        expression = statement.expression
        op = statement.args.get("op")
        if op:
            operators = {
                "+": exp.Add,
                "-": exp.Sub,
                "*": exp.Mul,
                "/": exp.Div,
                "%": exp.Mod,
            }
            if op not in operators:
                raise UnsupportedError(f"SET {statement.name} {op}= is not supported.")
            target = exp.Parameter(this=exp.var(statement.name.lstrip("@")))
            expression = operators[op](this=target, expression=exp.paren(expression))
        self._assign(variable, expression, frame)

    def _assign(
        self, variable: Variable, expression: exp.Expression, frame: Frame
    ) -> None:
        variable.value = self._evaluate_as(expression, variable.sql_type, frame)
        variable.null_reason = None
        query = expression.this if isinstance(expression, exp.Subquery) else None
        if variable.value is None and isinstance(query, exp.Query):
            # Remember why, so PREDICT's error for a NULL model can name the fix.
            count = exp.select("count(*)").from_(query.copy().subquery("assigned"))
            rows = self._scalar(count, frame)
            variable.null_reason = "no row" if rows == 0 else "null value"

    def _execute_set_option(self, statement: tx.SetOption, frame: Frame) -> None:
        option = statement.name.upper()
        value = (statement.args.get("value") or "").upper()
        if option == "NOCOUNT":
            self.nocount = value == "ON"
        elif (option, value) in (("DATEFIRST", "7"), ("LANGUAGE", "US_ENGLISH")):
            return
        elif option in ("DATEFIRST", "DATEFORMAT", "LANGUAGE"):
            raise UnsupportedError(
                f"SET {option} {value} is not supported: predictemu computes dates as "
                "us_english with DATEFIRST 7 (weeks start on Sunday), the defaults "
                "of a dedicated SQL pool. Remove the SET or write the dates in "
                "ISO form (yyyy-mm-dd)."
            )
        else:
            logger.info("SET %s %s has no effect in predictemu", option, value)

    def _execute_return(self, statement: tx.Return, frame: Frame) -> None:
        value = statement.this
        status = (
            None if value is None else self._evaluate_as(value, SqlType("int"), frame)
        )
        raise _Return(status)

    def _execute_break(self, statement: tx.Break, frame: Frame) -> None:
        raise _Break()

    def _execute_continue(self, statement: tx.Continue, frame: Frame) -> None:
        raise _Continue()

    def _execute_throw(self, statement: tx.Throw, frame: Frame) -> None:
        if statement.this is None:
            if frame.error is None:
                raise TsqlError(
                    "THROW without parameters must be inside a CATCH block.",
                    number=10704,
                    level=15,
                )
            error = frame.error
            raise TsqlError(
                error["message"], error["number"], error["severity"], error["state"]
            )
        number = self._evaluate_as(statement.this, SqlType("int"), frame)
        message = self.evaluate(statement.args["message"], frame)
        state = self._evaluate_as(statement.args["state"], SqlType("int"), frame)
        if number is None or number < 50000:
            raise TsqlError(
                f"Error number {number} in the THROW statement is outside the valid "
                "range. Specify an error number in the valid range of 50000 to "
                "2147483647.",
                number=35100,
            )
        raise TsqlError(_text(message), number, 16, state)

    def _execute_raiserror(self, statement: tx.RaisError, frame: Frame) -> None:
        message = self.evaluate(statement.this, frame)
        severity = self._evaluate_as(statement.args["severity"], SqlType("int"), frame)
        state = self._evaluate_as(statement.args["state"], SqlType("int"), frame)
        arguments = [self.evaluate(a, frame) for a in statement.expressions]
        text = _text(message)
        if arguments:
            text = _format_raiserror(text, arguments)
        if severity is not None and severity <= 10:
            self.output.message(text)
            return
        raise TsqlError(text, 50000, severity or 16, state or 1)

    def _execute_transaction(
        self, statement: tx.TransactionStatement, frame: Frame
    ) -> None:
        word = statement.name.upper()
        if word == "BEGIN":
            # Nested BEGIN TRAN only counts, as in SQL Server: the outermost
            # COMMIT commits, and ROLLBACK rolls back to the outermost BEGIN.
            if self.transaction_depth == 0:
                self.con.execute("BEGIN TRANSACTION")
                self.in_transaction = True
            self.transaction_depth += 1
        elif self.transaction_depth == 0:
            number = 3902 if word == "COMMIT" else 3903
            raise TsqlError(
                f"The {word} TRANSACTION request has no corresponding BEGIN "
                "TRANSACTION.",
                number=number,
            )
        elif word == "COMMIT":
            self.transaction_depth -= 1
            if self.transaction_depth == 0:
                self.con.execute("COMMIT")
                self.in_transaction = False
        else:
            self._rollback()

    def _rollback(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            logger.debug("ROLLBACK found no open transaction")
        self.in_transaction = False
        self.transaction_depth = 0

    def _execute_create_procedure(
        self, statement: tx.CreateProcedure, frame: Frame
    ) -> None:
        from predictemu.runner.procedures import create_procedure

        create_procedure(self, statement)

    def _execute_exec(self, statement: tx.ExecProcedure, frame: Frame) -> None:
        from predictemu.runner.procedures import execute_procedure

        execute_procedure(self, statement, frame)

    _HANDLERS: dict[type, Callable] = {
        exp.Block: _execute_block,
        exp.IfBlock: _execute_if,
        exp.WhileBlock: _execute_while,
        tx.TryCatch: _execute_try,
        tx.Print: _execute_print,
        tx.DeclareStatement: _execute_declare,
        tx.SetVariable: _execute_set_variable,
        tx.SetOption: _execute_set_option,
        tx.Return: _execute_return,
        tx.Break: _execute_break,
        tx.Continue: _execute_continue,
        tx.Throw: _execute_throw,
        tx.RaisError: _execute_raiserror,
        tx.TransactionStatement: _execute_transaction,
        tx.CreateProcedure: _execute_create_procedure,
        tx.ExecProcedure: _execute_exec,
    }

    # -- SQL statements -----------------------------------------------------------

    def _execute_sql(self, statement: exp.Expression, frame: Frame) -> None:
        from predictemu.runner.statements import prepare_statement

        prepared = prepare_statement(self, statement, frame)
        if prepared is None:
            return
        self._run_prepared(prepared, frame)

    def _run_prepared(self, prepared, frame: Frame) -> None:
        binder = PredictBinder(self, frame)
        own_transaction = not self.in_transaction
        if own_transaction:
            self.con.execute("BEGIN TRANSACTION")
        try:
            statement = binder.bind(prepared.statement)
            context = self.context(frame)
            sql = to_duckdb(statement, context)
            logger.debug("DuckDB SQL: %s", sql)
            if prepared.kind == "query" and prepared.consume is None:
                relation = self.con.sql(sql, params=context.params or None)
                rows = self.output.result(relation.to_arrow_reader(self.batch_rows))
                self._rows_affected(rows)
            else:
                result = self.con.execute(sql, context.params)
                if prepared.consume is not None:
                    prepared.consume(result)
                else:
                    self._consume(result, prepared.kind)
            if prepared.after is not None:
                prepared.after()
            if own_transaction:
                self.con.execute("COMMIT")
        except BaseException as err:
            if own_transaction:
                self._rollback_quietly()
            elif isinstance(err, (duckdb.Error, TsqlError)):
                self._rollback()
            translated = binder.translate(err)
            if isinstance(translated, TsqlError) and translated.number == 208:
                self._name_missing_object(translated, prepared.statement)
            raise translated from err
        finally:
            binder.close()

    def _name_missing_object(self, err: TsqlError, statement: exp.Expression) -> None:
        """Quote the missing table as the script wrote it, as SQL Server does."""
        ctes = cte_names_of(statement)
        for table in statement.find_all(exp.Table):
            if not table.name or table.name.lower() in ctes:
                continue
            if isinstance(table.parent, (exp.Column, exp.Dot)):
                continue
            if not self.object_exists(table):
                bare = table.copy()
                bare.set("alias", None)
                written = bare.sql(dialect="tsql")
                err.message = f"Invalid object name '{written}'."
                err.args = (err.message,)
                return

    def _rollback_quietly(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            logger.debug("ROLLBACK after a failed statement found no transaction")

    def _consume(self, result, kind: str) -> None:
        if kind == "dml":
            row = result.fetchone()
            self._rows_affected(int(row[0]) if row else 0)
        else:
            result.fetchall()

    def _rows_affected(self, rows: int) -> None:
        self.rowcount = rows
        if not self.nocount:
            noun = "row" if rows == 1 else "rows"
            self.output.message(f"({rows} {noun} affected)")

    # -- expressions ----------------------------------------------------------------

    def context(self, frame: Frame) -> TranspileContext:
        """Return a translation context over ``frame``'s variables."""
        context = TranspileContext(
            variables=frame.variables,
            error=frame.error,
            target=self.target,
            globals={
                "ROWCOUNT": self.rowcount,
                "TRANCOUNT": self.transaction_depth,
                "ERROR": frame.error["number"] if frame.error else 0,
            },
        )
        context.column_type = lambda column: self._column_type(column, context)
        return context

    def evaluate(self, expression: exp.Expression, frame: Frame) -> Any:
        """Evaluate a scalar T-SQL expression and return its Python value."""
        return self._scalar(exp.select(expression.copy()), frame)

    def _evaluate_as(
        self, expression: exp.Expression, sql_type: SqlType, frame: Frame
    ) -> Any:
        # The CAST names the declared T-SQL type, so the translation applies its
        # length: varchar(100) keeps 100 characters, varchar(max) all of them.
        target = exp.DataType.build(str(sql_type), dialect=Synapse)
        cast = exp.Cast(this=expression.copy(), to=target)
        value = self._scalar(exp.select(cast), frame)
        if sql_type.length and isinstance(value, str):
            value = value[: sql_type.length]
        return value

    def _condition(self, expression: exp.Expression, frame: Frame) -> bool:
        value = self._scalar(exp.select(expression.copy()), frame)
        return bool(value)

    def _scalar(self, select: exp.Select, frame: Frame) -> Any:
        from predictemu.runner.statements import resolve_object_ids

        resolve_object_ids(self, select)
        context = self.context(frame)
        sql = to_duckdb(select, context)
        try:
            result = self.con.execute(sql, context.params)
            row = result.fetchone()
            extra = result.fetchone()
        except duckdb.Error as err:
            raise map_duckdb_error(err) from err
        if extra is not None:
            raise TsqlError(
                "Subquery returned more than 1 value. This is not permitted when the "
                "subquery follows =, !=, <, <= , >, >= or when the subquery is used "
                "as an expression.",
                number=512,
            )
        return row[0] if row else None

    def _variable(self, name: str, frame: Frame) -> Variable:
        variable = frame.variables.get(_normal(name))
        if variable is None:
            raise TsqlError(f'Must declare the scalar variable "{name}".', number=137)
        return variable

    def _column_type(
        self, column: exp.Column, context: TranspileContext | None = None
    ) -> SqlType | None:
        select = column.find_ancestor(exp.Select)
        if select is None:
            return None
        derived = self._derived_column_type(column, select, context)
        if derived is not None:
            return derived
        tables = [
            t
            for t in select.find_all(exp.Table)
            if t.find_ancestor(exp.Select) is select
        ]
        for table in tables:
            if column.table and column.table.lower() not in (
                table.alias_or_name.lower(),
                table.name.lower(),
            ):
                continue
            columns = self.table_columns(table)
            if columns and column.name.lower() in columns:
                return columns[column.name.lower()]
        return None

    def _derived_column_type(
        self,
        column: exp.Column,
        select: exp.Select,
        context: TranspileContext | None,
    ) -> SqlType | None:
        """Return the type of a column of a derived table or CTE, asking DuckDB.

        By the time an operand's type is needed, the FROM clause and the CTEs
        are already translated (children are rewritten first), so DuckDB can
        bind them and report their column types without running them.
        """
        if context is None:
            return None
        root = column.root()
        ctes = {cte.alias_or_name.lower(): cte for cte in root.find_all(exp.CTE)}
        from_ = select.args.get("from_")
        sources = [from_.this] if from_ else []
        sources += [join.this for join in select.args.get("joins") or []]
        for source in sources:
            name = source.alias_or_name if isinstance(source, exp.Expression) else ""
            if column.table and column.table.lower() != name.lower():
                continue
            if isinstance(source, exp.Subquery):
                query = source.this.copy()
            elif (
                isinstance(source, exp.Table)
                and not source.args.get("db")
                and (source.name.lower() in ctes)
            ):
                query = exp.select("*").from_(exp.to_identifier(source.name))
                query.set("with_", root.args.get("with_").copy())
            else:
                continue
            types = self._describe(query, context)
            if types and column.name.lower() in types:
                return types[column.name.lower()]
        return None

    def _describe(
        self, query: exp.Expression, context: TranspileContext
    ) -> dict[str, SqlType] | None:
        used = {p.name for p in query.find_all(exp.Placeholder)}
        params = {k: v for k, v in context.params.items() if k in used}
        try:
            relation = self.con.sql(query.sql(dialect="duckdb"), params=params or None)
        except duckdb.Error:
            logger.debug("could not type a derived table", exc_info=True)
            return None
        return {
            name.lower(): _sql_type_of_duckdb(str(kind))
            for name, kind in zip(relation.columns, relation.types, strict=True)
        }

    def table_columns(self, table: exp.Table) -> dict[str, SqlType] | None:
        """Return the columns of a (translated) table, or None if it does not exist."""
        catalog = table.catalog or None
        schema = table.db or DEFAULT_SCHEMA
        if table.name.startswith(RELATION_PREFIX):
            # A PREDICT rowset registered for this statement lives in DuckDB's
            # temp catalog; listing its columns does not read the stream.
            catalog, schema = "temp", "main"
        rows = self.con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE lower(schema_name) = lower(?) AND lower(table_name) = lower(?) "
            "AND (? IS NULL OR database_name = ?) ORDER BY column_index",
            [schema, table.name, catalog, catalog],
        ).fetchall()
        if not rows:
            return None
        return {name.lower(): _sql_type_of_duckdb(kind) for name, kind in rows}

    def qualify(self, table: exp.Table, cte_names: set[str] | None = None) -> exp.Table:
        """Return a copy of a T-SQL table name mapped to its DuckDB location."""
        table = table.copy()
        qualify_table(table, cte_names or set(), self.target)
        return table

    def object_exists(self, table: exp.Table) -> bool:
        """Tell whether a table or view exists (name as written in T-SQL)."""
        from predictemu.runner.predict_views import predict_view_exists

        if self.table_columns(self.qualify(table)) is not None:
            return True
        return not is_temp(table) and predict_view_exists(self, table)

    def is_temp(self, table: exp.Table) -> bool:
        """Tell whether a T-SQL table name is a temp table."""
        return is_temp(table)

    def cte_names(self, statement: exp.Expression) -> set[str]:
        """Return the CTE names a statement defines."""
        return cte_names_of(statement)


def _connect(database: str) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database, turning failures into errors that name the fix."""
    if database != ":memory:":
        path = Path(database)
        if path.is_dir():
            raise PredictEmuError(
                f"Database {path} is a directory; name a file such as "
                f"{path / 'warehouse.duckdb'}."
            )
        if not path.parent.exists():
            raise PredictEmuError(
                f"Cannot create database {path}: the folder {path.parent} does not "
                "exist. Create it first or choose another path."
            )
    try:
        return duckdb.connect(database)
    except duckdb.Error as err:
        detail = str(err).strip().splitlines()[0].rstrip(".!")
        raise PredictEmuError(
            f"Cannot open database {database}: {detail}. Check that the file is a "
            "DuckDB database that no other process has open for writing."
        ) from err


def _normal(name: str) -> str:
    return name.lower() if name.startswith("@") else "@" + name.lower()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex().upper()
    return str(value)


def _format_raiserror(text: str, arguments: list[Any]) -> str:
    result = []
    values = iter(arguments)
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%" and index + 1 < len(text):
            code = text[index + 1]
            if code == "%":
                result.append("%")
                index += 2
                continue
            if code in "dsiuxX":
                value = next(values, None)
                result.append("(null)" if value is None else _text(value))
                index += 2
                continue
        result.append(char)
        index += 1
    return "".join(result)


def _python_sql_type(value: Any) -> SqlType:
    if isinstance(value, bool):
        return SqlType("bit")
    if isinstance(value, int):
        return SqlType("bigint")
    if isinstance(value, float):
        return SqlType("float")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return SqlType("varbinary")
    if value is None:
        return SqlType("varchar")
    return SqlType("nvarchar")


def _sql_type_of_duckdb(kind: str) -> SqlType:
    upper = kind.upper()
    if upper.startswith("DECIMAL"):
        inner = upper[upper.index("(") + 1 : upper.index(")")].split(",")
        return SqlType("decimal", precision=int(inner[0]), scale=int(inner[1]))
    simple = {
        "FLOAT": pa.float32(),
        "DOUBLE": pa.float64(),
        "BIGINT": pa.int64(),
        "INTEGER": pa.int32(),
        "SMALLINT": pa.int16(),
        "TINYINT": pa.int8(),
        "UTINYINT": pa.uint8(),
        "BOOLEAN": pa.bool_(),
        "VARCHAR": pa.string(),
        "BLOB": pa.binary(),
        "DATE": pa.date32(),
        "TIMESTAMP": pa.timestamp("us"),
    }
    if upper in simple:
        return sql_type_from_arrow(simple[upper])
    return SqlType(kind.lower())
