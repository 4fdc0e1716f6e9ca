"""provident fund: accounts, monthly collections, sub-ledger movements, events, bank lines, exceptions, reference data

The tables of the Jiaxing flexible-worker provident fund (src/jiaxing/schemes/provident_fund/models.py).
Written by hand: the platform's model registry does not import packs.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'pf_accounts',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(64), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('sex', sa.String(6), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('seal_reason', sa.String(20), nullable=True),
        sa.Column('base_fen', sa.BigInteger(), nullable=False),
        sa.Column('rate_bp', sa.Integer(), nullable=False),
        sa.Column('monthly_fen', sa.BigInteger(), nullable=False),
        sa.Column('opened_on', sa.Date(), nullable=False),
        sa.Column('due_from', sa.Integer(), nullable=False),
        sa.Column('retire_month', sa.Integer(), nullable=False),
        sa.Column('last_paid_month', sa.Integer(), nullable=True),
        sa.Column('prepaid_through', sa.Integer(), nullable=True),
        sa.Column('prepaid_fen', sa.BigInteger(), nullable=False),
        sa.Column('balance_fen', sa.BigInteger(), nullable=False),
        sa.Column('accrual', sa.BigInteger(), nullable=False),
        sa.Column('accrual_idx', sa.BigInteger(), nullable=False),
        sa.Column('reminded_month', sa.Integer(), nullable=True),
        sa.Column('loan_outstanding', sa.Boolean(), nullable=False),
        sa.Column('carried_months', sa.Integer(), nullable=False),
        sa.Column('carried_through', sa.Integer(), nullable=True),
        sa.Column('last_adjust_year', sa.Integer(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('updated_at', TS, nullable=False),
        sa.CheckConstraint("status IN ('active', 'sealed', 'transferred')", name='ck_pf_accounts_status_known'),
        sa.CheckConstraint('balance_fen >= 0', name='ck_pf_accounts_balance_not_negative'),
        sa.CheckConstraint('prepaid_fen >= 0', name='ck_pf_accounts_prepaid_not_negative'),
        sa.CheckConstraint('rate_bp BETWEEN 1000 AND 2400', name='ck_pf_accounts_rate_in_range'),
        sa.PrimaryKeyConstraint('id', name='pk_pf_accounts'),
        sa.UniqueConstraint('person_id', name='uq_pf_accounts_person_id'),
    )
    op.create_index('ix_pf_accounts_status', 'pf_accounts', ['status'])
    op.create_table(
        'pf_collections',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('account_id', BIGID, nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('source', sa.String(10), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('ref', sa.String(40), nullable=False),
        sa.Column('settled_on', sa.Date(), nullable=True),
        sa.Column('import_id', sa.String(100), nullable=True),
        sa.Column('reason', sa.String(40), nullable=True),
        sa.Column('run_id', sa.BigInteger(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'paid', 'failed')", name='ck_pf_collections_status_known'),
        sa.CheckConstraint("source IN ('debit', 'prepaid')", name='ck_pf_collections_source_known'),
        sa.CheckConstraint('amount_fen > 0', name='ck_pf_collections_amount_positive'),
        sa.PrimaryKeyConstraint('id', name='pk_pf_collections'),
        sa.UniqueConstraint('account_id', 'month', name='uq_pf_collections_account_month'),
    )
    op.create_table(
        'pf_movements',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('account_id', BIGID, nullable=False),
        sa.Column('business_date', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('delta_balance', sa.BigInteger(), nullable=False),
        sa.Column('delta_prepaid', sa.BigInteger(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=True),
        sa.Column('ref', sa.String(120), nullable=False),
        sa.Column('memo', sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_pf_movements'),
        sa.UniqueConstraint('ref', name='uq_pf_movements_ref'),
    )
    op.create_index('ix_pf_movements_account', 'pf_movements', ['account_id', 'id'])
    op.create_table(
        'pf_events',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('account_id', BIGID, nullable=False),
        sa.Column('business_date', sa.Date(), nullable=False),
        sa.Column('event', sa.String(30), nullable=False),
        sa.Column('month', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(200), nullable=True),
        sa.Column('ref', sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_pf_events'),
        sa.UniqueConstraint('ref', name='uq_pf_events_ref'),
    )
    op.create_index('ix_pf_events_account', 'pf_events', ['account_id', 'id'])
    op.create_table(
        'pf_bank_lines',
        sa.Column('import_id', sa.String(100), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(40), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('result', sa.String(10), nullable=False),
        sa.Column('account_id', sa.BigInteger(), nullable=True),
        sa.Column('month', sa.Integer(), nullable=True),
        sa.Column('dup', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('import_id', 'line_no', name='pk_pf_bank_lines'),
    )
    op.create_index('ix_pf_bank_lines_ref', 'pf_bank_lines', ['import_id', 'ref', 'line_no'])
    op.create_table(
        'pf_exceptions',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('source', sa.String(100), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('ref', sa.String(40), nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('business_date', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_pf_exceptions'),
        sa.UniqueConstraint('source', 'ref', 'kind', 'line_no', name='uq_pf_exceptions_source'),
    )
    op.create_index('ix_pf_exceptions_kind', 'pf_exceptions', ['kind'])
    if op.get_bind().dialect.name == 'postgresql':
        # room on each page for the monthly updates of every account and collection to stay HOT
        op.execute('ALTER TABLE pf_accounts SET (fillfactor = 70)')
        op.execute('ALTER TABLE pf_collections SET (fillfactor = 80)')
    op.create_table(
        'pf_reference',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('demo', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_pf_reference'),
        sa.UniqueConstraint('kind', 'start', name='uq_pf_reference_kind'),
    )


def downgrade() -> None:
    for t in ('pf_reference', 'pf_exceptions', 'pf_bank_lines', 'pf_events', 'pf_movements', 'pf_collections',
              'pf_accounts'):
        op.drop_table(t)
