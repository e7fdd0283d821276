"""Commerce: plans, the credits ledger, metering, invoices, payments, the marketplace.

A room: it imports only `store/` and itself (and the studio's error types); the studio
holds one `Commerce` and calls it."""

# The studio's errors live in its package, whose __init__ imports the spine, which imports
# this room: loading the spine first means any commerce module can be imported first.
import atelier.studio  # noqa: F401
