"""lifecycle: shipped and returned quantities per line, shipments, returns, payments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lines") as batch:
        batch.add_column(sa.Column("shipped", sa.BigInteger, nullable=False, server_default="0"))
        batch.add_column(sa.Column("returned", sa.BigInteger, nullable=False, server_default="0"))
    op.create_table(
        "shipments",
        sa.Column("workbook", sa.Text, nullable=False),
        sa.Column("order_key", sa.Text, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("order_id", sa.Text, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("carrier", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("tracking_no", sa.Text, nullable=False),
        sa.Column("sscc", sa.Text, nullable=False),
        sa.Column("label_no", sa.Text, nullable=False),
        sa.Column("slip_no", sa.Text, nullable=False),
        sa.Column("lines", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("workbook", "order_key", "n"),
    )
    op.create_table(
        "returns",
        sa.Column("workbook", sa.Text, nullable=False),
        sa.Column("rma_key", sa.Text, nullable=False),
        sa.Column("rma_id", sa.Text, nullable=False),
        sa.Column("order_key", sa.Text, nullable=False),
        sa.Column("line_key", sa.Text, nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("resolution", sa.Text, nullable=False),
        sa.Column("credit_note", sa.Text),
        sa.Column("replacement", sa.Text),
        sa.Column("at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("workbook", "rma_key"),
    )
    op.create_table(
        "payments",
        sa.Column("workbook", sa.Text, nullable=False),
        sa.Column("payment_key", sa.Text, nullable=False),
        sa.Column("payment_id", sa.Text, nullable=False),
        sa.Column("invoice_no", sa.Text, nullable=False),
        sa.Column("amount", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("workbook", "payment_key"),
    )


def downgrade() -> None:
    op.drop_table("payments")
    op.drop_table("returns")
    op.drop_table("shipments")
    with op.batch_alter_table("lines") as batch:
        batch.drop_column("returned")
        batch.drop_column("shipped")
