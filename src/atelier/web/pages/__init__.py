"""Server-rendered pages (Jinja2). They call the studio like the API does."""

from atelier.web.pages import admin, apidocs, gallery, password, verify, works
from atelier.web.pages.routes import router

router.include_router(verify.router)
router.include_router(works.router)
router.include_router(gallery.router)
router.include_router(admin.router)
router.include_router(password.router)
router.include_router(apidocs.router)

__all__ = ["router"]
