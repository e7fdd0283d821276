"""Atelier: a self-hosted AI creative studio."""

__version__ = "0.1.0"
