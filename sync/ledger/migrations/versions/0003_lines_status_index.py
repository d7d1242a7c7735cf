"""index lines by (workbook, present, status): the summary of a no-change pass reads only the index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_lines_status", "lines", ["workbook", "present", "status"])


def downgrade() -> None:
    op.drop_index("ix_lines_status", table_name="lines")
