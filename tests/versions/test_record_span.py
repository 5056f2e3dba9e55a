from __future__ import annotations

from datetime import UTC, datetime

from clausewatch.store import Store
from clausewatch.store.models import Document, Platform
from clausewatch.versions.record import record_text

TEXT = (
    "# Terms of Service\n\nLast updated: March 3, 2026\n\n"
    + "You may use the service as long as you follow these terms and the law. " * 5
)


def test_version_keeps_the_kind_and_span_of_its_stated_date(store: Store) -> None:
    with store.session() as s:
        platform = Platform(slug="acme", name="Acme")
        s.add(platform)
        s.flush()
        doc = Document(
            platform_id=platform.id, terms_type="Terms of Service", url="", declaration={}
        )
        s.add(doc)
        s.flush()
        version = record_text(s, doc, TEXT, fetched_at=datetime(2026, 3, 4, tzinfo=UTC))
        assert version is not None
        assert version.stated_date == "2026-03-03"
        assert version.stated_date_kind == "last_updated"
        assert version.stated_date_start is not None and version.stated_date_end is not None
        assert "March 3, 2026" in version.text[version.stated_date_start : version.stated_date_end]
