"""long-term care: the insured, hospital stays, beneficiaries (the tables both halves read)

The shared tables of the Jiaxing LTC scheme (src/jiaxing/schemes/ltc/models.py). Written by hand:
the platform's model registry does not import packs.

Revision ID: 0014
Revises: 0007
Create Date: 2026-12-03 23:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0007'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'ltc_insured',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('name', sa.String(100), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('scheme', sa.String(10), nullable=False),
        sa.Column('insured_since', sa.Date(), nullable=False),
        sa.Column('insured_until', sa.Date(), nullable=True),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('home_lat_udeg', sa.Integer(), nullable=True),
        sa.Column('home_lon_udeg', sa.Integer(), nullable=True),
        sa.Column('died_on', sa.Date(), nullable=True),
        sa.Column('source', sa.String(200), nullable=False),
        sa.Column('created_at', TS, server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("scheme IN ('employee', 'resident')", name='ck_ltc_insured_scheme_known'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_insured'),
        sa.UniqueConstraint('person_id', name='uq_ltc_insured_person_id'),
    )
    op.create_index('ix_ltc_insured_district', 'ltc_insured', ['district'])
    op.create_table(
        'ltc_hospital_stays',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('hospital', sa.String(100), nullable=False),
        sa.Column('admitted_on', sa.Date(), nullable=False),
        sa.Column('discharged_on', sa.Date(), nullable=True),
        sa.Column('diagnosis', sa.Text(), nullable=False),
        sa.Column('source', sa.String(200), nullable=False),
        sa.CheckConstraint('discharged_on IS NULL OR discharged_on >= admitted_on',
                           name='ck_ltc_hospital_stays_discharge_after_admission'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_hospital_stays'),
        sa.UniqueConstraint('person_id', 'admitted_on', 'hospital', name='uq_ltc_hospital_stays_one_stay_per_admission'),
    )
    op.create_index('ix_ltc_hospital_stays_person', 'ltc_hospital_stays', ['person_id', 'admitted_on'])
    op.create_table(
        'ltc_beneficiaries',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('person_id', sa.String(18), nullable=False),
        sa.Column('district', sa.String(30), nullable=False),
        sa.Column('grade', sa.String(20), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('decided_by', sa.String(100), nullable=False),
        sa.CheckConstraint("grade IN ('severe_1', 'severe_2', 'severe_3', 'severe_dementia')",
                           name='ck_ltc_beneficiaries_grade_known'),
        sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name='ck_ltc_beneficiaries_ends_after_start'),
        sa.PrimaryKeyConstraint('id', name='pk_ltc_beneficiaries'),
        sa.UniqueConstraint('person_id', name='uq_ltc_beneficiaries_person_id'),
    )
    op.create_index('ix_ltc_beneficiaries_district', 'ltc_beneficiaries', ['district'])


def downgrade() -> None:
    op.drop_table('ltc_beneficiaries')
    op.drop_table('ltc_hospital_stays')
    op.drop_table('ltc_insured')
