"""user language: the interface language an account chose on the switch

Pages are in English or Simplified Chinese (web/i18n.py). What a person picks on the
language switch is kept on their account too, so it follows them to every browser they
sign in from; accounts from before have none (their browser's language applies).

Revision ID: 0015_chinese
Revises: 0014_routing
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_chinese"
down_revision: str | tuple[str, ...] | None = "0014_routing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite has dropped columns since 3.35): a batch
# operation would copy and drop the users table, and SQLite would cascade that drop to
# every row that refers to a user.
def upgrade() -> None:
    op.add_column("users", sa.Column("locale", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "locale")
