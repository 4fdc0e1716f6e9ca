"""provident fund: sanctions of 第二十二、二十三条 (restrictions, loan recalls, raised loan rates)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02 01:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'pf_sanctions',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('account_id', BIGID, nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('article', sa.String(20), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('until_date', sa.Date(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('ref', sa.String(120), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('outcome', sa.String(200), nullable=True),
        sa.CheckConstraint("kind IN ('restriction', 'loan_recall', 'loan_rate_raised')", name='ck_pf_sanctions_kind_known'),
        sa.PrimaryKeyConstraint('id', name='pk_pf_sanctions'),
        sa.UniqueConstraint('ref', name='uq_pf_sanctions_ref'),
    )
    op.create_index('ix_pf_sanctions_account', 'pf_sanctions', ['account_id', 'kind'])


def downgrade() -> None:
    op.drop_index('ix_pf_sanctions_account', table_name='pf_sanctions')
    op.drop_table('pf_sanctions')
