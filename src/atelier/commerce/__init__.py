"""Commerce: plans, the credits ledger, metering, invoices, payments, the marketplace.

A room: it imports only `store/`, the shared helpers (settings, errors) and itself; the
studio holds one `Commerce` and one `Market` and calls them."""
