"""resident pension: participants, contributions, standard versions, adjustments, payroll lines, recoveries

The tables of the Jiaxing resident basic pension (src/jiaxing/schemes/resident_pension/models.py).
Written by hand: the platform's model registry does not import packs.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'rp_participants',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('enrolled_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('pension_from', sa.Integer(), nullable=True),
        sa.Column('death_date', sa.Date(), nullable=True),
        sa.Column('death_month', sa.Integer(), nullable=True),
        sa.Column('bank', sa.String(20), nullable=False),
        sa.Column('bank_account', sa.String(40), nullable=False),
        sa.Column('settled_version', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('contributing', 'receiving', 'suspended', 'deceased', 'transferred')",
                           name='ck_rp_participants_status_known'),
        sa.PrimaryKeyConstraint('id', name='pk_rp_participants'),
        sa.UniqueConstraint('person_id', name='uq_rp_participants_person_id'),
    )
    op.create_index('ix_rp_participants_status', 'rp_participants', ['status'])
    op.create_table(
        'rp_contributions',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=False),
        sa.Column('back_payment', sa.Boolean(), nullable=False),
        sa.Column('subsidy_fen', sa.BigInteger(), nullable=False),
        sa.Column('clause', sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_rp_contributions'),
        sa.UniqueConstraint('person_id', 'year', name='uq_rp_contributions_person_year'),
    )
    op.create_table(
        'rp_standard_versions',
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('effective_from', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('published_on', sa.Date(), nullable=False),
        sa.Column('citation', sa.Text(), nullable=False),
        sa.Column('adjustment_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('version', name='pk_rp_standard_versions'),
    )
    op.create_table(
        'rp_standard_months',
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('month', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('version', 'month', name='pk_rp_standard_months'),
    )
    op.create_table(
        'rp_adjustments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('rural_income_fen', sa.BigInteger(), nullable=False),
        sa.Column('growth_ppm', sa.Integer(), nullable=False),
        sa.Column('previous_fen', sa.BigInteger(), nullable=False),
        sa.Column('proposed_fen', sa.BigInteger(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('proposed_by', sa.String(100), nullable=False),
        sa.Column('submitted_by', sa.String(100), nullable=True),
        sa.Column('approved_by', sa.String(100), nullable=True),
        sa.Column('approved_on', sa.Date(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'rejected')",
                           name='ck_rp_adjustments_status_known'),
        sa.PrimaryKeyConstraint('id', name='pk_rp_adjustments'),
        sa.UniqueConstraint('year', name='uq_rp_adjustments_year'),
    )
    op.create_table(
        'rp_lines',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('participant_id', sa.BigInteger(), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('kind', sa.String(8), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('bank', sa.String(20), nullable=False),
        sa.Column('export_id', sa.String(60), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('pension', 'topup')", name='ck_rp_lines_kind_known'),
        sa.CheckConstraint("status IN ('due', 'sent', 'paid', 'failed', 'cancelled')", name='ck_rp_lines_status_known'),
        sa.CheckConstraint('amount_fen > 0', name='ck_rp_lines_amount_positive'),
        sa.PrimaryKeyConstraint('id', name='pk_rp_lines'),
        sa.UniqueConstraint('participant_id', 'kind', 'month', 'version', name='uq_rp_lines_unit'),
    )
    op.create_index('ix_rp_lines_status', 'rp_lines', ['status'])
    op.create_index('ix_rp_lines_run', 'rp_lines', ['run_id'])
    op.create_table(
        'rp_recoveries',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('line_id', sa.BigInteger(), nullable=False),
        sa.Column('participant_id', sa.BigInteger(), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('reason', sa.String(200), nullable=False),
        sa.Column('created_on', sa.Date(), nullable=False),
        sa.Column('created_at', TS, nullable=True),
        sa.CheckConstraint("status IN ('open', 'recovered', 'closed')", name='ck_rp_recoveries_status_known'),
        sa.PrimaryKeyConstraint('id', name='pk_rp_recoveries'),
        sa.UniqueConstraint('line_id', name='uq_rp_recoveries_line_id'),
    )


def downgrade() -> None:
    for t in ('rp_recoveries', 'rp_lines', 'rp_adjustments', 'rp_standard_months', 'rp_standard_versions',
              'rp_contributions', 'rp_participants'):
        op.drop_table(t)
