"""The JSON API under /v1: the stable contract for programs (mounted by web/routers.py)."""
