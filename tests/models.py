"""Small real ONNX models for the tests, built with scikit-learn and skl2onnx."""

from __future__ import annotations

import numpy as np
import onnx
import pandas as pd
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import (
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

OPSET = {"": 17, "ai.onnx.ml": 3}


def doubling_model(batch: int | None = None) -> bytes:
    """LinearRegression fit on x = 1..4, y = 2x, with one float input ``f00``."""
    x = np.arange(1, 5, dtype=np.float32).reshape(-1, 1)
    model = LinearRegression().fit(x, 2 * x.ravel())
    onx = convert_sklearn(
        model, initial_types=[("f00", FloatTensorType([batch, 1]))], target_opset=OPSET
    )
    return onx.SerializeToString()


def pair_classifier(zipmap=True) -> bytes:
    """LogisticRegression over inputs ``a`` and ``b`` (one per column).

    The label is 1 when a + b > 1. With the default ``zipmap=True`` the outputs
    are ``output_label`` and the ZipMap ``output_probability``.
    """
    rng = np.random.default_rng(0)
    features = rng.uniform(-2, 3, size=(200, 2)).astype(np.float32)
    labels = (features.sum(axis=1) > 1).astype(np.int64)
    pipeline = Pipeline(
        [
            (
                "columns",
                ColumnTransformer([("scale", StandardScaler(), [0, 1])]),
            ),
            ("model", LogisticRegression()),
        ]
    )
    pipeline.fit(features, labels)
    options = {id(pipeline): {"zipmap": zipmap}}
    onx = convert_sklearn(
        pipeline,
        initial_types=[
            ("a", FloatTensorType([None, 1])),
            ("b", FloatTensorType([None, 1])),
        ],
        options=options,
        target_opset=OPSET,
    )
    return onx.SerializeToString()


def array_input_classifier() -> bytes:
    """LogisticRegression with one ``input`` of shape [None, 2], as the pool rejects."""
    rng = np.random.default_rng(1)
    features = rng.normal(size=(100, 2)).astype(np.float32)
    labels = (features[:, 0] > 0).astype(np.int64)
    model = LogisticRegression().fit(features, labels)
    onx = convert_sklearn(
        model,
        initial_types=[("input", FloatTensorType([None, 2]))],
        options={id(model): {"zipmap": False}},
        target_opset=OPSET,
    )
    return onx.SerializeToString()


def scaler_two_inputs() -> bytes:
    """StandardScaler over inputs ``a`` and ``b``: output ``variable`` is [N, 2]."""
    features = np.array([[1, 2], [3, 4], [5, 8]], dtype=np.float32)
    scaler = StandardScaler().fit(features)
    onx = convert_sklearn(
        scaler,
        initial_types=[
            ("a", FloatTensorType([None, 1])),
            ("b", FloatTensorType([None, 1])),
        ],
        target_opset=OPSET,
    )
    return onx.SerializeToString()


def mixed_pipeline(batch: int | None = None) -> bytes:
    """Classifier over a float ``x``, an int64 ``n`` and a string ``s`` input."""
    rng = np.random.default_rng(2)
    rows = 300
    x = rng.normal(size=rows).astype(np.float32)
    n = rng.integers(0, 5, size=rows)
    s = rng.choice(["red", "green", "blue"], size=rows)
    labels = ((x + n / 2 + (s == "red")) > 1.5).astype(np.int64)
    frame = pd.DataFrame({"x": x, "n": n, "s": s})
    pipeline = Pipeline(
        [
            (
                "columns",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["x", "n"]),
                        ("cat", OneHotEncoder(handle_unknown="ignore"), ["s"]),
                    ]
                ),
            ),
            ("model", LogisticRegression()),
        ]
    )
    pipeline.fit(frame, labels)
    onx = convert_sklearn(
        pipeline,
        initial_types=[
            ("x", FloatTensorType([batch, 1])),
            ("n", Int64TensorType([batch, 1])),
            ("s", StringTensorType([batch, 1])),
        ],
        options={id(pipeline): {"zipmap": False}},
        target_opset=OPSET,
    )
    return onx.SerializeToString()


def with_opset(model: bytes, version: int) -> bytes:
    """Return the model with its ai.onnx opset import set to ``version``."""
    proto = onnx.load_model_from_string(model)
    for entry in proto.opset_import:
        if entry.domain in ("", "ai.onnx"):
            entry.version = version
    return proto.SerializeToString()


def matmul_model() -> bytes:
    """``variable = f00 @ [[2.0]]`` with the weight as an initializer tensor."""
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.array([[2.0]], dtype=np.float32), "weight")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["f00", "weight"], ["variable"])],
        "double",
        [helper.make_tensor_value_info("f00", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])],
        initializer=[weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def batch_mixing_model() -> bytes:
    """``y = (x - mean(x over the batch)) + x`` with x fixed at [1, 1].

    Row by row the mean is x itself, so y = x; in a batch the rows mix.
    """
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["x"], ["mean"], keepdims=1, axes=[0]),
            helper.make_node("Sub", ["x", "mean"], ["centred"]),
            helper.make_node("Add", ["centred", "x"], ["y"]),
        ],
        "mixing",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def nan_passthrough_model() -> bytes:
    """``y = a + b`` over float inputs, so a NaN input gives a NaN output."""
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"])],
        "add",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, [None, 1]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [None, 1]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()


def nan_flag_model() -> bytes:
    """``flag = 1.0 where f00 is NaN, else 0.0``: shows how NULL inputs arrive."""
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [
            helper.make_node("IsNaN", ["f00"], ["is_nan"]),
            helper.make_node("Cast", ["is_nan"], ["flag"], to=TensorProto.FLOAT),
        ],
        "nan_flag",
        [helper.make_tensor_value_info("f00", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("flag", TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()
