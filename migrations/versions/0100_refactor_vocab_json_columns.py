"""JSON columns instead of JSON written into text: monitoring_rows.reasons, evaluation_forms.level1_weights

The 偏差原因 categories of a monitoring row and the 一级 weights of a self-evaluation form were
JSON strings in TEXT columns, parsed by hand wherever they were read; the columns are now typed
JSON (PostgreSQL ``json``; SQLite keeps the same text), read and written as a list / a dict.
Existing values are valid JSON already.

Revision ID: 0100_refactor_vocab
Revises: 0100_prod_setup
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0100_refactor_vocab'
down_revision = '0100_prod_setup'
branch_labels = None
depends_on = None


COLUMNS = (('monitoring_rows', 'reasons', '[]'), ('evaluation_forms', 'level1_weights', '{}'))


def upgrade():
    for table, column, empty in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.JSON(),
                existing_nullable=False,
                postgresql_using=f"COALESCE(NULLIF({column}, ''), '{empty}')::json",
            )


def downgrade():
    for table, column, _ in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.JSON(),
                type_=sa.Text(),
                existing_nullable=False,
                postgresql_using=f'{column}::text',
            )
