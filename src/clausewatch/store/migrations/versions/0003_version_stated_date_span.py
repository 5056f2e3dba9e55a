"""versions keep the kind and the span of the date they state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("stated_date_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("stated_date_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stated_date_end", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("stated_date_end")
        batch.drop_column("stated_date_start")
        batch.drop_column("stated_date_kind")
