"""submissions.state indexed: 我的待办 and its badge count forms by state on every page

Revision ID: 0100_scale_pages
Revises: 0100_quality_pay
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0100_scale_pages"
down_revision = "0100_quality_pay"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_submissions_state", "submissions", ["state"], unique=False)


def downgrade():
    op.drop_index("ix_submissions_state", table_name="submissions")
