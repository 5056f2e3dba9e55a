from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from clausewatch.config import Settings
from clausewatch.store import Store, StoreError
from clausewatch.store.db import current_revision, head_revision, make_engine
from clausewatch.store.models import Document, Platform


def test_upgrade_reaches_head_and_is_idempotent(settings: Settings) -> None:
    first = Store(settings)
    assert current_revision(first.engine) == head_revision()
    first.close()
    again = Store(settings)
    assert current_revision(again.engine) == head_revision()
    again.close()


def test_times_come_back_utc_aware(store: Store) -> None:
    paris = timezone(timedelta(hours=2))
    when = datetime(2026, 5, 11, 14, 34, 31, tzinfo=paris)
    with store.session() as s:
        p = Platform(slug="acme", name="Acme")
        s.add(p)
        s.flush()
        s.add(
            Document(
                platform_id=p.id,
                terms_type="Terms of Service",
                url="https://a/",
                declaration={},
                last_verified_at=when,
            )
        )
    with store.session() as s:
        doc = s.scalars(select(Document)).one()
        assert doc.last_verified_at == when
        assert doc.last_verified_at is not None and doc.last_verified_at.tzinfo is not None
        assert doc.last_verified_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.session() as s:
        s.add(Platform(slug="x", name="X", created_at=datetime(2026, 1, 1)))
        s.flush()


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as s:
        s.add(Platform(slug="half", name="Half"))
        s.flush()
        raise RuntimeError("crash in the middle")
    with store.session() as s:
        assert s.scalars(select(Platform)).all() == []


def test_unmigrated_store_is_refused_without_migrate(settings: Settings) -> None:
    make_engine(settings).dispose()
    with pytest.raises(StoreError, match="db upgrade"):
        Store(settings, migrate=False)


def test_utc_now_default(store: Store) -> None:
    with store.session() as s:
        s.add(Platform(slug="now", name="Now"))
    with store.session() as s:
        p = s.scalars(select(Platform)).one()
        assert abs(p.created_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_migrations_go_down_and_up_again(settings: Settings) -> None:
    from clausewatch.store.db import upgrade

    engine = make_engine(settings)
    upgrade(engine)
    from alembic import command

    from clausewatch.store.db import alembic_config

    command.downgrade(alembic_config(engine), "0001")
    assert current_revision(engine) == "0001"
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_classifications_keep_a_language_from_revision_0004(settings: Settings) -> None:
    """Rows recorded under 0003 survive 0004 with an empty language; 0004 allows one row per
    document language; going back keeps the oldest row of each text and model."""
    from alembic import command
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from clausewatch.store.db import alembic_config, upgrade

    engine = make_engine(settings)
    command.upgrade(alembic_config(engine), "0003")
    insert = (
        "INSERT INTO classifications (text_sha256, model, result, created_at) "
        "VALUES (:sha, 'm', :result, :at)"
    )
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text(insert), {"sha": "a" * 64, "result": '{"n": 1}', "at": at})
    upgrade(engine)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT text_sha256, language FROM classifications")).all()
        assert [tuple(r) for r in rows] == [("a" * 64, "")]
        conn.execute(
            text(
                "INSERT INTO classifications (text_sha256, model, language, result, created_at) "
                "VALUES (:sha, 'm', 'de', '{\"n\": 2}', :at)"
            ),
            {"sha": "a" * 64, "at": at + timedelta(days=1)},
        )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO classifications (text_sha256, model, language, result, created_at) "
                "VALUES (:sha, 'm', 'de', '{\"n\": 3}', :at)"
            ),
            {"sha": "a" * 64, "at": at},
        )
    command.downgrade(alembic_config(engine), "0003")
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT text_sha256, result FROM classifications")).all()
        assert len(rows) == 1 and "1" in str(rows[0][1])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(insert), {"sha": "a" * 64, "result": '{"n": 4}', "at": at})
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()
