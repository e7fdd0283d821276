"""The spine: submit, run, finish. The only place that knows the order of the steps."""

from atelier.studio.service import Studio

__all__ = ["Studio"]
