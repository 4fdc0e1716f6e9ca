"""long-term care, the intake half: population, duplicate enrolments, funding, discovery lists and
candidates, applications, experts, assessment forms, expert assignments, decisions

The tables of src/jiaxing/schemes/ltc/intake_models.py. Written by hand: the platform's model
registry does not import packs.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 00:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)
OPEN_SQL = "status IN ('submitted', 'review')"
TABLES = ('ltc_decisions', 'ltc_expert_assignments', 'ltc_assessment_forms', 'ltc_experts', 'ltc_applications',
          'ltc_candidate_sources', 'ltc_candidates', 'ltc_discovery_rows', 'ltc_funding_lines',
          'ltc_funding_batches', 'ltc_duplicate_enrolments', 'ltc_population')


def _id() -> sa.Column:
    return sa.Column('id', BIGID, autoincrement=True, nullable=False)


def upgrade() -> None:
    op.create_table(
        'ltc_population',
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('registered', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint('district', 'year', name='pk_ltc_population'),
    )
    op.create_table(
        'ltc_duplicate_enrolments', _id(),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('kept_scheme', sa.String(10), nullable=False),
        sa.Column('other_scheme', sa.String(10), nullable=False),
        sa.Column('other_source', sa.String(200), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('resolution', sa.Text(), nullable=False),
        sa.Column('cleared_by', sa.String(100), nullable=True),
        sa.Column('detected_at', TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'cleared')", name='ck_ltc_duplicate_enrolments_status_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_duplicate_enrolments'),
        sa.UniqueConstraint('person_id', 'other_source', name='uq_ltc_duplicate_enrolments_row'),
    )
    op.create_index('ix_ltc_duplicate_enrolments_person_id', 'ltc_duplicate_enrolments', ['person_id'])
    op.create_table(
        'ltc_funding_batches', _id(),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('batch', sa.String(60), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('actor', sa.String(100), nullable=False),
        sa.Column('created_at', TS, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_funding_batches'),
        sa.UniqueConstraint('year', 'batch', name='uq_ltc_funding_batches_year_batch'),
    )
    op.create_table(
        'ltc_funding_lines', _id(),
        sa.Column('batch_id', BIGID, nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('scheme', sa.String(10), nullable=False),
        sa.Column('personal_fen', sa.Integer(), nullable=False),
        sa.Column('other_fen', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_funding_lines'),
        sa.UniqueConstraint('year', 'person_id', name='uq_ltc_funding_lines_year_person'),
    )
    op.create_index('ix_ltc_funding_lines_batch_id', 'ltc_funding_lines', ['batch_id'])
    op.create_table(
        'ltc_discovery_rows', _id(),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('batch', sa.String(60), nullable=False),
        sa.Column('row_no', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('discharge', 'disability', 'dibao', 'death')",
                           name='ck_ltc_discovery_rows_kind_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_discovery_rows'),
        sa.UniqueConstraint('kind', 'batch', 'row_no', name='uq_ltc_discovery_rows_row'),
    )
    op.create_index('ix_ltc_discovery_rows_person', 'ltc_discovery_rows', ['person_id'])
    op.create_table(
        'ltc_candidates', _id(),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('found_on', sa.Date(), nullable=False),
        sa.Column('closed_reason', sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'applied', 'closed')", name='ck_ltc_candidates_status_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_candidates'),
        sa.UniqueConstraint('person_id', name='uq_ltc_candidates_person_id'),
    )
    op.create_index('ix_ltc_candidates_district', 'ltc_candidates', ['district'])
    op.create_table(
        'ltc_candidate_sources',
        sa.Column('candidate_id', BIGID, nullable=False),
        sa.Column('row_id', BIGID, nullable=False),
        sa.PrimaryKeyConstraint('candidate_id', 'row_id', name='pk_ltc_candidate_sources'),
    )
    op.create_table(
        'ltc_applications', _id(),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('kind', sa.String(14), nullable=False),
        sa.Column('channel', sa.String(14), nullable=False),
        sa.Column('submitted_by', sa.String(100), nullable=False),
        sa.Column('agent_name', sa.String(100), nullable=False),
        sa.Column('agent_relation', sa.String(30), nullable=False),
        sa.Column('phone', sa.String(20), nullable=False),
        sa.Column('provider', sa.String(100), nullable=False),
        sa.Column('dementia_unit', sa.Boolean(), nullable=False),
        sa.Column('candidate_id', BIGID, nullable=True),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('applied_on', sa.Date(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('grade', sa.String(20), nullable=True),
        sa.Column('created_at', TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("channel IN ('online_self', 'online_agent', 'desk', 'schedule')",
                           name='ck_ltc_applications_channel_known'),
        sa.CheckConstraint("status IN ('submitted', 'review', 'decided', 'withdrawn', 'closed')",
                           name='ck_ltc_applications_status_known'),
        sa.CheckConstraint("kind IN ('first', 'reassessment')", name='ck_ltc_applications_kind_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_applications'),
    )
    op.create_index('uq_ltc_applications_one_open', 'ltc_applications', ['person_id'], unique=True,
                    sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL))
    op.create_index('ix_ltc_applications_district', 'ltc_applications', ['district', 'applied_on'])
    op.create_table(
        'ltc_experts', _id(),
        sa.Column('username', sa.String(100), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('title', sa.String(20), nullable=False),
        sa.Column('unit', sa.String(100), nullable=False),
        sa.Column('district', sa.String(30), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.CheckConstraint("title IN ('junior', 'intermediate', 'associate_senior', 'senior')",
                           name='ck_ltc_experts_title_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_experts'),
        sa.UniqueConstraint('username', name='uq_ltc_experts_username'),
    )
    op.create_table(
        'ltc_assessment_forms', _id(),
        sa.Column('application_id', BIGID, nullable=False),
        sa.Column('assessor', sa.String(100), nullable=False),
        sa.Column('assessor_unit', sa.String(100), nullable=False),
        sa.Column('scale_version', sa.String(40), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('initial_grade', sa.String(20), nullable=True),
        sa.Column('collected_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_assessment_forms'),
        sa.UniqueConstraint('application_id', name='uq_ltc_assessment_forms_application_id'),
    )
    op.create_table(
        'ltc_expert_assignments', _id(),
        sa.Column('application_id', BIGID, nullable=False),
        sa.Column('expert_id', BIGID, nullable=False),
        sa.Column('seat', sa.Integer(), nullable=False),
        sa.Column('seed', sa.String(80), nullable=False),
        sa.Column('drawn_by', sa.String(100), nullable=False),
        sa.Column('items', sa.JSON(), nullable=True),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('scored_on', sa.Date(), nullable=True),
        sa.CheckConstraint('seat IN (1, 2, 3)', name='ck_ltc_expert_assignments_seat_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_expert_assignments'),
        sa.UniqueConstraint('application_id', 'expert_id', name='uq_ltc_expert_assignments_once'),
        sa.UniqueConstraint('application_id', 'seat', name='uq_ltc_expert_assignments_seat'),
    )
    op.create_index('ix_ltc_expert_assignments_application_id', 'ltc_expert_assignments', ['application_id'])
    op.create_table(
        'ltc_decisions', _id(),
        sa.Column('application_id', BIGID, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('grade', sa.String(20), nullable=True),
        sa.Column('final_total', sa.Integer(), nullable=False),
        sa.Column('scale_version', sa.String(40), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_decisions'),
        sa.UniqueConstraint('application_id', name='uq_ltc_decisions_application_id'),
    )
    op.create_index('ix_ltc_decisions_person_id', 'ltc_decisions', ['person_id'])


def downgrade() -> None:
    for t in TABLES:
        op.drop_table(t)
