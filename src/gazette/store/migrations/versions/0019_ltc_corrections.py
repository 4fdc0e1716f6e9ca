"""long-term care: manual corrections of paid claims (ltc_corrections)

The table of src/jiaxing/schemes/ltc/care/models.py ``Correction``. Written by hand: the platform's model
registry does not import packs.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'ltc_corrections',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('care_month', sa.String(7), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('clause', sa.String(100), nullable=False),
        sa.Column('recorded_by', sa.String(100), nullable=False),
        sa.Column('paid_in', sa.String(7), nullable=True),
        sa.CheckConstraint('amount_fen <> 0', name='ck_ltc_corrections_amount_not_zero'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_corrections'),
    )
    op.create_index('ix_ltc_corrections_provider', 'ltc_corrections', ['provider_id', 'care_month'])


def downgrade() -> None:
    op.drop_table('ltc_corrections')
