"""projects.indicator_count, kept by triggers on indicators: the project list's county-wide
total sums it instead of counting every indicator row on every request (issue 9)

Revision ID: 0103_pages_indicator_count
Revises: 0102_pages_submission_year
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0103_pages_indicator_count"
down_revision = "0102_pages_submission_year"
branch_labels = None
depends_on = None

# As tracker/models/projects.py INDICATOR_COUNT_DDL at the time of this revision.
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER trg_indicators_count_insert AFTER INSERT ON indicators BEGIN "
        "UPDATE projects SET indicator_count = indicator_count + 1 WHERE id = NEW.project_id; END",
        "CREATE TRIGGER trg_indicators_count_delete AFTER DELETE ON indicators BEGIN "
        "UPDATE projects SET indicator_count = indicator_count - 1 WHERE id = OLD.project_id; END",
        "CREATE TRIGGER trg_indicators_count_move AFTER UPDATE OF project_id ON indicators "
        "WHEN NEW.project_id IS NOT OLD.project_id BEGIN "
        "UPDATE projects SET indicator_count = indicator_count - 1 WHERE id = OLD.project_id; "
        "UPDATE projects SET indicator_count = indicator_count + 1 WHERE id = NEW.project_id; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION indicators_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
        "UPDATE projects SET indicator_count = indicator_count - 1 WHERE id = OLD.project_id; END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "UPDATE projects SET indicator_count = indicator_count + 1 WHERE id = NEW.project_id; END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER trg_indicators_count AFTER INSERT OR DELETE OR UPDATE OF project_id ON indicators "
        "FOR EACH ROW EXECUTE FUNCTION indicators_count()",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS trg_indicators_count_insert",
        "DROP TRIGGER IF EXISTS trg_indicators_count_delete",
        "DROP TRIGGER IF EXISTS trg_indicators_count_move",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS trg_indicators_count ON indicators",
        "DROP FUNCTION IF EXISTS indicators_count()",
    ],
}


def upgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indicator_count", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE projects SET indicator_count = "
        "(SELECT count(*) FROM indicators WHERE indicators.project_id = projects.id)"
    )
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("indicator_count")
