"""Shared fixtures: the bundled sample images, small copies for fast end-to-end runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# TensorFlow's C++ start-up chatter (no CUDA driver, CPU features) is noise in test logs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "resources" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def content_path() -> str:
    return str(SAMPLES / "tubingen.jpg")


@pytest.fixture(scope="session")
def style_path() -> str:
    return str(SAMPLES / "starry_night.jpg")
