"""Users, roles, sign-in sessions and API keys."""
