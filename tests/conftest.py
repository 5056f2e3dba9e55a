"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every store test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from clausewatch.config import Settings
from clausewatch.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CLAUSEWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_URL = os.environ.get("CLAUSEWATCH_TEST_PG_URL")
REQUIRE_PG = os.environ.get("CLAUSEWATCH_REQUIRE_PG") == "1"


@pytest.fixture
def shared_data() -> Path:
    """The read-only real data beside the checkout; tests that need it skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (set CLAUSEWATCH_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the server started by scripts/test."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("CLAUSEWATCH_TEST_PG_URL is not set but PostgreSQL tests are required")
        pytest.skip("no PostgreSQL server: run the suite through scripts/test")
    name = f"cw_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh store, once on a SQLite file and once on PostgreSQL."""
    data_dir = tmp_path / "data"
    if request.param == "postgres":
        url = request.getfixturevalue("pg_database")
        return Settings(data_dir=data_dir, database_url=url, allow_hosts="127.0.0.1,localhost")
    return Settings(data_dir=data_dir, allow_hosts="127.0.0.1,localhost")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store(settings)
    try:
        yield opened
    finally:
        opened.close()
