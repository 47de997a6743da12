"""HMAC signatures already accepted, shared by every replica (replay protection).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "hmac_replay",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_hmac_replay"),
    )
    op.create_index("ix_hmac_replay_expires_at", "hmac_replay", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_hmac_replay_expires_at", table_name="hmac_replay")
    op.drop_table("hmac_replay")
