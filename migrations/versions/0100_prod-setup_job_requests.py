"""job requests: 运行双监控 / 生成自评表 from a page, run by the scheduler process

Revision ID: 0100_prod_setup
Revises: 0100_api_v1
Create Date: 2026-11-30 20:30:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0100_prod_setup'
down_revision = '0100_api_v1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=32), nullable=False),
        sa.Column('period_key', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('worker', sa.String(length=128), nullable=False),
        sa.Column('progress_done', sa.Integer(), nullable=False),
        sa.Column('progress_total', sa.Integer(), nullable=True),
        sa.Column('run_status', sa.String(length=16), nullable=False),
        sa.Column('counts', sa.Text(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('job_run_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_job_requests_state_known')),
        sa.ForeignKeyConstraint(['job_run_id'], ['job_runs.id'], name=op.f('fk_job_requests_job_run_id_job_runs')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_job_requests_requested_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_requests')),
    )
    with op.batch_alter_table('job_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_requests_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('job_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_requests_state'))
    op.drop_table('job_requests')
