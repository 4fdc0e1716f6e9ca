"""long-term care, the care half: catalogue, providers, caregivers, care plans, visits, violation rules and
findings, review samples, settlement lines, deductions, claims, ratings

The tables of src/jiaxing/schemes/ltc/care/models.py. Written by hand: the platform's model registry
does not import packs.

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-04 00:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0014'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TABLES = ('ltc_care_plan_items', 'ltc_care_plans', 'ltc_caregivers', 'ltc_catalogue_items', 'ltc_claims',
          'ltc_deductions', 'ltc_findings', 'ltc_providers', 'ltc_ratings', 'ltc_review_samples',
          'ltc_settlement_lines', 'ltc_violation_rules', 'ltc_visit_items', 'ltc_visits')


def upgrade() -> None:
    op.create_table(
        'ltc_care_plan_items',
        sa.Column('plan_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('item_code', sa.String(20), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint('plan_id', 'item_code', name='pk_ltc_care_plan_items'),
    )
    op.create_table(
        'ltc_care_plans',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('care_type', sa.String(20), nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_care_plans'),
    )
    op.create_index('ix_ltc_care_plans_person', 'ltc_care_plans', ['person_id', 'starts_on'])
    op.create_index('ix_ltc_care_plans_provider_id', 'ltc_care_plans', ['provider_id'])
    op.create_table(
        'ltc_caregivers',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('certificate', sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_caregivers'),
        sa.UniqueConstraint('certificate', name='uq_ltc_caregivers_certificate'),
    )
    op.create_index('ix_ltc_caregivers_provider_id', 'ltc_caregivers', ['provider_id'])
    op.create_table(
        'ltc_catalogue_items',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('version', sa.String(40), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('code', sa.String(20), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('category', sa.String(20), nullable=False),
        sa.Column('unit', sa.String(10), nullable=False),
        sa.Column('price_fen', sa.BigInteger(), nullable=False),
        sa.Column('min_minutes', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(200), nullable=False),
        sa.CheckConstraint("category IN ('daily_living', 'medical_care')", name='ck_ltc_catalogue_items_category_known'),
        sa.UniqueConstraint('version', 'code', name='uq_ltc_catalogue_items_version_code'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_catalogue_items'),
        sa.CheckConstraint("unit IN ('visit', 'day')", name='ck_ltc_catalogue_items_unit_known'),
    )
    op.create_table(
        'ltc_claims',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('cost_fen', sa.BigInteger(), nullable=False),
        sa.Column('fund_fen', sa.BigInteger(), nullable=False),
        sa.Column('personal_fen', sa.BigInteger(), nullable=False),
        sa.Column('deduction_fen', sa.BigInteger(), nullable=False),
        sa.Column('net_fen', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('paid_in', sa.String(40), nullable=True),
        sa.Column('run_id', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('provider_id', 'month', name='uq_ltc_claims_provider_month'),
        sa.CheckConstraint("status IN ('payable', 'paid')", name='ck_ltc_claims_status_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_claims'),
    )
    op.create_table(
        'ltc_deductions',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('care_month', sa.String(7), nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('rules', sa.String(200), nullable=False),
        sa.Column('run_id', sa.BigInteger(), nullable=False),
        sa.UniqueConstraint('month', 'person_id', 'care_month', name='uq_ltc_deductions_month_person'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_deductions'),
    )
    op.create_index('ix_ltc_deductions_provider_id', 'ltc_deductions', ['provider_id'])
    op.create_table(
        'ltc_findings',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('visit_id', sa.BigInteger(), nullable=False),
        sa.Column('rule_id', sa.String(10), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('decided_by', sa.String(100), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('settled_month', sa.String(7), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_findings'),
        sa.CheckConstraint("status IN ('flagged', 'confirmed', 'dismissed')", name='ck_ltc_findings_status_known'),
        sa.UniqueConstraint('visit_id', 'rule_id', name='uq_ltc_findings_visit_rule'),
    )
    op.create_index('ix_ltc_findings_provider', 'ltc_findings', ['provider_id', 'status'])
    op.create_index('ix_ltc_findings_month', 'ltc_findings', ['month', 'status'])
    op.create_table(
        'ltc_providers',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('code', sa.String(40), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('care_type', sa.String(20), nullable=False),
        sa.Column('dementia_unit', sa.Boolean(), nullable=False),
        sa.Column('designated_on', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_providers'),
        sa.CheckConstraint("care_type IN ('elderly_institution', 'medical_institution', 'home')", name='ck_ltc_providers_care_type_known'),
        sa.UniqueConstraint('code', name='uq_ltc_providers_code'),
    )
    op.create_table(
        'ltc_ratings',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('visit_id', sa.BigInteger(), nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('stars', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.UniqueConstraint('visit_id', name='uq_ltc_ratings_visit_id'),
        sa.CheckConstraint('stars BETWEEN 1 AND 5', name='ck_ltc_ratings_stars_range'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_ratings'),
    )
    op.create_index('ix_ltc_ratings_provider_id', 'ltc_ratings', ['provider_id'])
    op.create_table(
        'ltc_review_samples',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('visit_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_review_samples'),
        sa.UniqueConstraint('month', 'visit_id', name='uq_ltc_review_samples_month_visit'),
    )
    op.create_table(
        'ltc_settlement_lines',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('care_type', sa.String(20), nullable=False),
        sa.Column('visits', sa.Integer(), nullable=False),
        sa.Column('cost_fen', sa.BigInteger(), nullable=False),
        sa.Column('cap_fen', sa.BigInteger(), nullable=False),
        sa.Column('share_bp', sa.Integer(), nullable=False),
        sa.Column('fund_fen', sa.BigInteger(), nullable=False),
        sa.Column('personal_fen', sa.BigInteger(), nullable=False),
        sa.Column('run_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_settlement_lines'),
        sa.UniqueConstraint('month', 'person_id', name='uq_ltc_settlement_lines_month_person'),
    )
    op.create_index('ix_ltc_settlement_lines_provider', 'ltc_settlement_lines', ['provider_id', 'month'])
    op.create_table(
        'ltc_violation_rules',
        sa.Column('id', sa.String(10), autoincrement=False, nullable=False),
        sa.Column('clause', sa.String(100), nullable=False),
        sa.Column('severity', sa.String(10), nullable=False),
        sa.Column('title_zh', sa.String(200), nullable=False),
        sa.Column('title_en', sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_violation_rules'),
    )
    op.create_table(
        'ltc_visit_items',
        sa.Column('visit_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('item_code', sa.String(20), autoincrement=False, nullable=False),
        sa.Column('price_fen', sa.BigInteger(), nullable=False),
        sa.Column('min_minutes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('visit_id', 'item_code', name='pk_ltc_visit_items'),
    )
    op.create_table(
        'ltc_visits',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('provider_id', sa.BigInteger(), nullable=False),
        sa.Column('caregiver_id', sa.BigInteger(), nullable=True),
        sa.Column('plan_id', sa.BigInteger(), nullable=False),
        sa.Column('kind', sa.String(5), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('checkin_ts', sa.BigInteger(), nullable=True),
        sa.Column('checkout_ts', sa.BigInteger(), nullable=True),
        sa.Column('lat_udeg', sa.Integer(), nullable=True),
        sa.Column('lon_udeg', sa.Integer(), nullable=True),
        sa.Column('face_ok', sa.Boolean(), nullable=True),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.Column('cost_fen', sa.BigInteger(), nullable=False),
        sa.Column('min_minutes', sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('home', 'day')", name='ck_ltc_visits_kind_known'),
        sa.CheckConstraint('checkout_ts IS NULL OR checkout_ts > checkin_ts', name='ck_ltc_visits_checkout_after_checkin'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_visits'),
    )
    op.create_index('ix_ltc_visits_caregiver', 'ltc_visits', ['caregiver_id', 'checkin_ts'])
    op.create_index('ix_ltc_visits_month_provider', 'ltc_visits', ['month', 'provider_id', 'person_id'])
    op.create_index('ix_ltc_visits_person_day', 'ltc_visits', ['person_id', 'day'])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
