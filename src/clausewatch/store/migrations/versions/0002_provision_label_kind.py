"""provision texts keep their clause label and kind

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("provision_texts") as batch:
        batch.add_column(sa.Column("label", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("provision_texts") as batch:
        batch.drop_column("kind")
        batch.drop_column("label")
