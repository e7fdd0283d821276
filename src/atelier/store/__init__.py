"""Database models and migrations, and the content-addressed artifact store."""
