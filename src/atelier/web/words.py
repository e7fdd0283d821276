"""Words the pages show that come from data, not from a template: a job's status, a
work's visibility or review, a medium, an invoice's, a listing's or a licence's status,
the plans and packs the studio starts with, what a "No such …" page is about. Marked
here so that `pybabel extract` puts them in the catalogue; a page shows them in its
language with `| tr` (web/i18n.py). A word missing here is shown as it is (English)."""

from __future__ import annotations

from atelier.web.i18n import lazy

MEDIA = (lazy("Image"), lazy("Music"), lazy("Text"), lazy("Training"), lazy("Evaluation"))
JOB_STATUSES = (
    lazy("queued"),
    lazy("running"),
    lazy("succeeded"),
    lazy("failed"),
    lazy("canceled"),
)
VISIBILITIES = (lazy("private"), lazy("unlisted"), lazy("public"))
REVIEW_STATUSES = (lazy("in review"), lazy("approved"), lazy("rejected"))
INVOICE_STATUSES = (lazy("open"), lazy("paid"), lazy("void"), lazy("refunded"))
LISTING_STATES = (lazy("listed"), lazy("reserved"), lazy("sold"), lazy("unlisted"))
LICENCE_STATUSES = (lazy("valid"), lazy("revoked"))
# The plans and packs migration 0004 makes; an operator's own keep their own names.
PLANS = (lazy("Trial"), lazy("Creator"), lazy("Studio"))
PACKS = (lazy("500 credits"), lazy("2,000 credits"), lazy("10,000 credits"))
THINGS = (
    lazy("page"),
    lazy("work"),
    lazy("job"),
    lazy("tool"),
    lazy("upload"),
    lazy("user"),
    lazy("creator"),
    lazy("licence"),
    lazy("listing"),
    lazy("order"),
    lazy("panel"),
    lazy("report"),
    lazy("model"),
    lazy("dataset"),
    lazy("dataset version"),
    lazy("language"),
)
