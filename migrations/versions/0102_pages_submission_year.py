"""submissions keep their project's budget year, indexed with the state: the finance bureau's
badge (on every page) counts the county's forms awaiting it without joining the year's
projects (issue 9)

Revision ID: 0102_pages_submission_year
Revises: 0101_pages_state_project
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0102_pages_submission_year"
down_revision = "0101_pages_state_project"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("year_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE submissions SET year_id = "
        "(SELECT projects.year_id FROM projects WHERE projects.id = submissions.project_id)"
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.alter_column("year_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_year_id_budget_years"), "budget_years", ["year_id"], ["id"]
        )
        batch_op.create_index("ix_submissions_year_id_state", ["year_id", "state"], unique=False)


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_year_id_state")
        batch_op.drop_constraint(batch_op.f("fk_submissions_year_id_budget_years"), type_="foreignkey")
        batch_op.drop_column("year_id")
