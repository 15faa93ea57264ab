"""T-SQL data types and their DuckDB and Arrow counterparts."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from sqlglot import exp

from predictemu.errors import UnsupportedError

INTEGER_RANGES = {
    "tinyint": (0, 255),
    "smallint": (-(2**15), 2**15 - 1),
    "int": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}

STRING_TYPES = {"char", "varchar", "nchar", "nvarchar"}

# Types a dedicated SQL pool does not support, with what to use instead.
POOL_UNSUPPORTED_TYPES = {
    exp.DType.GEOGRAPHY: "geography",
    exp.DType.GEOMETRY: "geometry",
    exp.DType.HLLSKETCH: "hierarchyid",
    exp.DType.IMAGE: "image",
    exp.DType.TEXT: "text",
    exp.DType.VARIANT: "sql_variant",
    exp.DType.XML: "xml",
}

_SQL_NAMES = {
    exp.DType.TINYINT: "tinyint",
    exp.DType.UTINYINT: "tinyint",
    exp.DType.SMALLINT: "smallint",
    exp.DType.INT: "int",
    exp.DType.BIGINT: "bigint",
    exp.DType.FLOAT: "real",
    exp.DType.DOUBLE: "float",
    exp.DType.DECIMAL: "decimal",
    exp.DType.MONEY: "money",
    exp.DType.SMALLMONEY: "smallmoney",
    exp.DType.BIT: "bit",
    exp.DType.BOOLEAN: "bit",
    exp.DType.CHAR: "char",
    exp.DType.NCHAR: "nchar",
    exp.DType.VARCHAR: "varchar",
    exp.DType.NVARCHAR: "nvarchar",
    exp.DType.VARBINARY: "varbinary",
    exp.DType.BINARY: "binary",
    exp.DType.DATE: "date",
    exp.DType.DATETIME: "datetime",
    exp.DType.DATETIME2: "datetime2",
    exp.DType.SMALLDATETIME: "smalldatetime",
    exp.DType.TIMESTAMPTZ: "datetimeoffset",
    exp.DType.TIME: "time",
    exp.DType.UUID: "uniqueidentifier",
}


@dataclass(frozen=True)
class SqlType:
    """A T-SQL type: name, and length or precision and scale where it has them.

    ``length`` is None for ``(max)`` and for types without a length.
    """

    name: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None

    def __str__(self) -> str:
        if self.name in ("decimal", "numeric"):
            return f"{self.name}({self.precision},{self.scale})"
        if self.name in STRING_TYPES or self.name in ("varbinary", "binary"):
            return f"{self.name}({self.length if self.length else 'max'})"
        return self.name

    @property
    def duckdb(self) -> str:
        """Return the DuckDB type that stores this type's values."""
        if self.name in INTEGER_RANGES:
            return {"tinyint": "UTINYINT", "smallint": "SMALLINT"}.get(
                self.name, self.name.upper()
            )
        if self.name in ("decimal", "numeric"):
            return f"DECIMAL({self.precision},{self.scale})"
        return {
            "real": "FLOAT",
            "float": "DOUBLE",
            "money": "DECIMAL(19,4)",
            "smallmoney": "DECIMAL(10,4)",
            "bit": "BOOLEAN",
            "varbinary": "BLOB",
            "binary": "BLOB",
            "date": "DATE",
            "datetime": "TIMESTAMP",
            "datetime2": "TIMESTAMP",
            "smalldatetime": "TIMESTAMP",
            "datetimeoffset": "TIMESTAMPTZ",
            "time": "TIME",
            "uniqueidentifier": "UUID",
        }.get(self.name, "VARCHAR")

    @property
    def arrow(self) -> pa.DataType:
        """Return the Arrow type predictemu uses for this type's values."""
        if self.name in INTEGER_RANGES:
            return {
                "tinyint": pa.uint8(),
                "smallint": pa.int16(),
                "int": pa.int32(),
                "bigint": pa.int64(),
            }[self.name]
        if self.name in ("decimal", "numeric"):
            return pa.decimal128(self.precision, self.scale)
        return {
            "real": pa.float32(),
            "float": pa.float64(),
            "bit": pa.bool_(),
            "varbinary": pa.binary(),
            "binary": pa.binary(),
        }.get(self.name, pa.string())


def sql_type_from_ast(node: exp.DataType, declaration: bool = True) -> SqlType:
    """Convert a parsed T-SQL type to a SqlType.

    ``declaration`` chooses the default length of char types without one:
    1 in a column or variable declaration, 30 in CAST and CONVERT.
    """
    if node.this in POOL_UNSUPPORTED_TYPES:
        name = POOL_UNSUPPORTED_TYPES[node.this]
        raise UnsupportedError(
            f"The data type '{name}' is not supported in a dedicated SQL pool; "
            "use varchar(max), nvarchar(max) or varbinary(max) instead."
        )
    name = _SQL_NAMES.get(node.this)
    if name is None:
        raise UnsupportedError(f"The data type '{node.sql('tsql')}' is not supported.")
    params = [p.this for p in node.expressions]
    values = [p.name if isinstance(p, exp.Expression) else str(p) for p in params]
    if name == "float" and values and values[0].isdigit() and int(values[0]) <= 24:
        return SqlType("real")
    if name == "decimal":
        precision = int(values[0]) if values else 18
        scale = int(values[1]) if len(values) > 1 else 0
        return SqlType("decimal", precision=precision, scale=scale)
    if name in STRING_TYPES or name in ("varbinary", "binary"):
        if values and values[0].upper() == "MAX":
            return SqlType(name)
        default = 1 if declaration else 30
        return SqlType(name, length=int(values[0]) if values else default)
    return SqlType(name)


def sql_type_from_arrow(arrow_type: pa.DataType) -> SqlType:
    """Return the T-SQL type of an Arrow column read back from DuckDB."""
    if pa.types.is_float32(arrow_type):
        return SqlType("real")
    if pa.types.is_float64(arrow_type):
        return SqlType("float")
    if pa.types.is_int64(arrow_type):
        return SqlType("bigint")
    if pa.types.is_int32(arrow_type):
        return SqlType("int")
    if pa.types.is_int16(arrow_type):
        return SqlType("smallint")
    if pa.types.is_uint8(arrow_type) or pa.types.is_int8(arrow_type):
        return SqlType("tinyint")
    if pa.types.is_decimal(arrow_type):
        return SqlType(
            "decimal", precision=arrow_type.precision, scale=arrow_type.scale
        )
    if pa.types.is_boolean(arrow_type):
        return SqlType("bit")
    if (
        pa.types.is_string(arrow_type)
        or pa.types.is_large_string(arrow_type)
        or pa.types.is_string_view(arrow_type)
    ):
        return SqlType("varchar")
    if pa.types.is_dictionary(arrow_type):
        return sql_type_from_arrow(arrow_type.value_type)
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return SqlType("varbinary")
    if pa.types.is_date(arrow_type):
        return SqlType("date")
    if pa.types.is_timestamp(arrow_type):
        return SqlType("datetime2")
    if pa.types.is_time(arrow_type):
        return SqlType("time")
    return SqlType(str(arrow_type))
