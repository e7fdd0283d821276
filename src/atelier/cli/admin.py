"""`atelier admin`: accounts and keys, plans and billing."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import click

from atelier.accounts.authz import SCOPES
from atelier.cli import common
from atelier.commerce import money
from atelier.commerce.plans import PlanSpec
from atelier.errors import NotFound, StudioError
from atelier.store.models import ROLES
from atelier.studio import clipmarks


def _named(exc: StudioError) -> str:
    """The error as `field: message`, as the account commands have always printed it."""
    field = exc.errors[0][0] if exc.errors else ""
    return f"{field}: {exc.detail}" if field else exc.detail


@click.group()
def admin() -> None:
    """Accounts and keys."""


@admin.command("create-user")
@click.argument("email")
@click.option("--password", default=None, help="At least 10 characters; generated if left out.")
@click.option("--role", type=click.Choice(ROLES), default="creator", show_default=True)
def create_user(email: str, password: str | None, role: str) -> None:
    studio = common.studio()
    chosen = password or secrets.token_urlsafe(15)
    try:
        user = studio.accounts.create_user(email, chosen, role)
    except StudioError as exc:
        raise click.ClickException(_named(exc)) from None
    click.echo(f"created {role} {user.email}" + ("" if password else f" with password: {chosen}"))


@admin.command("create-key")
@click.argument("email")
@click.option("--name", default="cli", show_default=True)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    default=SCOPES,
    show_default=True,
)
def create_key(email: str, name: str, scopes: tuple[str, ...]) -> None:
    """Print a new API key for EMAIL (shown once)."""
    studio = common.studio()
    who = common.principal(studio, email)
    try:
        key, _ = studio.accounts.create_key(who, name, list(scopes))
    except StudioError as exc:
        raise click.ClickException(_named(exc)) from None
    click.echo(key)


@admin.command("reset-link")
@click.argument("email")
def reset_link(email: str) -> None:
    """Print a single-use link for EMAIL to choose a new password (on ATELIER_PUBLIC_URL)."""
    try:
        link = common.studio().accounts.reset_link_for(email)
    except NotFound:
        raise click.ClickException(f"no user {email}") from None
    click.echo(link.url)
    click.echo(f"(works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC)", err=True)


@admin.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Give EMAIL another role (recorded in the audit log)."""
    studio = common.studio()
    try:
        user, previous = studio.accounts.set_role(email, role)
    except NotFound:
        raise click.ClickException(f"no user {email}") from None
    except StudioError as exc:
        raise click.ClickException(_named(exc)) from None
    click.echo(f"{user.email}: {previous} -> {role}")


@admin.command("previews")
def make_previews() -> None:
    """Make the previews the public gets of music and text works stored before the studio
    made them (docs/previews.md): until then their visitors get no file at all. And mark the
    recording clips made before clips carried their work's id, so they can be traced."""
    works = common.studio().works
    added = works.add_previews()
    click.echo(f"made the previews of {added} work{'' if added == 1 else 's'}")
    marked = clipmarks.mark_clips(works)
    click.echo(f"marked {marked} recording clip{'' if marked == 1 else 's'}")


@admin.command("prune-events")
@click.option(
    "--keep-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Keep this many days of events (default: ATELIER_EVENTS_KEEP_DAYS).",
)
def prune_events(keep_days: int | None) -> None:
    """Delete the events (webhooks, /v1/events) and delivery logs older than the window
    whose deliveries are all finished; pending ones are never deleted. Servers and workers
    also do this hourly."""
    studio = common.studio()
    pruned = studio.webhooks.prune(keep_days)
    days = keep_days if keep_days is not None else studio.settings.events_keep_days
    click.echo(f"deleted {pruned.events} event(s) older than {days} days")
    if pruned.busy:
        raise click.ClickException("another process is pruning events now: run it again later")


# -- plans and billing (commerce) ------------------------------------------------------


@admin.group("plan")
def plan_group() -> None:
    """Plans users subscribe to (the one with trial days is every new user's)."""


@plan_group.command("list")
def plan_list() -> None:
    studio = common.studio()
    who = common.principal(studio, studio.settings.admin_email)
    for plan in studio.commerce.all_plans(who):
        click.echo(
            f"{plan.id:<12} {plan.name:<14} {money.text(plan.price, studio.commerce.currency):>14}"
            "/month "
            f"{plan.monthly_credits:>7} credits  concurrency {plan.concurrency}"
            f"{'  trial ' + str(plan.trial_days) + ' days' if plan.trial_days else ''}"
            f"{'' if plan.active else '  (retired)'}"
        )


PLAN_OPTIONS = {
    "name": str,
    "monthly_credits": int,
    "price": int,
    "concurrency": int,
    "max_pixels": int,
    "max_seconds": int,
    "overage_price": int,
    "trial_days": int,
    "position": int,
}
PLAN_FLAGS = (
    "private_works",
    "commercial_use",
    "api_access",
    "overage",
    "custom_models",
    "active",
)


def _plan_options(command: Any) -> Any:
    for name, kind in PLAN_OPTIONS.items():
        command = click.option(f"--{name.replace('_', '-')}", name, type=kind)(command)
    for name in PLAN_FLAGS:
        flag = name.replace("_", "-")
        command = click.option(f"--{flag}/--no-{flag}", name, default=None)(command)
    return command


@plan_group.command("set")
@click.argument("plan_id")
@_plan_options
def plan_set(plan_id: str, **values: Any) -> None:
    """Create plan PLAN_ID or change the values given (prices in minor units: cents for EUR)."""
    studio = common.studio()
    who = common.principal(studio, studio.settings.admin_email)
    existing = {p.id: p for p in studio.commerce.all_plans(who)}.get(plan_id)
    spec: dict[str, Any] = {}
    for field in dataclasses.fields(PlanSpec):
        if values[field.name] is not None:
            spec[field.name] = values[field.name]
        elif existing is not None:
            spec[field.name] = getattr(existing, field.name)
        elif field.default is not dataclasses.MISSING:
            spec[field.name] = field.default
        else:
            raise click.ClickException(f"a new plan needs --{field.name.replace('_', '-')}")
    try:
        plan = studio.commerce.save_plan(who, plan_id, PlanSpec(**spec), create=not existing)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"{'changed' if existing else 'created'} plan {plan.id} ({plan.name})")


@plan_group.command("retire")
@click.argument("plan_id")
def plan_retire(plan_id: str) -> None:
    """Stop offering a plan; its subscribers keep it until they change."""
    studio = common.studio()
    try:
        studio.commerce.retire_plan(common.principal(studio, studio.settings.admin_email), plan_id)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"retired plan {plan_id}")


@admin.group("billing")
def billing_group() -> None:
    """Invoices and renewals."""


@billing_group.command("renew")
def billing_renew() -> None:
    """Open the invoices of subscriptions whose period ended; end cancelled ones (run daily)."""
    for invoice in common.studio().commerce.renew_due():
        click.echo(
            f"{invoice.number} {invoice.status} {money.text(invoice.total, invoice.currency)}"
        )


@billing_group.command("invoices")
@click.option("--status", type=click.Choice(["open", "paid", "void", "refunded"]), default="open")
def billing_invoices(status: str) -> None:
    studio = common.studio()
    who = common.principal(studio, studio.settings.admin_email)
    for invoice in studio.commerce.all_invoices(who, status, 200, 0):
        customer = studio.commerce.customer(invoice)
        total = money.text(invoice.total, invoice.currency)
        click.echo(f"{invoice.id} {invoice.number} {customer} {total}")


@billing_group.command("paid")
@click.argument("invoice_id")
@click.option("--reference", default="", help="e.g. the bank transfer's reference")
def billing_paid(invoice_id: str, reference: str) -> None:
    """Record that INVOICE_ID (its id, from `invoices`) was paid; credits arrive."""
    studio = common.studio()
    try:
        who = common.principal(studio, studio.settings.admin_email)
        invoice = studio.commerce.mark_paid(who, invoice_id, reference)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"{invoice.number} {invoice.status}")
