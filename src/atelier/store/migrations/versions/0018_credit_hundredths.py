"""credit hundredths: the ledger counts credits in hundredths of a credit

With whole credits a job of a credit or two was charged one credit against two when its
estimate and its measured cost were a few tenths of a second apart; jobs are now charged
to the hundredth (commerce/credits.py). Every credits entry already written is scaled, so
balances, holds and what is owed read the same credits as before: the amounts change unit,
not meaning. The ledger's append-only guard is lifted for that one statement and put back
in the same transaction (both databases run DDL in transactions).

Revision ID: 0018_credit_hundredths
Revises: 0017_upload_notes
"""

from collections.abc import Sequence

from alembic import op

# The guard of 0004_commerce against updates of ledger_entries, as that migration made it.
SQLITE_GUARD = (
    "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries "
    "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END"
)


def _rescale(statement: str) -> None:
    """Run `statement` on ledger_entries with its append-only guard lifted."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_no_change")
        op.execute(statement)
        op.execute("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_no_change")
    else:
        op.execute("DROP TRIGGER ledger_entries_no_update")
        op.execute(statement)
        op.execute(SQLITE_GUARD)


revision: str = "0018_credit_hundredths"
down_revision: str | tuple[str, ...] | None = "0017_upload_notes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _rescale("UPDATE ledger_entries SET amount = amount * 100 WHERE currency = 'credits'")


def downgrade() -> None:
    """Back to whole credits, each entry rounded towards zero (integer division on both
    databases): whole credits cannot hold a fraction, so a transaction of fractions may
    then be off by less than a credit."""
    _rescale("UPDATE ledger_entries SET amount = amount / 100 WHERE currency = 'credits'")
