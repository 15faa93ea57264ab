"""Build the benchmark database, the models and the orbital SQL.

Everything goes into one work folder: ``bench.duckdb`` with one flights table
per row count and the model table, the ONNX files, and the SQL that orbital
writes for each scikit-learn pipeline it can translate.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from predictemu.examples.flights import ROW_COUNT, load_flights

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
TRAIN_SCRIPT = REPO_ROOT / "scripts" / "train_flights_model.py"
BUNDLED_MODEL = REPO_ROOT / "predictemu" / "examples" / "flights_delay" / "model.onnx"

DATABASE = "bench.duckdb"
MODEL_TABLE = "dbo.bench_models"
INPUTS = ["dep_delay", "distance", "hour", "carrier", "origin"]

# Random forest settings. A depth limit keeps the ONNX file near 2 MB; without
# one each tree grows to tens of thousands of nodes on 250,000 rows.
FOREST_TREES = 100
FOREST_DEPTH = 8
FOREST_SEED = 0


@dataclass(frozen=True)
class ModelInfo:
    """One benchmark model: its ONNX file and, if orbital translated it, the SQL."""

    name: str
    description: str
    onnx_path: Path
    orbital_sql_path: Path | None
    orbital_error: str | None


def flights_table(rows: int) -> str:
    """Return the DuckDB name of the flights table with ``rows`` rows."""
    return f"dbo.flights_{rows}"


def input_view(rows: int) -> str:
    """Return the name of the view that casts the table to the model input types."""
    return f"bench_inputs_{rows}"


def build_tables(database: Path, sizes: list[int]) -> None:
    """Create the flights table of each size in ``database`` unless it exists.

    Tables larger than the 336,776 flights repeat them in file order; smaller
    ones take the first rows. ``bench_inputs_<rows>`` views cast dep_delay and
    distance to REAL, the types the model inputs bind to.
    """
    con = duckdb.connect(str(database))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS dbo")
        existing = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'dbo'"
            ).fetchall()
        }
        if "flights" not in existing:
            load_flights(con, "dbo.flights")
        for rows in sizes:
            if f"flights_{rows}" not in existing:
                started = time.perf_counter()
                repeats = math.ceil(rows / ROW_COUNT)
                con.execute(
                    f"CREATE TABLE {flights_table(rows)} AS SELECT f.* "
                    f"FROM dbo.flights AS f CROSS JOIN range({repeats}) AS r(copy) "
                    f"ORDER BY r.copy, f.flight_id LIMIT {rows}"
                )
                logger.info(
                    "built %s in %.1f s",
                    flights_table(rows),
                    time.perf_counter() - started,
                )
            con.execute(
                f"CREATE OR REPLACE VIEW {input_view(rows)} AS SELECT "
                "CAST(dep_delay AS REAL) AS dep_delay, "
                "CAST(distance AS REAL) AS distance, hour, carrier, origin "
                f"FROM {flights_table(rows)}"
            )
    finally:
        con.close()


def _train_module():
    """Import scripts/train_flights_model.py, which is not part of the package."""
    spec = importlib.util.spec_from_file_location("train_flights_model", TRAIN_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def build_models(work: Path, quick: bool) -> list[ModelInfo]:
    """Fit the pipelines, write the ONNX models and orbital's SQL to ``work``.

    ``lr`` is the bundled model. The pipeline is refitted as
    scripts/train_flights_model.py fits it (months 1-9, fixed seed), because
    orbital translates the scikit-learn object and ``lr_fixed`` is its
    conversion with inputs fixed at [1, 1]. ``rf`` replaces the logistic
    regression with a random forest. The quick mode fits on the first 20,000
    flights and grows 10 trees of depth 4, so it takes seconds, and its ``lr``
    is the refitted pipeline, not the bundled model.
    """
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline

    train = _train_module()
    models_dir = work / ("models-quick" if quick else "models")
    models_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = models_dir / "manifest.json"
    if manifest_path.is_file():
        return [_model_info(entry) for entry in json.loads(manifest_path.read_text())]

    con = duckdb.connect()
    frame = train.read_flights(con)
    con.close()
    labelled = frame[frame[train.TARGET].notna()]
    training = labelled[labelled["month"] <= train.LAST_TRAINING_MONTH]
    if quick:
        training = training.head(20_000)
    features = training[list(train.FEATURES)]
    target = training[train.TARGET].astype(np.int64)

    regression = train.build_pipeline().fit(features, target)
    forest = Pipeline(
        [
            ("preprocess", train.build_pipeline().steps[0][1]),
            (
                "classifier",
                RandomForestClassifier(
                    n_estimators=10 if quick else FOREST_TREES,
                    max_depth=4 if quick else FOREST_DEPTH,
                    random_state=FOREST_SEED,
                    n_jobs=-1,
                ),
            ),
        ]
    ).fit(features, target)

    dynamic = train.convert(regression)
    fixed = _convert_fixed(train, regression)
    same_as_bundled = dynamic.SerializeToString() == BUNDLED_MODEL.read_bytes()
    entries = [
        _write_model(
            models_dir,
            "lr",
            "bundled pipeline: imputers, scaling, one-hot, logistic regression; "
            "inputs [N, 1]",
            BUNDLED_MODEL.read_bytes() if not quick else dynamic.SerializeToString(),
            regression,
        ),
        _write_model(
            models_dir,
            "lr_fixed",
            "the same pipeline converted with inputs fixed at [1, 1]",
            fixed.SerializeToString(),
            None,
        ),
        _write_model(
            models_dir,
            "rf",
            f"the same preprocessing and a random forest of "
            f"{forest.steps[-1][1].n_estimators} trees "
            f"(max_depth {forest.steps[-1][1].max_depth}); inputs [N, 1]",
            train.convert(forest).SerializeToString(),
            forest,
        ),
    ]
    entries[0]["refit_matches_bundled"] = same_as_bundled
    manifest_path.write_text(json.dumps(entries, indent=2))
    return [_model_info(entry) for entry in entries]


def _convert_fixed(train, pipeline):
    from skl2onnx import convert_sklearn

    initial_types = [
        (name, train.ONNX_TYPES[kind]([1, 1])) for name, kind in train.FEATURES.items()
    ]
    return convert_sklearn(
        pipeline,
        name="flights_delay_fixed",
        initial_types=initial_types,
        target_opset=train.TARGET_OPSET,
    )


def _write_model(
    directory: Path, name: str, description: str, model_bytes: bytes, pipeline
) -> dict:
    path = directory / f"{name}.onnx"
    path.write_bytes(model_bytes)
    entry = {
        "name": name,
        "description": description,
        "onnx_path": str(path),
        "orbital_sql_path": None,
        "orbital_error": None,
    }
    if pipeline is None:
        entry["orbital_error"] = "not run: same pipeline as lr"
        return entry
    try:
        sql = orbital_sql(pipeline)
    except ImportError as err:
        entry["orbital_error"] = f"orbital is not installed ({err.name})"
    except Exception as err:  # orbital raises plain exceptions for unsupported steps
        entry["orbital_error"] = f"orbital failed: {type(err).__name__}: {err}"[:300]
    else:
        sql_path = directory / f"{name}.orbital.sql"
        sql_path.write_text(sql)
        entry["orbital_sql_path"] = str(sql_path)
    return entry


def orbital_sql(pipeline) -> str:
    """Translate a fitted pipeline to DuckDB SQL over the table ``bench_inputs``."""
    import orbital
    import orbital.types as column_types

    started = time.perf_counter()
    features = {
        "dep_delay": column_types.FloatColumnType(),
        "distance": column_types.FloatColumnType(),
        "hour": column_types.Int64ColumnType(),
        "carrier": column_types.StringColumnType(),
        "origin": column_types.StringColumnType(),
    }
    parsed = orbital.parse_pipeline(pipeline, features=features)
    sql = orbital.export_sql("bench_inputs", parsed, dialect="duckdb")
    logger.info(
        "orbital wrote %d characters of SQL in %.1f s",
        len(sql),
        time.perf_counter() - started,
    )
    return sql


def store_models(database: Path, models: list[ModelInfo]) -> None:
    """Write the models into the model table, keyed by name, as the wizard would."""
    con = duckdb.connect(str(database))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS dbo")
        con.execute(f"CREATE OR REPLACE TABLE {MODEL_TABLE} (ID VARCHAR, model BLOB)")
        for model in models:
            con.execute(
                f"INSERT INTO {MODEL_TABLE} VALUES (?, ?)",
                [model.name, model.onnx_path.read_bytes()],
            )
    finally:
        con.close()


def _model_info(entry: dict) -> ModelInfo:
    sql_path = entry["orbital_sql_path"]
    return ModelInfo(
        name=entry["name"],
        description=entry["description"],
        onnx_path=Path(entry["onnx_path"]),
        orbital_sql_path=Path(sql_path) if sql_path else None,
        orbital_error=entry["orbital_error"],
    )


def refit_matches_bundled(work: Path, quick: bool) -> bool | None:
    """Tell whether the refitted [N, 1] conversion equals the bundled model bytes."""
    manifest = work / ("models-quick" if quick else "models") / "manifest.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text())[0].get("refit_matches_bundled")
