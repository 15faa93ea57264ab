"""One- and two-part T-SQL object names, parsed once and quoted on output."""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import ParseError

from predictemu.model_table import quote_identifier
from predictemu.tsql.dialect import Synapse
from predictemu.wizard.errors import WizardError

DEFAULT_SCHEMA = "dbo"


@dataclass(frozen=True)
class ObjectName:
    """A schema-qualified object name, kept unquoted."""

    schema: str
    name: str

    @classmethod
    def parse(cls, text: str, option: str) -> ObjectName:
        """Parse ``name``, ``schema.name`` or ``[schema].[name]``; dbo by default."""
        try:
            table = exp.to_table(text, dialect=Synapse)
        except ParseError as err:
            raise WizardError(
                f"{option} {text!r} is not a valid T-SQL name. Write schema.name, "
                "and bracket-quote parts with spaces or dots, e.g. [dbo].[my table]."
            ) from err
        if table.catalog:
            raise WizardError(
                f"{option} {text!r} names a database ({table.catalog}); a dedicated "
                "SQL pool does not support cross-database names. Write schema.name."
            )
        if not table.name or table.this.args.get("temporary"):
            raise WizardError(
                f"{option} {text!r} is not a permanent table or procedure name. "
                "Write schema.name, for example dbo.flights."
            )
        return cls(table.db or DEFAULT_SCHEMA, table.name)

    @property
    def quoted(self) -> str:
        """Return ``[schema].[name]`` with any ``]`` doubled."""
        return f"{quote_identifier(self.schema)}.{quote_identifier(self.name)}"

    @property
    def table(self) -> exp.Table:
        """Return the name as a sqlglot table, for Session lookups."""
        return exp.table_(
            exp.to_identifier(self.name, quoted=True),
            db=exp.to_identifier(self.schema, quoted=True),
        )

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


def string_literal(text: str) -> str:
    """Return a T-SQL string literal, doubling any single quote."""
    return "'" + text.replace("'", "''") + "'"
