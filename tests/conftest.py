"""Shared fixtures: real ONNX models and sessions over real DuckDB."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import models  # noqa: E402

import predictemu  # noqa: E402


@pytest.fixture
def session():
    """A fresh in-memory session with the synapse target."""
    with predictemu.connect() as opened:
        yield opened


@pytest.fixture(scope="session")
def doubling_model() -> bytes:
    return models.doubling_model()


@pytest.fixture(scope="session")
def pair_classifier() -> bytes:
    return models.pair_classifier()


@pytest.fixture(scope="session")
def mixed_pipeline() -> bytes:
    return models.mixed_pipeline()


@pytest.fixture(scope="session")
def mixed_pipeline_fixed() -> bytes:
    return models.mixed_pipeline(batch=1)
