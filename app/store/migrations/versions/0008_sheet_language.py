"""The team language: chosen at registration (`aftersales sheets add --language`), and the one
each sync wrote the sheet in (so the next sync knows which headers it wrote in which language).

Revision ID: 0008_sheet_language
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sheet_language"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # NULL: not chosen at registration (the sheet's Settings tab or locale decide), and runs
    # recorded before wrote English.
    op.add_column("sheets", sa.Column("language", sa.Text(), nullable=True))
    op.add_column("runs", sa.Column("language", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("sheets") as batch:
        batch.drop_column("language")
