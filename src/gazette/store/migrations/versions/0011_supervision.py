"""supervision: the task register, officers' corrections, progress reports, "551" projects, moves, investment

The tables of the Jiaxing supervision workbench (src/jiaxing/schemes/supervision/models.py).
Written by hand: the platform's model registry does not import packs.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'sup_tasks',
        sa.Column('id', sa.String(200), nullable=False),
        sa.Column('document', sa.String(100), nullable=False),
        sa.Column('clause', sa.String(200), nullable=False),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('units', sa.JSON(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('deadline_text', sa.String(200), nullable=True),
        sa.Column('deadline_source', sa.String(200), nullable=True),
        sa.Column('duration', sa.String(40), nullable=True),
        sa.Column('targets', sa.JSON(), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_sup_tasks'),
    )
    op.create_index('ix_sup_tasks_document', 'sup_tasks', ['document'])
    op.create_table(
        'sup_task_units',
        sa.Column('task_id', sa.String(200), nullable=False),
        sa.Column('unit', sa.String(200), nullable=False),
        sa.Column('lead', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['sup_tasks.id'], name='fk_sup_task_units_task_id_sup_tasks'),
        sa.PrimaryKeyConstraint('task_id', 'unit', name='pk_sup_task_units'),
    )
    op.create_index('ix_sup_task_units_unit', 'sup_task_units', ['unit'])
    op.create_table(
        'sup_task_corrections',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('task_id', sa.String(200), nullable=False),
        sa.Column('action', sa.String(20), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('at', TS, nullable=False),
        sa.CheckConstraint("action IN ('confirmed', 'corrected')", name='ck_sup_task_corrections_action_known'),
        sa.ForeignKeyConstraint(['task_id'], ['sup_tasks.id'], name='fk_sup_task_corrections_task_id_sup_tasks'),
        sa.PrimaryKeyConstraint('id', name='pk_sup_task_corrections'),
    )
    op.create_index('ix_sup_task_corrections_task_id', 'sup_task_corrections', ['task_id'])
    op.create_table(
        'sup_reports',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('task_id', sa.String(200), nullable=False),
        sa.Column('unit', sa.String(200), nullable=False),
        sa.Column('status', sa.String(20), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('actual', sa.String(40), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=True),
        sa.Column('evidence_file', sa.String(300), nullable=True),
        sa.Column('reported_on', sa.Date(), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.CheckConstraint("status IN ('in_progress', 'done', 'blocked')", name='ck_sup_reports_status_known'),
        sa.CheckConstraint("percent >= 0 AND percent <= 100", name='ck_sup_reports_percent_range'),
        sa.ForeignKeyConstraint(['task_id'], ['sup_tasks.id'], name='fk_sup_reports_task_id_sup_tasks'),
        sa.PrimaryKeyConstraint('id', name='pk_sup_reports'),
    )
    op.create_index('ix_sup_reports_task_id', 'sup_reports', ['task_id'])
    op.create_index('ix_sup_reports_unit', 'sup_reports', ['unit'])
    op.create_index('ix_sup_reports_reported_on', 'sup_reports', ['reported_on'])
    op.create_table(
        'sup_projects',
        sa.Column('id', sa.String(40), nullable=False),
        sa.Column('name', sa.String(300), nullable=False),
        sa.Column('category', sa.String(20), nullable=False),
        sa.Column('level', sa.String(20), nullable=False),
        sa.Column('district', sa.String(40), nullable=False),
        sa.Column('owner_unit', sa.String(200), nullable=False),
        sa.Column('total_wan', sa.BigInteger(), nullable=False),
        sa.Column('annual_plan_wan', sa.BigInteger(), nullable=False),
        sa.Column('planned_start', sa.Date(), nullable=True),
        sa.Column('is_new', sa.Boolean(), nullable=False),
        sa.Column('library', sa.String(20), nullable=False),
        sa.Column('approval_started_on', sa.Date(), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('stats_entered_month', sa.String(7), nullable=True),
        sa.CheckConstraint("library IN ('reserve', 'new', 'construction')", name='ck_sup_projects_library_known'),
        sa.CheckConstraint("total_wan >= 0 AND annual_plan_wan >= 0", name='ck_sup_projects_money_nonnegative'),
        sa.PrimaryKeyConstraint('id', name='pk_sup_projects'),
    )
    op.create_index('ix_sup_projects_category', 'sup_projects', ['category'])
    op.create_index('ix_sup_projects_district', 'sup_projects', ['district'])
    op.create_index('ix_sup_projects_library', 'sup_projects', ['library'])
    op.create_table(
        'sup_project_moves',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('project_id', sa.String(40), nullable=False),
        sa.Column('event', sa.String(30), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('from_library', sa.String(20), nullable=True),
        sa.Column('to_library', sa.String(20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['sup_projects.id'], name='fk_sup_project_moves_project_id_sup_projects'),
        sa.PrimaryKeyConstraint('id', name='pk_sup_project_moves'),
        sa.UniqueConstraint('project_id', 'event', 'on', name='uq_sup_project_moves_event'),
    )
    op.create_index('ix_sup_project_moves_project_id', 'sup_project_moves', ['project_id'])
    op.create_table(
        'sup_investments',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('project_id', sa.String(40), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('amount_wan', sa.BigInteger(), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.CheckConstraint("amount_wan >= 0", name='ck_sup_investments_amount_nonnegative'),
        sa.ForeignKeyConstraint(['project_id'], ['sup_projects.id'], name='fk_sup_investments_project_id_sup_projects'),
        sa.PrimaryKeyConstraint('id', name='pk_sup_investments'),
        sa.UniqueConstraint('project_id', 'month', name='uq_sup_investments_month'),
    )
    op.create_index('ix_sup_investments_project_id', 'sup_investments', ['project_id'])


def downgrade() -> None:
    for t in ('sup_investments', 'sup_project_moves', 'sup_projects', 'sup_reports', 'sup_task_corrections',
              'sup_task_units', 'sup_tasks'):
        op.drop_table(t)
