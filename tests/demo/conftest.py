"""Fixtures for the demo tests: the shipped manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from clausewatch.demo.catalog import DemoManifest, load_manifest

# The helpers module sits beside this file; make it importable under either import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def manifest() -> DemoManifest:
    return load_manifest()
