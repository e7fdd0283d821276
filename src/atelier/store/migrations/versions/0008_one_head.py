"""one head: the rooms' branches joined (gallery; sign-in; market orders and payments)

Rooms added migrations on branches of their own (0004_gallery beside commerce,
0006_sign_in beside 0006_market_live_orders and 0007_payment_events). This migration
changes nothing in the schema: it joins them so the studio has one newest revision, and
the next migration has one parent. Databases at any of the joined revisions upgrade
through it as they are.

Revision ID: 0008_one_head
Revises: 0004_gallery, 0006_sign_in, 0007_payment_events
"""

from collections.abc import Sequence

revision: str = "0008_one_head"
down_revision: str | tuple[str, ...] | None = (
    "0004_gallery",
    "0006_sign_in",
    "0007_payment_events",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: a join of branches."""


def downgrade() -> None:
    """Nothing to change: a join of branches."""
