"""airspace: owners, devices, seal events, exempt flights and violations (嘉政发〔2022〕17号)

The tables of src/jiaxing/schemes/airspace/models.py, written by hand (the platform's model
registry does not import packs).

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-03 20:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0007'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'airspace_owners',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(12), nullable=False),
        sa.Column('id_number', sa.String(32), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('phone', sa.String(32), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.CheckConstraint("kind IN ('person', 'organisation')", name='ck_airspace_owners_kind_known'),
        sa.PrimaryKeyConstraint('id', name='pk_airspace_owners'),
        sa.UniqueConstraint('id_number', name='uq_airspace_owners_id_number'),
    )
    op.create_table(
        'airspace_devices',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('owner_id', BIGID, nullable=False),
        sa.Column('kind', sa.String(40), nullable=False),
        sa.Column('model', sa.String(200), nullable=False),
        sa.Column('serial', sa.String(100), nullable=False),
        sa.Column('registration_no', sa.String(40), nullable=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('sealed', sa.Boolean(), nullable=False),
        sa.Column('registrar_unit', sa.String(200), nullable=True),
        sa.Column('co_registrars', sa.JSON(), nullable=False),
        sa.Column('submitted_by', sa.String(100), nullable=False),
        sa.Column('registered_by', sa.String(100), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('registered_at', TS, nullable=True),
        sa.CheckConstraint("status IN ('submitted', 'registered')", name='ck_airspace_devices_status_known'),
        sa.ForeignKeyConstraint(['owner_id'], ['airspace_owners.id'],
                                name='fk_airspace_devices_owner_id_airspace_owners'),
        sa.PrimaryKeyConstraint('id', name='pk_airspace_devices'),
        sa.UniqueConstraint('serial', name='uq_airspace_devices_serial'),
        sa.UniqueConstraint('registration_no', name='uq_airspace_devices_registration_no'),
    )
    op.create_index('ix_airspace_devices_owner_id', 'airspace_devices', ['owner_id'])
    op.create_table(
        'airspace_seal_events',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('device_id', BIGID, nullable=False),
        sa.Column('action', sa.String(10), nullable=False),
        sa.Column('mode', sa.String(12), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('place', sa.String(200), nullable=True),
        sa.Column('officer', sa.String(100), nullable=False),
        sa.Column('unit', sa.String(200), nullable=True),
        sa.Column('notice_id', sa.String(60), nullable=True),
        sa.Column('at', TS, nullable=False),
        sa.CheckConstraint("action IN ('seal', 'release')", name='ck_airspace_seal_events_action_known'),
        sa.ForeignKeyConstraint(['device_id'], ['airspace_devices.id'],
                                name='fk_airspace_seal_events_device_id_airspace_devices'),
        sa.PrimaryKeyConstraint('id', name='pk_airspace_seal_events'),
    )
    op.create_index('ix_airspace_seal_events_device_id', 'airspace_seal_events', ['device_id'])
    op.create_table(
        'airspace_flights',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('notice_id', sa.String(60), nullable=False),
        sa.Column('device_id', BIGID, nullable=False),
        sa.Column('purpose', sa.String(40), nullable=False),
        sa.Column('purpose_detail', sa.Text(), nullable=True),
        sa.Column('pilot', sa.String(100), nullable=False),
        sa.Column('start', TS, nullable=False),
        sa.Column('end', TS, nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('radius_m', sa.Float(), nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('applied_by', sa.String(100), nullable=False),
        sa.Column('decided_by', sa.String(100), nullable=True),
        sa.Column('department', sa.String(200), nullable=True),
        sa.Column('basis', sa.Text(), nullable=True),
        sa.Column('applied_at', TS, nullable=False),
        sa.Column('decided_at', TS, nullable=True),
        sa.CheckConstraint("status IN ('applied', 'approved', 'refused')", name='ck_airspace_flights_status_known'),
        sa.CheckConstraint('"end" >= start', name='ck_airspace_flights_window_ordered'),
        sa.ForeignKeyConstraint(['device_id'], ['airspace_devices.id'],
                                name='fk_airspace_flights_device_id_airspace_devices'),
        sa.PrimaryKeyConstraint('id', name='pk_airspace_flights'),
    )
    op.create_index('ix_airspace_flights_device_id', 'airspace_flights', ['device_id'])
    op.create_table(
        'airspace_violations',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('notice_id', sa.String(60), nullable=False),
        sa.Column('clause', sa.String(80), nullable=False),
        sa.Column('observed_at', TS, nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('distance_m', sa.Float(), nullable=True),
        sa.Column('object_kind', sa.String(40), nullable=False),
        sa.Column('source', sa.String(12), nullable=False),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('device_id', BIGID, nullable=True),
        sa.Column('owner_id', BIGID, nullable=True),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('department', sa.String(200), nullable=True),
        sa.Column('history', sa.JSON(), nullable=False),
        sa.Column('recorded_by', sa.String(100), nullable=False),
        sa.Column('recorded_at', TS, nullable=False),
        sa.CheckConstraint("status IN ('recorded', 'handed_over', 'closed')", name='ck_airspace_violations_status_known'),
        sa.CheckConstraint("source IN ('report', 'check')", name='ck_airspace_violations_source_known'),
        sa.ForeignKeyConstraint(['device_id'], ['airspace_devices.id'],
                                name='fk_airspace_violations_device_id_airspace_devices'),
        sa.ForeignKeyConstraint(['owner_id'], ['airspace_owners.id'],
                                name='fk_airspace_violations_owner_id_airspace_owners'),
        sa.PrimaryKeyConstraint('id', name='pk_airspace_violations'),
    )


def downgrade() -> None:
    op.drop_table('airspace_violations')
    op.drop_index('ix_airspace_flights_device_id', table_name='airspace_flights')
    op.drop_table('airspace_flights')
    op.drop_index('ix_airspace_seal_events_device_id', table_name='airspace_seal_events')
    op.drop_table('airspace_seal_events')
    op.drop_index('ix_airspace_devices_owner_id', table_name='airspace_devices')
    op.drop_table('airspace_devices')
    op.drop_table('airspace_owners')
