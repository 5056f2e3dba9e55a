"""classifications are kept per document language

A text with no language of its own (a heading, a name, a number) is read by the model of
its document's language, so the same text can carry different labels in an English and a
German document. Until now a classification was keyed by text and model only, and the
first document's labels stood for every other. Rows recorded before this revision keep an
empty language: they are still shown where no row of the right language exists, and
``clausewatch analyse --relabel`` records the per-language ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_COLUMNS = ["text_sha256", "model"]
NEW_COLUMNS = ["text_sha256", "model", "language"]
NEW_NAME = "uq_classifications_text_model_language"
# SQLite reports unnamed constraints without a name; batch mode names them by this rule so
# they can be dropped while the table is copied.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _unique_name(columns: list[str]) -> str | None:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("classifications"):
        if list(constraint["column_names"]) == columns:
            return constraint["name"] or None
    return None


def _swap(old: list[str], new: list[str], new_name: str, add: bool) -> None:
    existing = _unique_name(old)
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("classifications", naming_convention=NAMING) as batch:
        if add:
            batch.add_column(
                sa.Column("language", sa.String(length=12), nullable=False, server_default="")
            )
        name = existing or ("uq_classifications_" + "_".join(old) if sqlite else None)
        if name is not None:
            batch.drop_constraint(name, type_="unique")
        if not add:
            batch.drop_column("language")
        batch.create_unique_constraint(new_name, new)


def upgrade() -> None:
    _swap(OLD_COLUMNS, NEW_COLUMNS, NEW_NAME, add=True)


def downgrade() -> None:
    # Keep one row per (text, model): the oldest, which is what the old key allowed.
    op.execute(
        "DELETE FROM classifications WHERE id NOT IN "
        "(SELECT MIN(id) FROM classifications GROUP BY text_sha256, model)"
    )
    _swap(NEW_COLUMNS, OLD_COLUMNS, "uq_classifications_text_sha256_model", add=False)
