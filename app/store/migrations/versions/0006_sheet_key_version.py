"""A key version per sheet, so one sheet's HMAC secret can be rotated without touching others.

Revision ID: 0006_sheet_key_version
Revises: 0005
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sheet_key_version"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Existing sheets keep version 1: the key they have always had.
    op.add_column(
        "sheets",
        sa.Column("key_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column("sheets", sa.Column("key_rotated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sheets") as batch:
        batch.drop_column("key_rotated_at")
        batch.drop_column("key_version")
