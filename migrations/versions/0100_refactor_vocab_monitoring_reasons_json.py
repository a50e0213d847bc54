"""monitoring_rows.reasons: a JSON list column instead of JSON written into text

The 偏差原因 categories of a monitoring row were a JSON string in a TEXT column, parsed by
hand wherever they were read; the column is now typed JSON (PostgreSQL ``json``; SQLite keeps
the same text), read and written as a Python list. Existing values are valid JSON already.

Revision ID: 0100_refactor_vocab
Revises: 0100_sec_auth
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0100_refactor_vocab'
down_revision = '0100_sec_auth'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('monitoring_rows', schema=None) as batch_op:
        batch_op.alter_column(
            'reasons',
            existing_type=sa.Text(),
            type_=sa.JSON(),
            existing_nullable=False,
            postgresql_using="COALESCE(NULLIF(reasons, ''), '[]')::json",
        )


def downgrade():
    with op.batch_alter_table('monitoring_rows', schema=None) as batch_op:
        batch_op.alter_column(
            'reasons',
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using='reasons::text',
        )
