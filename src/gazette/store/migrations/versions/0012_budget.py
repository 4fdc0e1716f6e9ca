"""budget: budget years, check runs, calendar events, adjustment requests and decisions (嘉政发〔2022〕5号)

The tables of src/jiaxing/schemes/budget/models.py, written by hand.

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-03 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0007'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'budget_years',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(300), nullable=False),
        sa.Column('imported_by', sa.String(100), nullable=False),
        sa.Column('imported_at', TZ, nullable=False),
        sa.PrimaryKeyConstraint('year', name='pk_budget_years'),
    )
    op.create_table(
        'budget_check_runs',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('trigger', sa.String(20), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('results', sa.JSON(), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('run_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['year'], ['budget_years.year'], name='fk_budget_check_runs_year_budget_years'),
        sa.PrimaryKeyConstraint('id', name='pk_budget_check_runs'),
    )
    op.create_table(
        'budget_events',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(50), nullable=False),
        sa.Column('subject', sa.String(200), nullable=False),
        sa.Column('period', sa.String(7), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(100), nullable=False),
        sa.Column('recorded_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['year'], ['budget_years.year'], name='fk_budget_events_year_budget_years'),
        sa.PrimaryKeyConstraint('id', name='pk_budget_events'),
        sa.UniqueConstraint('year', 'kind', 'subject', 'period', name='uq_budget_events_once'),
    )
    op.create_table(
        'budget_requests',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('department', sa.String(200), nullable=False),
        sa.Column('unit', sa.String(200), nullable=False),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('kind', sa.String(30), nullable=False),
        sa.Column('condition', sa.String(30), nullable=False),
        sa.Column('direction', sa.String(10), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('priority_class', sa.Integer(), nullable=False),
        sa.Column('performance', sa.String(10), nullable=False),
        sa.Column('affordability', sa.String(10), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('next_step', sa.String(30), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('filed_by', sa.String(100), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('filed_at', TZ, nullable=False),
        sa.Column('npc_submitted_on', sa.Date(), nullable=True),
        sa.Column('npc_late_reason', sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('submitted', 'refused', 'queued', 'approved', 'rejected')",
                           name='ck_budget_requests_status_known'),
        sa.CheckConstraint('amount_fen > 0', name='ck_budget_requests_amount_positive'),
        sa.CheckConstraint('priority_class BETWEEN 1 AND 5', name='ck_budget_requests_priority_known'),
        sa.ForeignKeyConstraint(['year'], ['budget_years.year'], name='fk_budget_requests_year_budget_years'),
        sa.PrimaryKeyConstraint('id', name='pk_budget_requests'),
    )
    op.create_index('ix_budget_requests_year_status', 'budget_requests', ['year', 'status'])
    op.create_table(
        'budget_decisions',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('request_id', BIGID, nullable=False),
        sa.Column('step', sa.String(30), nullable=False),
        sa.Column('outcome', sa.String(20), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['budget_requests.id'],
                                name='fk_budget_decisions_request_id_budget_requests'),
        sa.PrimaryKeyConstraint('id', name='pk_budget_decisions'),
    )


def downgrade() -> None:
    op.drop_table('budget_decisions')
    op.drop_index('ix_budget_requests_year_status', table_name='budget_requests')
    op.drop_table('budget_requests')
    op.drop_table('budget_events')
    op.drop_table('budget_check_runs')
    op.drop_table('budget_years')
