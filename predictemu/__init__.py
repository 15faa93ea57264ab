"""Run Synapse T-SQL scoring procedures with PREDICT on DuckDB and onnxruntime."""

from predictemu.api import score
from predictemu.errors import (
    ModelError,
    PredictEmuError,
    PredictError,
    TsqlError,
    UnsupportedError,
)
from predictemu.runner.output import ResultSet, RunResult
from predictemu.runner.session import Session

__all__ = [
    "ModelError",
    "PredictEmuError",
    "PredictError",
    "ResultSet",
    "RunResult",
    "Session",
    "TsqlError",
    "UnsupportedError",
    "connect",
    "score",
]

__version__ = "0.1.0"


def connect(database: str = ":memory:", **options) -> Session:
    """Open a DuckDB database (a file, created when missing, or in memory)."""
    return Session(database, **options)
