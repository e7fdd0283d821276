"""The web doors: a JSON API under /v1 and server-rendered pages."""
