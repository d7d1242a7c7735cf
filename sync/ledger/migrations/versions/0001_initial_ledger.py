"""initial ledger: events with their hash chain, and the current-state tables

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 01:18:28.191602
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('approvals',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('order_key', sa.Text(), nullable=False),
    sa.Column('by', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('workbook', 'order_key')
    )
    op.create_table('chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('events',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('sheet', sa.Text(), server_default='', nullable=False),
    sa.Column('row', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Text(), nullable=True),
    sa.Column('line_key', sa.Text(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    op.create_table('fills',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('sheet', sa.Text(), nullable=False),
    sa.Column('anchor', sa.Text(), nullable=False),
    sa.Column('column', sa.Text(), nullable=False),
    sa.Column('original', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('workbook', 'sheet', 'anchor', 'column')
    )
    op.create_table('flags',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('sheet', sa.Text(), nullable=False),
    sa.Column('anchor', sa.Text(), nullable=False),
    sa.Column('column', sa.Text(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('row', sa.Integer(), nullable=True),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('since', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('workbook', 'sheet', 'anchor', 'column', 'code')
    )
    op.create_table('lines',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('line_key', sa.Text(), nullable=False),
    sa.Column('order_key', sa.Text(), nullable=False),
    sa.Column('order_id', sa.Text(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('invoice_no', sa.Text(), nullable=True),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('workbook', 'line_key')
    )
    op.create_table('moves',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('move_key', sa.Text(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('workbook', 'move_key')
    )
    op.create_table('passes',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('read_sha', sa.String(length=64), nullable=True),
    sa.Column('written_sha', sa.String(length=64), nullable=True),
    sa.Column('write_pending', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('workbook')
    )
    op.create_table('reservations',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('line_key', sa.Text(), nullable=False),
    sa.Column('sku_key', sa.Text(), nullable=False),
    sa.Column('location_key', sa.Text(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('workbook', 'line_key', 'location_key')
    )
    op.create_table('stock',
    sa.Column('workbook', sa.Text(), nullable=False),
    sa.Column('sku_key', sa.Text(), nullable=False),
    sa.Column('location_key', sa.Text(), nullable=False),
    sa.Column('sku', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('book', sa.BigInteger(), nullable=False),
    sa.Column('sheet_seen', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('workbook', 'sku_key', 'location_key')
    )


def downgrade() -> None:
    op.drop_table('stock')
    op.drop_table('reservations')
    op.drop_table('passes')
    op.drop_table('moves')
    op.drop_table('lines')
    op.drop_table('flags')
    op.drop_table('fills')
    op.drop_table('events')
    op.drop_table('chain_head')
    op.drop_table('approvals')
