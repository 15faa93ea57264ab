"""The T-SQL dialect of Synapse dedicated SQL pools, as an extension of sqlglot's.

sqlglot's T-SQL dialect parses single statements separated by semicolons. A
scoring script needs more: statements without semicolons, control flow, stored
procedures, variables, ``PREDICT`` and the Synapse table options. This module
adds them through the parser's class-level tables and a statement loop that
parses one statement after another from the token stream.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from sqlglot import exp
from sqlglot.dialects.tsql import TSQL
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.tokens import Token, TokenType

from predictemu.errors import TsqlError, TsqlSyntaxError, UnsupportedError
from predictemu.tsql import expressions as tx

# Words that begin a T-SQL statement. An unquoted one is never read as an alias,
# so ``SELECT * FROM t`` followed by ``IF ...`` on the next line is two statements.
STATEMENT_WORDS = frozenset(
    {
        "BEGIN",
        "BREAK",
        "COMMIT",
        "CONTINUE",
        "CREATE",
        "DECLARE",
        "DELETE",
        "DROP",
        "ELSE",
        "END",
        "EXEC",
        "EXECUTE",
        "GO",
        "IF",
        "INSERT",
        "MERGE",
        "PRINT",
        "RAISERROR",
        "RETURN",
        "ROLLBACK",
        "SELECT",
        "SET",
        "THROW",
        "TRUNCATE",
        "UPDATE",
        "WHILE",
        "WITH",
        "ALTER",
        "COPY",
        "OPEN",
        "FETCH",
        "CLOSE",
        "DEALLOCATE",
    }
)


def _parse_distribution(self: Any) -> tx.SynapseTableOption:
    self._match(TokenType.EQ)
    if self._match_text_seq("HASH"):
        columns = self._parse_wrapped_csv(self._parse_id_var)
        return tx.SynapseTableOption(
            this=exp.var("DISTRIBUTION"), value=exp.var("HASH"), expressions=columns
        )
    if self._match_texts(("ROUND_ROBIN", "REPLICATE")):
        return tx.SynapseTableOption(
            this=exp.var("DISTRIBUTION"), value=exp.var(self._prev.text.upper())
        )
    self.raise_error(
        "Expected HASH(column), ROUND_ROBIN or REPLICATE after DISTRIBUTION"
    )
    raise AssertionError("unreachable")


def _parse_clustered(self: Any) -> tx.SynapseTableOption:
    if self._match_text_seq("COLUMNSTORE", "INDEX"):
        columns = None
        if self._match_text_seq("ORDER"):
            columns = self._parse_wrapped_csv(self._parse_id_var)
        return tx.SynapseTableOption(
            this=exp.var("CLUSTERED COLUMNSTORE INDEX"), expressions=columns
        )
    self.raise_error("Expected COLUMNSTORE INDEX or INDEX (columns) after CLUSTERED")
    raise AssertionError("unreachable")


def _parse_clustered_index(self: Any) -> tx.SynapseTableOption:
    columns = self._parse_wrapped_csv(self._parse_ordered)
    return tx.SynapseTableOption(this=exp.var("CLUSTERED INDEX"), expressions=columns)


def _parse_table_partition(self: Any) -> tx.SynapseTableOption:
    # PARTITION (col RANGE [LEFT | RIGHT] FOR VALUES (v1, v2, ...)) is accepted and
    # recorded; partitions do not change query results.
    self._match_l_paren()
    column = self._parse_id_var()
    self._match_text_seq("RANGE")
    self._match_texts(("LEFT", "RIGHT"))
    self._match_text_seq("FOR", "VALUES")
    values = self._parse_wrapped_csv(self._parse_bitwise)
    self._match_r_paren()
    return tx.SynapseTableOption(
        this=exp.var("PARTITION"), value=column, expressions=values
    )


def _left_or_right(kind: type[exp.Expression], args: list) -> exp.Expression:
    """Build LEFT or RIGHT, converting a non-text first argument to varchar(max).

    T-SQL converts a number to text implicitly. sqlglot's T-SQL parser casts to
    the text type, which a dedicated pool does not have, so varchar(max) is used.
    """
    this = args[0] if args else None
    if this is not None and not this.is_string:
        this = exp.Cast(
            this=this, to=exp.DataType.build("VARCHAR(MAX)", dialect="tsql")
        )
    return kind(this=this, expression=args[1] if len(args) > 1 else None)


class Synapse(TSQL):
    """T-SQL as a Synapse dedicated SQL pool reads it, with PREDICT and control flow."""

    class Tokenizer(TSQL.Tokenizer):
        KEYWORDS = {
            **TSQL.Tokenizer.KEYWORDS,
            # T-SQL's float is float(53), an 8-byte double; real is 4 bytes.
            "FLOAT": TokenType.DOUBLE,
            "REAL": TokenType.FLOAT,
        }
        # No token swallows the rest of its statement as text: the statement
        # loop below parses PRINT, GO and the rest itself.
        COMMANDS: set[TokenType] = set()

    class Parser(TSQL.Parser):
        FUNCTIONS = {
            **TSQL.Parser.FUNCTIONS,
            # LEN keeps its argument as written; the transpiler converts it to text.
            "LEN": lambda args: exp.Length(this=args[0] if args else None),
            "LEFT": lambda args: _left_or_right(exp.Left, args),
            "RIGHT": lambda args: _left_or_right(exp.Right, args),
        }

        # T-SQL has no CREATE TABLE ... CLONE/COPY, so a COPY INTO on the line
        # after a CREATE TABLE is the next statement.
        CLONE_KEYWORDS: set[str] = set()

        PROPERTY_PARSERS = {
            **{k: v for k, v in TSQL.Parser.PROPERTY_PARSERS.items() if k != "COPY"},
            "DISTRIBUTION": _parse_distribution,
            "HEAP": lambda self: tx.SynapseTableOption(this=exp.var("HEAP")),
            "CLUSTERED": _parse_clustered,
            "CLUSTERED INDEX": _parse_clustered_index,
            "PARTITION": _parse_table_partition,
        }

        def parse_batch(self, tokens: list[Token], sql: str) -> list[exp.Expression]:
            """Parse every statement of one batch, with or without semicolons."""
            self.reset()
            self.sql = sql
            self._chunks = [tokens]
            self._advance_chunk()
            statements: list[exp.Expression] = []
            while True:
                self._skip_semicolons()
                if not self._curr:
                    return statements
                statements.append(self._parse_tsql_statement())

        # -- the statement loop -------------------------------------------------

        def _skip_semicolons(self) -> None:
            while self._match(TokenType.SEMICOLON):
                pass

        def _word(self, token: Token | None = None) -> str:
            token = token or self._curr
            if not token or token.token_type in (
                TokenType.STRING,
                TokenType.IDENTIFIER,
            ):
                return ""
            return token.text.upper()

        def _parse_tsql_statement(self) -> exp.Expression:
            start = self._curr
            if start.token_type == TokenType.WITH:
                self._check_cte_start()
            handler = self.TSQL_STATEMENT_PARSERS.get(self._word())
            if handler is not None:
                statement = handler(self)
            else:
                statement = self._parse_sql_statement()
            statement.meta["line"] = start.line
            return statement

        def _check_cte_start(self) -> None:
            """Reject a CTE after a statement with no semicolon, as SQL Server does.

            Only the start of a batch or block, or a semicolon, may come before
            ``WITH name AS (...)``; the pool reports Msg 319 otherwise.
            """
            previous = self._tokens[self._index - 1] if self._index > 0 else None
            if previous is None or previous.token_type == TokenType.SEMICOLON:
                return
            if self._word(previous) in ("BEGIN", "TRY", "CATCH", "AS", "ELSE"):
                return
            raise TsqlError(
                "Incorrect syntax near the keyword 'with'. If this statement is a "
                "common table expression, an xmlnamespaces clause or a change "
                "tracking context clause, the previous statement must be terminated "
                "with a semicolon.",
                number=319,
                level=15,
                line=self._curr.line,
            )

        def _parse_sql_statement(self) -> exp.Expression:
            start = self._curr
            start_index = self._index
            statement = self._parse_statement()
            if statement is None or isinstance(statement, exp.Command):
                statement = self._parse_within_boundaries(start_index)
            if statement is None:
                raise UnsupportedError(
                    f"'{start.text}' statements are not supported by predictemu.",
                    line=start.line,
                )
            if self._curr and not self._at_statement_start():
                raise TsqlSyntaxError(
                    f"Incorrect syntax near '{self._curr.text}'.", line=self._curr.line
                )
            return statement

        def _parse_within_boundaries(self, start_index: int) -> exp.Expression | None:
            """Parse a statement that sqlglot only parses when nothing follows it.

            sqlglot expects each statement to end its chunk; some of its parsers
            (CREATE TABLE among them) fall back to an opaque command otherwise.
            Each later statement keyword is a possible end: try the farthest
            first and keep the longest window that parses as a statement.
            """
            full_size = self._tokens_size
            try:
                for boundary in reversed(self._statement_boundaries(start_index)):
                    self._tokens_size = boundary
                    self._index = start_index
                    self._advance(0)
                    try:
                        statement = self._parse_statement()
                    except ParseError:
                        continue
                    if isinstance(statement, exp.Command) or statement is None:
                        continue
                    if self._index >= boundary:
                        return statement
                return None
            finally:
                self._tokens_size = full_size
                self._advance(0)

        def _statement_boundaries(self, start_index: int) -> list[int]:
            boundaries = []
            depth = 0
            for index in range(start_index + 1, len(self._tokens)):
                token = self._tokens[index]
                if token.token_type == TokenType.L_PAREN:
                    depth += 1
                elif token.token_type == TokenType.R_PAREN:
                    depth -= 1
                elif depth == 0 and (
                    token.token_type == TokenType.SEMICOLON
                    or self._word(token) in STATEMENT_WORDS
                ):
                    boundaries.append(index)
            boundaries.append(len(self._tokens))
            return boundaries

        def _warn_unsupported(self) -> None:
            # A fallback to an opaque command is retried or reported as an error
            # by the statement loop, so sqlglot's warning would only be noise.
            return

        def _at_statement_start(self) -> bool:
            token = self._curr
            return (
                token.token_type in (TokenType.SEMICOLON, TokenType.L_PAREN)
                or self._word() in STATEMENT_WORDS
            )

        def _parse_statement_or_block(self) -> exp.Expression:
            self._skip_semicolons()
            if not self._curr:
                raise TsqlSyntaxError("Incorrect syntax near the end of the batch.")
            return self._parse_tsql_statement()

        def _parse_begin(self) -> exp.Expression:
            self._advance()
            if self._match_text_seq("TRY"):
                body = self._parse_statements_until("END", "TRY")
                if not self._match_text_seq("BEGIN", "CATCH"):
                    self._syntax_error("BEGIN TRY must be followed by BEGIN CATCH")
                catch = self._parse_statements_until("END", "CATCH")
                return tx.TryCatch(this=body, catch=catch)
            if self._match_texts(("TRAN", "TRANSACTION", "DISTRIBUTED")):
                self._match_texts(("TRAN", "TRANSACTION"))
                self._parse_transaction_name()
                return tx.TransactionStatement(this=exp.var("BEGIN"))
            return self._parse_statements_until("END")

        def _parse_statements_until(self, *words: str) -> exp.Block:
            statements: list[exp.Expression] = []
            while True:
                self._skip_semicolons()
                if not self._curr:
                    self._syntax_error(f"Missing {' '.join(words)}")
                if self._match_text_seq(*words):
                    return exp.Block(expressions=statements)
                statements.append(self._parse_tsql_statement())

        def _parse_transaction_name(self) -> None:
            token_types = (TokenType.VAR, TokenType.PARAMETER)
            if (
                self._curr
                and self._curr.token_type in token_types
                and self._word() not in STATEMENT_WORDS
            ):
                self._advance()

        def _parse_if_statement(self) -> exp.Expression:
            self._advance()
            condition = self._parse_disjunction()
            if condition is None:
                self._syntax_error("IF needs a condition")
            true = self._parse_statement_or_block()
            self._skip_semicolons()
            false = None
            if self._match(TokenType.ELSE):
                false = self._parse_statement_or_block()
            return exp.IfBlock(this=condition, true=true, false=false)

        def _parse_while_statement(self) -> exp.Expression:
            self._advance()
            condition = self._parse_disjunction()
            if condition is None:
                self._syntax_error("WHILE needs a condition")
            return exp.WhileBlock(this=condition, body=self._parse_statement_or_block())

        def _parse_print(self) -> exp.Expression:
            self._advance()
            return tx.Print(this=self._parse_disjunction())

        def _parse_return(self) -> exp.Expression:
            self._advance()
            value = None
            if self._curr and not self._at_statement_start():
                value = self._parse_disjunction()
            return tx.Return(this=value)

        def _parse_throw(self) -> exp.Expression:
            self._advance()
            if not self._curr or self._at_statement_start():
                return tx.Throw()
            number = self._parse_bitwise()
            self._match(TokenType.COMMA)
            message = self._parse_bitwise()
            self._match(TokenType.COMMA)
            state = self._parse_bitwise()
            return tx.Throw(this=number, message=message, state=state)

        def _parse_raiserror(self) -> exp.Expression:
            self._advance()
            args = self._parse_wrapped_csv(self._parse_bitwise)
            if len(args) < 3:
                self._syntax_error("RAISERROR needs a message, a severity and a state")
            if self._match(TokenType.WITH):
                self._parse_csv(self._parse_var)
            return tx.RaisError(
                this=args[0], severity=args[1], state=args[2], expressions=args[3:]
            )

        def _parse_declare_statement(self) -> exp.Expression:
            self._advance()
            return tx.DeclareStatement(
                expressions=self._parse_csv(self._parse_declared)
            )

        def _parse_declared(self) -> tx.DeclareVariable:
            if not self._at_variable() and self._word(self._next) in (
                "CURSOR",
                "INSENSITIVE",
                "SCROLL",
            ):
                self._reject_cursor()
            name = self._parse_variable_name()
            self._match(TokenType.ALIAS)
            if self._match(TokenType.TABLE):
                schema = self._parse_schema()
                return tx.DeclareVariable(this=name, schema=schema)
            kind = self._parse_types()
            if kind is None:
                self._syntax_error(f"DECLARE {name} needs a data type")
            default = self._parse_disjunction() if self._match(TokenType.EQ) else None
            return tx.DeclareVariable(this=name, kind=kind, default=default)

        def _peek_type(self, offset: int) -> TokenType | None:
            index = self._index + offset
            return self._tokens[index].token_type if index < len(self._tokens) else None

        def _at_variable(self) -> bool:
            return bool(self._curr and self._curr.token_type == TokenType.PARAMETER)

        def _parse_variable_name(self) -> str:
            if not self._at_variable() or not self._next:
                self._syntax_error("Expected a variable name starting with @")
            self._advance()
            name = self._curr.text
            self._advance()
            return "@" + name

        def _parse_set_statement(self) -> exp.Expression:
            self._advance()
            if self._at_variable():
                name = self._parse_variable_name()
                op = None
                if self._curr and self._curr.token_type != TokenType.EQ:
                    op = self._curr.text
                    self._advance()
                if not self._match(TokenType.EQ):
                    self._syntax_error(f"Expected = after SET {name}")
                return tx.SetVariable(
                    this=name, expression=self._parse_disjunction(), op=op
                )
            option = self._curr.text.upper()
            self._advance()
            # Options such as SET ANSI_NULLS ON or SET XACT_ABORT ON take one value;
            # SET TRANSACTION ISOLATION LEVEL ... takes several words.
            words = []
            while self._curr and not self._at_statement_start():
                words.append(self._curr.text.upper())
                self._advance()
            return tx.SetOption(this=option, value=" ".join(words))

        def _parse_exec(self) -> exp.Expression:
            self._advance()
            if self._curr and self._curr.token_type == TokenType.ALIAS:
                raise UnsupportedError(
                    "EXECUTE AS is not supported in a dedicated SQL pool, nor by "
                    "predictemu; run the script as the user that needs the rights.",
                    line=self._curr.line,
                )
            if self._match(TokenType.L_PAREN):
                sql = self._parse_bitwise()
                self._match_r_paren()
                return tx.ExecProcedure(sql=sql)
            status = None
            if self._at_variable() and self._peek_type(2) == TokenType.EQ:
                status = self._parse_variable_name()
                self._advance()
            name = self._parse_table_parts(schema=True)
            arguments = []
            if self._curr and not self._at_statement_start():
                arguments = self._parse_csv(self._parse_exec_argument)
            return tx.ExecProcedure(this=name, expressions=arguments, status=status)

        def _parse_exec_argument(self) -> tx.ExecArgument:
            name = None
            if self._at_variable() and self._peek_type(2) == TokenType.EQ:
                name = self._parse_variable_name()
                self._advance()
            if self._match(TokenType.DEFAULT):
                value: exp.Expression = exp.var("DEFAULT")
            else:
                value = self._parse_bitwise()
            output = self._match(TokenType.RETURNING) or self._match_text_seq("OUT")
            return tx.ExecArgument(this=name, value=value, output=bool(output))

        def _parse_create_statement(self) -> exp.Expression:
            start = self._curr
            index = self._index
            self._advance()
            replace = bool(self._match_text_seq("OR", "ALTER"))
            if self._match(TokenType.PROCEDURE):
                return self._parse_procedure(start, replace)
            if self._word() == "TRIGGER":
                raise UnsupportedError(
                    "Triggers are not supported in a dedicated SQL pool, nor by "
                    "predictemu; run the trigger's statements after the change "
                    "that would fire it.",
                    line=start.line,
                )
            self._retreat(index)
            return self._parse_sql_statement()

        def _parse_alter_statement(self) -> exp.Expression:
            start = self._curr
            index = self._index
            self._advance()
            if self._match(TokenType.PROCEDURE):
                return self._parse_procedure(start, True)
            self._retreat(index)
            return self._parse_sql_statement()

        def _parse_procedure_options(self, name: exp.Expression) -> None:
            # A dedicated pool's CREATE PROCEDURE has no WITH clause. EXECUTE AS
            # changes who the body runs as, so it is rejected rather than
            # ignored; ENCRYPTION and RECOMPILE change no result and are skipped.
            if self._curr and self._curr.text.upper() in ("EXECUTE", "EXEC"):
                raise UnsupportedError(
                    f"WITH EXECUTE AS in procedure {name.sql()} is not supported in "
                    "a dedicated SQL pool; remove the WITH EXECUTE AS clause.",
                    line=self._curr.line,
                )
            self._parse_csv(self._parse_var)

        def _parse_procedure(self, start: Token, replace: bool) -> tx.CreateProcedure:
            name = self._parse_table_parts(schema=True)
            wrapped = self._match(TokenType.L_PAREN)
            parameters = []
            if self._at_variable():
                parameters = self._parse_csv(self._parse_procedure_parameter)
            if wrapped:
                self._match_r_paren()
            if self._match(TokenType.WITH):
                self._parse_procedure_options(name)
            if not self._match(TokenType.ALIAS):
                self._syntax_error(
                    f"Expected AS before the body of procedure {name.sql()}"
                )
            # The body of a procedure runs to the end of the batch, as in SQL Server.
            body = []
            while True:
                self._skip_semicolons()
                if not self._curr:
                    break
                body.append(self._parse_tsql_statement())
            end = self._prev
            # SQL Server stores the batch text from its first character, so a
            # comment above CREATE counts in the procedure's line numbers. A
            # CREATE that is not the first statement keeps its own text.
            first = start is self._tokens[0]
            source = self.sql[0 if first else start.start : end.end + 1]
            return tx.CreateProcedure(
                this=name,
                expressions=parameters,
                body=exp.Block(expressions=body),
                replace=replace,
                source=source,
            )

        def _parse_procedure_parameter(self) -> tx.ProcedureParameter:
            name = self._parse_variable_name()
            self._match(TokenType.ALIAS)
            kind = self._parse_types()
            if kind is None:
                self._syntax_error(f"Parameter {name} needs a data type")
            default = self._parse_bitwise() if self._match(TokenType.EQ) else None
            output = self._match(TokenType.RETURNING) or self._match_text_seq("OUT")
            self._match_text_seq("READONLY")
            return tx.ProcedureParameter(
                this=name, kind=kind, default=default, output=bool(output)
            )

        def _parse_transaction_end(self) -> exp.Expression:
            word = self._word()
            self._advance()
            self._match_texts(("TRAN", "TRANSACTION", "WORK"))
            self._parse_transaction_name()
            return tx.TransactionStatement(this=exp.var(word))

        def _parse_break(self) -> exp.Expression:
            self._advance()
            return tx.Break()

        def _parse_continue(self) -> exp.Expression:
            self._advance()
            return tx.Continue()

        def _reject_cursor(self) -> exp.Expression:
            raise UnsupportedError(
                "Cursors are not supported in a dedicated SQL pool, nor by "
                "predictemu; loop with WHILE over a #temp table numbered with "
                "ROW_NUMBER() instead.",
                line=self._curr.line,
            )

        def _parse_go_inside_batch(self) -> exp.Expression:
            self._syntax_error("GO must stand on a line of its own")
            raise AssertionError("unreachable")

        def _syntax_error(self, message: str) -> None:
            line = (
                self._curr.line
                if self._curr
                else (self._prev.line if self._prev else None)
            )
            raise TsqlSyntaxError(f"Incorrect syntax: {message}.", line=line)

        TSQL_STATEMENT_PARSERS: dict[str, Callable[[Any], exp.Expression]] = {
            "BEGIN": _parse_begin,
            "IF": _parse_if_statement,
            "WHILE": _parse_while_statement,
            "PRINT": _parse_print,
            "RETURN": _parse_return,
            "THROW": _parse_throw,
            "RAISERROR": _parse_raiserror,
            "DECLARE": _parse_declare_statement,
            "SET": _parse_set_statement,
            "EXEC": _parse_exec,
            "EXECUTE": _parse_exec,
            "CREATE": _parse_create_statement,
            "ALTER": _parse_alter_statement,
            "COMMIT": _parse_transaction_end,
            "ROLLBACK": _parse_transaction_end,
            "BREAK": _parse_break,
            "CONTINUE": _parse_continue,
            "GO": _parse_go_inside_batch,
            "OPEN": lambda self: self._reject_cursor(),
            "FETCH": lambda self: self._reject_cursor(),
            "CLOSE": lambda self: self._reject_cursor(),
            "DEALLOCATE": lambda self: self._reject_cursor(),
        }

        # -- PREDICT ------------------------------------------------------------

        def _parse_table(
            self,
            schema: bool = False,
            joins: bool = False,
            alias_tokens: Collection[TokenType] | None = None,
            parse_bracket: bool = False,
            is_db_reference: bool = False,
            parse_partition: bool = False,
            consume_pipe: bool = False,
        ) -> exp.Expression | None:
            if (
                self._word() == "PREDICT"
                and self._next
                and self._next.token_type == TokenType.L_PAREN
            ):
                self._advance(2)
                return self._parse_predict()
            return super()._parse_table(
                schema=schema,
                joins=joins,
                alias_tokens=alias_tokens,
                parse_bracket=parse_bracket,
                is_db_reference=is_db_reference,
                parse_partition=parse_partition,
                consume_pipe=consume_pipe,
            )

        def _parse_predict(self) -> tx.Predict:
            start = self._prev
            self._expect_argument("MODEL")
            model = self._parse_bitwise()
            if not self._match(TokenType.COMMA):
                self._syntax_error("PREDICT expects DATA = <table> after MODEL")
            self._expect_argument("DATA")
            data = super()._parse_table()
            if not isinstance(data, exp.Table):
                raise UnsupportedError(
                    "PREDICT DATA must name a table, view, CTE or temp table; move the "
                    "query into a CTE (WITH d AS (SELECT ...)) and pass its name.",
                    line=start.line,
                )
            runtime = None
            if self._match(TokenType.COMMA):
                self._expect_argument("RUNTIME")
                runtime = self._parse_var(any_token=True)
            self._match_r_paren()
            if not self._match(TokenType.WITH):
                raise TsqlSyntaxError(
                    "PREDICT requires a WITH (column type, ...) clause that declares "
                    "the model outputs to return.",
                    line=start.line,
                )
            columns = self._parse_wrapped_csv(self._parse_field_def)
            alias = self._parse_table_alias()
            predict = tx.Predict(
                model=model,
                data=data,
                runtime=runtime,
                expressions=columns,
                alias=alias,
            )
            predict.meta["line"] = start.line
            return predict

        def _expect_argument(self, name: str) -> None:
            if not self._match_text_seq(name) or not self._match(TokenType.EQ):
                self._syntax_error(f"PREDICT expects {name} = ... at this position")

        def _parse_create(self) -> exp.Expression:
            self._in_create = True
            try:
                return super()._parse_create()
            finally:
                self._in_create = False

        def _parse_ddl_select(self) -> exp.Expression | None:
            # In T-SQL the query of CREATE TABLE/VIEW ... AS always follows AS, so
            # a SELECT on the line after a CREATE TABLE is the next statement.
            in_create = getattr(self, "_in_create", False)
            if in_create and self._prev.token_type != TokenType.ALIAS:
                return None
            return super()._parse_ddl_select()

        # -- leniencies of sqlglot that SQL Server does not share -----------------

        def _parse_csv(
            self, parse_method: Callable[[], Any], sep: TokenType = TokenType.COMMA
        ) -> list[Any]:
            """Parse a separated list, rejecting a separator with nothing after it.

            SQL Server rejects ``SELECT a, FROM t`` (Msg 102). It accepts a
            trailing comma only before the closing parenthesis of a CREATE
            TABLE column list.
            """
            items = []
            item = parse_method()
            if item is not None:
                items.append(item)
            while self._match(sep):
                if isinstance(item, exp.Expression):
                    self._add_comments(item)
                item = parse_method()
                if item is not None:
                    items.append(item)
                    continue
                closing = self._curr and self._curr.token_type == TokenType.R_PAREN
                if not (closing and getattr(self, "_in_create", False)):
                    self._reject_near_current()
            return items

        def _parse_join(self, *args: Any, **kwargs: Any) -> exp.Join | None:
            comma = self._curr and self._curr.token_type == TokenType.COMMA
            join = super()._parse_join(*args, **kwargs)
            if comma and join is None and self._prev.token_type == TokenType.COMMA:
                # FROM t, with no table after the comma.
                self._reject_near_current()
            return join

        def _parse_in(self, this: exp.Expression | None, alias: bool = False) -> exp.In:
            node = super()._parse_in(this, alias=alias)
            empty = not any(
                node.args.get(key)
                for key in ("expressions", "query", "unnest", "field")
            )
            if empty:
                # IN () with an empty list.
                raise TsqlSyntaxError(
                    "Incorrect syntax near ')'.", line=self._prev.line
                )
            return node

        def _reject_near_current(self) -> None:
            token = self._curr or self._prev
            if (
                token.token_type
                in (
                    TokenType.VAR,
                    TokenType.IDENTIFIER,
                    TokenType.STRING,
                    TokenType.NUMBER,
                )
                or not token.text.isalpha()
            ):
                near = f"'{token.text}'"
            else:
                near = f"the keyword '{token.text.upper()}'"
            raise TsqlSyntaxError(f"Incorrect syntax near {near}.", line=token.line)

        def _parse_atom(self) -> exp.Expression | None:
            # 0x alone is an empty binary constant. sqlglot's tokenizer reads it
            # as an identifier because no hex digit follows, and [0x] would be
            # the same token, so the source text distinguishes them.
            token = self._curr
            if (
                token
                and token.token_type == TokenType.IDENTIFIER
                and self.sql[token.start : token.end + 1].lower() == "0x"
            ):
                self._advance()
                return exp.HexString(this="")
            return super()._parse_atom()

        def _parse_primary(self) -> exp.Expression | None:
            # In T-SQL, SELECT 'value' 'name' is a column named name: a string
            # after a string is an alias, never concatenated to it.
            if (
                self._curr
                and self._curr.token_type == TokenType.STRING
                and self._next
                and self._next.token_type == TokenType.STRING
            ):
                self._advance()
                return exp.Literal.string(self._prev.text)
            return super()._parse_primary()

        # -- aliases never swallow the next statement ---------------------------

        def _at_statement_word(self) -> bool:
            return bool(
                self._curr
                and self._curr.token_type
                not in (TokenType.IDENTIFIER, TokenType.STRING)
                and self._curr.text.upper() in STATEMENT_WORDS
            )

        def _parse_table_alias(
            self, alias_tokens: Collection[TokenType] | None = None
        ) -> exp.TableAlias | None:
            if self._at_statement_word():
                return None
            return super()._parse_table_alias(alias_tokens=alias_tokens)

        def _parse_alias(
            self, this: exp.Expression | None, explicit: bool = False
        ) -> exp.Expression | None:
            if self._at_statement_word():
                return this
            return super()._parse_alias(this, explicit=explicit)

    class Generator(TSQL.Generator):
        # The tokenizer reads float as DOUBLE and real as FLOAT; print them back so.
        TYPE_MAPPING = {
            **TSQL.Generator.TYPE_MAPPING,
            exp.DType.DOUBLE: "FLOAT",
            exp.DType.FLOAT: "REAL",
        }

        PROPERTIES_LOCATION = {
            **TSQL.Generator.PROPERTIES_LOCATION,
            tx.SynapseTableOption: exp.Properties.Location.POST_SCHEMA,
        }

        TRANSFORMS = {
            **TSQL.Generator.TRANSFORMS,
            tx.Predict: lambda self, e: self.predict_sql(e),
            tx.SynapseTableOption: lambda self, e: self.synapsetableoption_sql(e),
        }

        def predict_sql(self, expression: tx.Predict) -> str:
            args = [
                f"MODEL = {self.sql(expression, 'model')}",
                f"DATA = {self.sql(expression, 'data')}",
            ]
            if expression.args.get("runtime"):
                args.append(f"RUNTIME = {self.sql(expression, 'runtime')}")
            columns = self.expressions(expression, flat=True)
            alias = self.sql(expression, "alias")
            alias = f" AS {alias}" if alias else ""
            return f"PREDICT({', '.join(args)}) WITH ({columns}){alias}"

        def synapsetableoption_sql(self, expression: tx.SynapseTableOption) -> str:
            name = self.sql(expression, "this")
            value = self.sql(expression, "value")
            columns = self.expressions(expression, flat=True)
            if name == "DISTRIBUTION":
                suffix = f"({columns})" if columns else ""
                return f"DISTRIBUTION = {value}{suffix}"
            if name == "PARTITION":
                return f"PARTITION ({value} RANGE FOR VALUES ({columns}))"
            if columns:
                keyword = " ORDER" if name == "CLUSTERED COLUMNSTORE INDEX" else ""
                return f"{name}{keyword} ({columns})"
            return name


def parse_batch(sql: str) -> list[exp.Expression]:
    """Parse one batch (the text between GO lines) into statements.

    Line numbers in errors count from the first line of ``sql``.
    """
    dialect = Synapse()
    tokens = dialect.tokenize(sql)
    parser = dialect.parser(error_level=ErrorLevel.IMMEDIATE)
    try:
        return parser.parse_batch(tokens, sql)
    except ParseError as err:
        detail = err.errors[0] if err.errors else {}
        line = detail.get("line")
        description = detail.get("description") or str(err)
        # sqlglot appends the raw token ("but got <Token ...>"); the near
        # text already names it.
        description = re.sub(r"\s*but got <Token .*>$", ".", description)
        near = detail.get("highlight")
        text = f"Incorrect syntax near '{near}'." if near else "Incorrect syntax."
        raise TsqlSyntaxError(f"{text} {description}", line=line) from err
