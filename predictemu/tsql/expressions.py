"""Syntax tree nodes for the T-SQL that sqlglot has no node for.

These extend sqlglot's expression tree the way its own dialects do: each is an
``exp.Expression`` subclass whose ``arg_types`` name its children.
"""

from __future__ import annotations

from sqlglot import exp


class Predict(exp.Expression):
    """``PREDICT(MODEL = m, DATA = t AS d, RUNTIME = ONNX) WITH (cols) AS p``."""

    arg_types = {
        "model": True,
        "data": True,
        "runtime": False,
        "expressions": True,
        "alias": False,
    }


class SynapseTableOption(exp.Property):
    """A dedicated-pool table option: DISTRIBUTION, HEAP, an index or PARTITION."""

    arg_types = {"this": True, "expressions": False, "value": False}


class TryCatch(exp.Expression):
    """``BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH``."""

    arg_types = {"this": True, "catch": True}


class Print(exp.Expression):
    """``PRINT expr``."""

    arg_types = {"this": True}


class SetVariable(exp.Expression):
    """``SET @v = expr`` or a compound assignment such as ``SET @v += expr``."""

    arg_types = {"this": True, "expression": True, "op": False}


class SetOption(exp.Expression):
    """A session option such as ``SET NOCOUNT ON``."""

    arg_types = {"this": True, "value": False}


class DeclareVariable(exp.Expression):
    """One variable of a DECLARE: name, type, and initial value or table schema."""

    arg_types = {"this": True, "kind": False, "default": False, "schema": False}


class DeclareStatement(exp.Expression):
    """``DECLARE @a int = 1, @b varchar(10)``."""

    arg_types = {"expressions": True}


class Return(exp.Expression):
    """``RETURN [status]``."""

    arg_types = {"this": False}


class Break(exp.Expression):
    """``BREAK`` inside WHILE."""

    arg_types: dict = {}


class Continue(exp.Expression):
    """``CONTINUE`` inside WHILE."""

    arg_types: dict = {}


class Throw(exp.Expression):
    """``THROW [number, message, state]``; without arguments it re-raises in CATCH."""

    arg_types = {"this": False, "message": False, "state": False}


class RaisError(exp.Expression):
    """``RAISERROR(message, severity, state [, args])``."""

    arg_types = {"this": True, "severity": True, "state": True, "expressions": False}


class TransactionStatement(exp.Expression):
    """``BEGIN TRAN``, ``COMMIT [TRAN]`` or ``ROLLBACK [TRAN]``."""

    arg_types = {"this": True}


class ProcedureParameter(exp.Expression):
    """``@name type [= default] [OUTPUT]`` in CREATE PROCEDURE."""

    arg_types = {"this": True, "kind": True, "default": False, "output": False}


class CreateProcedure(exp.Expression):
    """``CREATE [OR ALTER] PROCEDURE name params AS body``.

    ``source`` keeps the statement's text, which is what the catalog stores so
    that a later run can EXEC the procedure.
    """

    arg_types = {
        "this": True,
        "expressions": False,
        "body": True,
        "replace": False,
        "source": False,
    }


class ExecArgument(exp.Expression):
    """One EXEC argument: ``[@param =] value [OUTPUT]``."""

    arg_types = {"this": False, "value": True, "output": False}


class ExecProcedure(exp.Expression):
    """``EXEC [@status =] name args`` or ``EXEC ('dynamic sql')``."""

    arg_types = {"this": False, "expressions": False, "status": False, "sql": False}
