"""submissions indexed by (state, project_id) instead of state alone: 我的待办's badge, on every
page, counts forms by state within a year's projects from the index only (issue 9)

Revision ID: 0101_pages_state_project
Revises: 0100_multi_year
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0101_pages_state_project"
down_revision = "0100_multi_year"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_submissions_state_project_id", "submissions", ["state", "project_id"], unique=False)
    op.drop_index("ix_submissions_state", table_name="submissions")


def downgrade():
    op.create_index("ix_submissions_state", "submissions", ["state"], unique=False)
    op.drop_index("ix_submissions_state_project_id", table_name="submissions")
