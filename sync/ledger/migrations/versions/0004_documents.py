"""documents and their numbering series

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "document_series",
        sa.Column("series", sa.Text, primary_key=True),
        sa.Column("last", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("number", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("series", sa.Text, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("workbook", sa.Text, nullable=False),
        sa.Column("order_key", sa.Text, nullable=False),
        sa.Column("order_id", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("issued", sa.String(10), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("void_reason", sa.Text),
        sa.Column("event_seq", _SEQ, nullable=False),
        sa.Column("written", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("series", "seq", name="uq_documents_series_seq"),
        sa.UniqueConstraint("workbook", "kind", "purpose", name="uq_documents_purpose"),
    )
    op.create_index("ix_documents_order", "documents", ["workbook", "order_key"])


def downgrade() -> None:
    op.drop_index("ix_documents_order", table_name="documents")
    op.drop_table("documents")
    op.drop_table("document_series")
