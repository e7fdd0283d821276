"""Every router the app serves, mounted here and nowhere else: the JSON API under /v1
(each route behind `write_scope`, so a read-only key only reads) and the pages, all
behind `clean_request` (unstorable input is refused with a 422 naming the field).
Order matters where paths overlap: earlier routers answer first."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from atelier.web.api import admin as admin_api
from atelier.web.api import auth as auth_api
from atelier.web.api import billing as billing_api
from atelier.web.api import datasets as datasets_api
from atelier.web.api import engines as engines_api
from atelier.web.api import evaluation as evaluation_api
from atelier.web.api import feedback as feedback_api
from atelier.web.api import jobs as jobs_api
from atelier.web.api import market as market_api
from atelier.web.api import models as models_api
from atelier.web.api import password as password_api
from atelier.web.api import provenance as provenance_api
from atelier.web.api import uploads as uploads_api
from atelier.web.api import webhooks as webhooks_api
from atelier.web.api import works as works_api
from atelier.web.deps import write_scope
from atelier.web.inputs import clean_request
from atelier.web.pages import account as account_pages
from atelier.web.pages import admin as admin_pages
from atelier.web.pages import apidocs as apidocs_pages
from atelier.web.pages import choices as choices_pages
from atelier.web.pages import custom as custom_pages
from atelier.web.pages import evaluation as evaluation_pages
from atelier.web.pages import feedback as feedback_pages
from atelier.web.pages import gallery as gallery_pages
from atelier.web.pages import keys as keys_pages
from atelier.web.pages import language as language_pages
from atelier.web.pages import market as market_pages
from atelier.web.pages import panels as panels_pages
from atelier.web.pages import password as password_pages
from atelier.web.pages import review as review_pages
from atelier.web.pages import routes as studio_pages
from atelier.web.pages import site as site_pages
from atelier.web.pages import verify as verify_pages
from atelier.web.pages import webhooks as webhooks_pages
from atelier.web.pages import welcome as welcome_pages
from atelier.web.pages import works as works_pages

API = (
    auth_api,
    password_api,
    engines_api,
    uploads_api,
    jobs_api,
    works_api,
    provenance_api,
    admin_api,
    market_api,
    billing_api,
    datasets_api,
    models_api,
    evaluation_api,
    feedback_api,
    webhooks_api,
)
PAGES = (
    studio_pages,
    verify_pages,
    works_pages,
    gallery_pages,
    admin_pages,
    password_pages,
    apidocs_pages,
    market_pages,
    account_pages,
    keys_pages,
    custom_pages,
    evaluation_pages,
    panels_pages,
    review_pages,
    feedback_pages,
    choices_pages,
    webhooks_pages,
    welcome_pages,
    language_pages,
    site_pages,
)


def mount(app: FastAPI) -> None:
    clean = Depends(clean_request)  # before anything reads the input (web/inputs.py)
    for module in API:
        app.include_router(module.router, prefix="/v1", dependencies=[clean, Depends(write_scope)])
    for module in PAGES:
        app.include_router(module.router, dependencies=[clean])
