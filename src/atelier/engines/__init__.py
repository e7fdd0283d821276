"""Pure generation code: parameters in, artifacts out. No database, no web."""
