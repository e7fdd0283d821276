"""Server-rendered pages (Jinja2). They call the studio like the API does."""

from atelier.web.pages.routes import router

__all__ = ["router"]
