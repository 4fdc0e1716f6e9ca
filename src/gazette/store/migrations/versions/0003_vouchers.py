"""vouchers: programmes, district pools, vouchers, enterprise profiles, applications, payments

The tables of the Jiaxing voucher and enterprise-subsidy scheme (src/jiaxing/schemes/vouchers/models.py).
Written by hand: the platform's model registry does not import packs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
LIVE_VOUCHER = "status IN ('claimed', 'redeemed')"
LIVE_APPLICATION = "status NOT IN ('rejected', 'declined')"
VOUCHER_STATUSES = "('claimed', 'redeemed', 'cancelled', 'expired', 'refunded')"
APPLICATION_STATUSES = "('offered', 'submitted', 'under_review', 'approved', 'rejected', 'declined', 'paid')"


def upgrade() -> None:
    op.create_table(
        'vch_programmes',
        sa.Column('code', sa.String(50), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('entity', sa.String(50), nullable=False),
        sa.Column('window_start', sa.Date(), nullable=False),
        sa.Column('window_end', sa.Date(), nullable=False),
        sa.Column('max_face_fen', sa.BigInteger(), nullable=False),
        sa.Column('per_person_limit', sa.Integer(), nullable=False),
        sa.Column('total_budget_fen', sa.BigInteger(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code', name='pk_vch_programmes'),
    )
    op.create_table(
        'vch_pools',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('programme', sa.String(50), nullable=False),
        sa.Column('district', sa.String(100), nullable=False),
        sa.Column('budget_fen', sa.BigInteger(), nullable=False),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_vch_pools'),
        sa.UniqueConstraint('programme', 'district', name='uq_vch_pools_programme_district'),
    )
    op.create_table(
        'vch_vouchers',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('programme', sa.String(50), nullable=False),
        sa.Column('district', sa.String(100), nullable=False),
        sa.Column('person_id', sa.String(64), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('reserved_fen', sa.BigInteger(), nullable=False),
        sa.Column('face_fen', sa.BigInteger(), nullable=True),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('claimed_on', sa.Date(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=False),
        sa.Column('purchase', sa.JSON(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN {VOUCHER_STATUSES}", name='ck_vch_vouchers_status_known'),
        sa.CheckConstraint('reserved_fen > 0', name='ck_vch_vouchers_reserved_positive'),
        sa.CheckConstraint('face_fen IS NULL OR (face_fen > 0 AND face_fen <= reserved_fen)',
                           name='ck_vch_vouchers_face_within_reserved'),
        sa.PrimaryKeyConstraint('id', name='pk_vch_vouchers'),
    )
    op.create_index('uq_vch_vouchers_live_person', 'vch_vouchers', ['programme', 'person_id'], unique=True,
                    postgresql_where=sa.text(LIVE_VOUCHER), sqlite_where=sa.text(LIVE_VOUCHER))
    op.create_index('ix_vch_vouchers_status_expiry', 'vch_vouchers', ['status', 'expires_on'])
    op.create_index('ix_vch_vouchers_pool', 'vch_vouchers', ['programme', 'district'])
    op.create_table(
        'vch_enterprises',
        sa.Column('id', sa.String(64), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('district', sa.String(100), nullable=True),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_vch_enterprises'),
    )
    op.create_table(
        'vch_applications',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('enterprise_id', sa.String(64), nullable=False),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('award_group', sa.String(200), nullable=False),
        sa.Column('period', sa.String(20), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('source', sa.String(20), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('cap_fen', sa.BigInteger(), nullable=True),
        sa.Column('facts', sa.JSON(), nullable=False),
        sa.Column('subject', sa.JSON(), nullable=True),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('explanation', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN {APPLICATION_STATUSES}", name='ck_vch_applications_status_known'),
        sa.CheckConstraint('amount_fen > 0', name='ck_vch_applications_amount_positive'),
        sa.CheckConstraint('cap_fen IS NULL OR amount_fen <= cap_fen', name='ck_vch_applications_within_cap'),
        sa.CheckConstraint("source IN ('application', 'no_apply')", name='ck_vch_applications_source_known'),
        sa.PrimaryKeyConstraint('id', name='pk_vch_applications'),
    )
    op.create_index('uq_vch_applications_live_award', 'vch_applications', ['enterprise_id', 'award_group', 'period'],
                    unique=True, postgresql_where=sa.text(LIVE_APPLICATION), sqlite_where=sa.text(LIVE_APPLICATION))
    op.create_index('ix_vch_applications_status', 'vch_applications', ['status'])
    op.create_table(
        'vch_payments',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('application_id', BIGID, nullable=False),
        sa.Column('enterprise_id', sa.String(64), nullable=False),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('award_group', sa.String(200), nullable=False),
        sa.Column('period', sa.String(20), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('cap_fen', sa.BigInteger(), nullable=True),
        sa.Column('entry_key', sa.String(200), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount_fen > 0', name='ck_vch_payments_amount_positive'),
        sa.CheckConstraint('cap_fen IS NULL OR amount_fen <= cap_fen', name='ck_vch_payments_within_cap'),
        sa.PrimaryKeyConstraint('id', name='pk_vch_payments'),
        sa.UniqueConstraint('application_id', name='uq_vch_payments_application_id'),
        sa.UniqueConstraint('enterprise_id', 'clause', 'period', name='uq_vch_payments_enterprise_clause_period'),
        sa.UniqueConstraint('enterprise_id', 'award_group', 'period', name='uq_vch_payments_enterprise_group_period'),
    )


def downgrade() -> None:
    op.drop_table('vch_payments')
    op.drop_index('ix_vch_applications_status', table_name='vch_applications')
    op.drop_index('uq_vch_applications_live_award', table_name='vch_applications')
    op.drop_table('vch_applications')
    op.drop_table('vch_enterprises')
    op.drop_index('ix_vch_vouchers_pool', table_name='vch_vouchers')
    op.drop_index('ix_vch_vouchers_status_expiry', table_name='vch_vouchers')
    op.drop_index('uq_vch_vouchers_live_person', table_name='vch_vouchers')
    op.drop_table('vch_vouchers')
    op.drop_table('vch_pools')
    op.drop_table('vch_programmes')
