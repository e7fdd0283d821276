"""Words the pages show that come from data, not from a template: a job's status, a
work's visibility or review, a medium, an invoice's, a listing's or a licence's status,
the plans and packs the studio starts with, what a "No such …" page is about, what the
safety screen refused, zxcvbn's advice on a password. Marked here so that `pybabel
extract` puts them in the catalogue; a page shows them in its language with `| tr`
(web/i18n.py). A word missing here is shown as it is (English)."""

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
# The admin pages: a plan's fields (its numbers capitalised, its flags not), what revenue
# is summed by, a payout's status, the moderation policy's actions and categories.
PLAN_FIELDS = (
    lazy("Monthly credits"),
    lazy("Price"),
    lazy("Trial days"),
    lazy("Concurrency"),
    lazy("Max pixels"),
    lazy("Max seconds"),
    lazy("Overage price"),
    lazy("Position"),
    lazy("private works"),
    lazy("commercial use"),
    lazy("api access"),
    lazy("overage"),
    lazy("custom models"),
    lazy("active"),
)
REVENUE_KINDS = (
    lazy("subscriptions"),
    lazy("packs"),
    lazy("overage"),
    lazy("custom models"),
    lazy("commission"),
    lazy("refunds"),
)
PAYOUT_STATUSES = (lazy("requested"), lazy("paid"))
POLICY_ACTIONS = (lazy("allow"), lazy("flag"), lazy("block"))
SAFETY_CATEGORIES = (  # safety/categories.py's titles
    lazy("Sexual content involving minors"),
    lazy("Sexual content and nudity"),
    lazy("Graphic violence and gore"),
    lazy("Hate: slurs and attacks on protected groups"),
    lazy("Self-harm and suicide"),
    lazy("Likeness of a real, living person"),
    lazy("Imitating a living artist's style"),
    lazy("Profanity and insults"),
    lazy("Text in a language the screen cannot read"),
)
# What the safety screen's refusal of a request says was asked for (safety/policy.py's
# MESSAGES and ESCALATED_MESSAGE) and the languages it reads (READS).
SAFETY_REFUSALS = (
    lazy("sexual content involving minors"),
    lazy("sexual content or nudity"),
    lazy("graphic violence or gore"),
    lazy("hateful content about a group of people"),
    lazy("self-harm or suicide"),
    lazy("a real person's likeness"),
    lazy("imitating a living artist's style"),
    lazy("offensive language"),
    lazy("sexual content showing a real person"),
    lazy("English and Chinese"),
)
# zxcvbn's advice on a weak password (zxcvbn/feedback.py, every sentence it can give;
# accounts/passwords.py hands them over as errors.Sentences).
PASSWORD_ADVICE = (
    lazy("Use a few words, avoid common phrases."),
    lazy("No need for symbols, digits, or uppercase letters."),
    lazy("Add another word or two. Uncommon words are better."),
    lazy("Straight rows of keys are easy to guess."),
    lazy("Short keyboard patterns are easy to guess."),
    lazy("Use a longer keyboard pattern with more turns."),
    lazy('Repeats like "aaa" are easy to guess.'),
    lazy('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    lazy("Avoid repeated words and characters."),
    lazy('Sequences like "abc" or "6543" are easy to guess.'),
    lazy("Avoid sequences."),
    lazy("Recent years are easy to guess."),
    lazy("Avoid recent years."),
    lazy("Avoid years that are associated with you."),
    lazy("Dates are often easy to guess."),
    lazy("Avoid dates and years that are associated with you."),
    lazy("This is a top-10 common password."),
    lazy("This is a top-100 common password."),
    lazy("This is a very common password."),
    lazy("This is similar to a commonly used password."),
    lazy("A word by itself is easy to guess."),
    lazy("Names and surnames by themselves are easy to guess."),
    lazy("Common names and surnames are easy to guess."),
    lazy("Capitalization doesn't help very much."),
    lazy("All-uppercase is almost as easy to guess as all-lowercase."),
    lazy("Reversed words aren't much harder to guess."),
    lazy("Predictable substitutions like '@' instead of 'a' don't help very much."),
)
# Datasets (datasets/items.py, datasets/cleaning.py): the rights an item is given, the
# cleaning's steps and why an item was removed; expert panels: a reviewer's state and
# how agreement is measured.
RIGHTS = (
    lazy("the supplier's own work"),
    lazy("licensed for training, commercial use included"),
    lazy("licensed for training, non-commercial use only"),
    lazy("in the public domain"),
    lazy("rights not affirmed"),
)
CLEANING_STEPS = (
    lazy("undecodable or truncated files"),
    lazy("outside the size limits"),
    lazy("exact duplicates (same content hash)"),
    lazy("near duplicates"),
    lazy("refused by the safety screen"),
    lazy("already published by someone else"),
    lazy("identical once normalised"),
)
REMOVALS = (
    lazy("undecodable"),
    lazy("size"),
    lazy("duplicate"),
    lazy("near-duplicate"),
    lazy("unsafe"),
    lazy("published"),
)
PANEL_CRITERIA = (  # studio/panels.py's defaults
    lazy("Fidelity to the brief"),
    lazy("Craft"),
    lazy("Originality"),
    lazy("Which is better overall?"),
)
# A rate limit's unit of time as the limits library names it ("2 per 1 hour"; ratelimit.py).
LIMIT_UNITS = (
    lazy("second"),
    lazy("minute"),
    lazy("hour"),
    lazy("day"),
    lazy("month"),
    lazy("year"),
)
REVIEWER_STATES = (lazy("active"), lazy("expired"), lazy("revoked"))
AGREEMENT = (lazy("ordinal"), lazy("nominal"))
# The market: an order's statuses beyond an invoice's, a creator's statement lines, where a
# licence holds, a licence check's verdicts and checks (studio/licences.py), the rights
# affirmation an uploader makes (commerce/listings.py) and the bank details' default
# (settings.payment_instructions; an operator's own are shown as written).
ORDER_STATUSES = (lazy("free"), lazy("expired"))
STATEMENT_LINES = (lazy("sale"), lazy("refund"), lazy("payout"), lazy("other"))
TERRITORIES = (lazy("worldwide"),)
VERDICTS = (lazy("invalid"), lazy("not found"))
LICENCE_CHECKS = (
    lazy("the studio's signature matches the licence record"),
    lazy("the studio's signature does not match the licence record"),
    lazy("the work is no longer stored here; its SHA-256 is in the licence"),
    lazy("the work's file has the SHA-256 the licence names"),
    lazy("the work's stored file does not have the SHA-256 the licence names"),
)
AFFIRMATION = (
    lazy("I own this file or have the right to use it, including commercially, in works I sell."),
)
BANK_DETAILS = (lazy("Ask the studio for its bank details."),)
# Custom models: their kinds, a lineage entry's kind, and the figures a model's page shows
# first (training/card.py's HEADLINES).
MODEL_KINDS = (lazy("melody"), lazy("style"), lazy("lora"), lazy("voice"), lazy("data"))
MODEL_FIGURES = (
    lazy("held-out NLL per note, base model"),
    lazy("held-out NLL per note, this model"),
    lazy("held-out denoising loss, base model"),
    lazy("held-out denoising loss, with the adapters"),
    lazy("held-out perplexity, base model"),
    lazy("held-out perplexity, other examples"),
    lazy("held-out perplexity, this voice"),
    lazy("style distance to held-out pictures, house style"),
)
# Services' errors the pages commonly show (errors.StudioError's message, with its
# %(name)s places; a page shows them with i18n.shown): a password's rules
# (accounts/passwords.py, accounts/recovery.py) and a review link's refusals
# (studio/panels.py). A message raised as a constant is in the catalogue without being
# listed here (web/error_texts.py finds it); one built at run time is shown in English.
SERVICE_MESSAGES = (
    lazy("password must be %(low)s to %(high)s characters"),
    lazy("this is one of the 30,000 most common passwords; choose another"),
    lazy("password is too easy to guess. %(advice)s"),
    lazy("password is too easy to guess. A few unrelated words make a strong one."),
    lazy("password is too easy to guess. A few unrelated words make a strong one. %(advice)s"),
    lazy("no such account"),
    lazy("that is not your current password"),
    lazy("this reset link is unknown, used already or expired; ask for a new one"),
    lazy("this review link is not known; ask for a new one"),
    lazy("this review link was revoked by the panel's owner"),
    lazy("this review link expired on %(when)s"),
    lazy("no panel %(panel)s for you to review"),
    lazy("you have already judged this item"),
    lazy("this panel is closed"),
    lazy("this panel is gone"),
    # errors.NotEnoughCredits (it words its own message)
    lazy(
        "this job costs up to %(needed)s credits and your balance is %(balance)s: "
        "%(missing)s short; buy a credit pack or change plan"
    ),
    lazy(
        "this job costs up to %(needed)s credits %(what)s and your balance is %(balance)s: "
        "%(missing)s short; buy a credit pack or change plan"
    ),
)
# A job's parameters as pydantic checks them (studio/catalogue.py keeps each message in
# this form, pydantic_core's templates with %(name)s places): those a create form can meet.
PARAMETER_CHECKS = (
    lazy("Field required"),
    lazy("Input should be a valid integer, unable to parse string as an integer"),
    lazy("Input should be a valid integer, got a number with a fractional part"),
    lazy("Input should be a valid integer"),
    lazy("Input should be a valid number, unable to parse string as a number"),
    lazy("Input should be a valid number"),
    lazy("Input should be a finite number"),
    lazy("Input should be a valid boolean, unable to interpret input"),
    lazy("Input should be a valid boolean"),
    lazy("Input should be a valid string"),
    lazy("Input should be a valid list"),
    lazy("String should have at least %(min_length)s character%(expected_plural)s"),
    lazy("String should have at most %(max_length)s character%(expected_plural)s"),
    lazy("String should match pattern '%(pattern)s'"),
    lazy("Input should be less than %(lt)s"),
    lazy("Input should be less than or equal to %(le)s"),
    lazy("Input should be greater than %(gt)s"),
    lazy("Input should be greater than or equal to %(ge)s"),
    lazy("Input should be a multiple of %(multiple_of)s"),
    lazy("Input should be %(expected)s"),
    lazy(
        "%(field_type)s should have at least %(min_length)s item%(expected_plural)s after "
        "validation, not %(actual_length)s"
    ),
    lazy(
        "%(field_type)s should have at most %(max_length)s item%(expected_plural)s after "
        "validation, not %(actual_length)s"
    ),
    lazy("Extra inputs are not permitted"),
)
