"""Initial store schema: runs, cell writes, case snapshots, timeline events.

Written by hand against `app.store.models` (a test checks that they agree on SQLite and
PostgreSQL). Plain SQLAlchemy types only: the JSON columns hold type-tagged cell values and the
timestamps are timezone-aware; the conversions live in `app.store.coltypes`, not in here.

Revision ID: 0001
Revises:
Create Date: 2025-10-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_key", sa.Text(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("backend", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("undone_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.ForeignKeyConstraint(["undone_by"], ["runs.id"], name="fk_runs_undone_by_runs"),
    )
    op.create_index("ix_runs_sheet_key_started_at", "runs", ["sheet_key", "started_at"])

    op.create_table(
        "cell_writes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("tab", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("column_key", sa.Text(), nullable=False),
        sa.Column("header", sa.Text(), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=False),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("row_hint", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cell_writes"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_cell_writes_run_id_runs"),
    )
    op.create_index("ix_cell_writes_run_id", "cell_writes", ["run_id"])

    op.create_table(
        "case_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_key", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("cell_values", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_snapshots"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_case_snapshots_run_id_runs"),
        sa.UniqueConstraint("sheet_key", "case_id", name="uq_case_snapshots_sheet_key_case_id"),
    )

    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_key", sa.Text(), nullable=False),
        sa.Column("event_key", sa.Text(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_events"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_timeline_events_run_id_runs"),
        sa.UniqueConstraint(
            "sheet_key", "event_key", name="uq_timeline_events_sheet_key_event_key"
        ),
    )
    op.create_index(
        "ix_timeline_events_sheet_key_case_id", "timeline_events", ["sheet_key", "case_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_timeline_events_sheet_key_case_id", table_name="timeline_events")
    op.drop_table("timeline_events")
    op.drop_table("case_snapshots")
    op.drop_index("ix_cell_writes_run_id", table_name="cell_writes")
    op.drop_table("cell_writes")
    op.drop_index("ix_runs_sheet_key_started_at", table_name="runs")
    op.drop_table("runs")
