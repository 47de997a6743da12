"""A run's progress as it goes (step, cases done of total), so any replica can report it, and
the stable code of the error a failed run ended with.

Revision ID: 0007
Revises: 0006_sheet_key_version
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# "0007": the id the other branches' 0008 migrations name as their down_revision. 0006's
# id is "0006_sheet_key_version" (not "0006"), so that is what this one revises.
revision = "0007"
down_revision: str | None = "0006_sheet_key_version"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Runs recorded before have no progress: NULL (the API shows none).
    op.add_column("runs", sa.Column("progress_step", sa.Text(), nullable=True))
    op.add_column("runs", sa.Column("progress_done", sa.Integer(), nullable=True))
    op.add_column("runs", sa.Column("progress_total", sa.Integer(), nullable=True))
    op.add_column("runs", sa.Column("error_code", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("error_code")
        batch.drop_column("progress_total")
        batch.drop_column("progress_done")
        batch.drop_column("progress_step")
