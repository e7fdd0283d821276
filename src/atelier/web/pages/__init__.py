"""Server-rendered pages (Jinja2), mounted by web/routers.py. They call the studio's
services like the API does."""
