"""Accounts as the doors ask for them, each in its own transaction: sign-up, sign-in
(with lock-out) and sessions, passwords and reset links, API keys, who a cookie or a key
is, and the admins' users. The rules live in service.py, directory.py, lockout.py and
recovery.py; this holds the order and turns their errors into the studio's."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from atelier.accounts import authz, directory, lockout, recovery
from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.accounts.recovery import ResetLink
from atelier.accounts.service import AccountError
from atelier.errors import Forbidden, Invalid, NotFound
from atelier.settings import Settings
from atelier.store import paging
from atelier.store.db import Database
from atelier.store.models import ApiKey, LoginSession, User

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]{2,8}){0,2}$")


def _invalid(exc: AccountError) -> Invalid:
    return Invalid(exc.message, field=exc.field, params=exc.params)


class Accounts:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    def ensure_admin(self) -> str | None:
        """Make the first admin when there is none; its generated password, if one was."""
        with self.db.transaction() as s:
            return accounts.ensure_admin(
                s,
                self.settings.admin_email,
                self.settings.admin_password,
                self.settings.password_min_score,
            )

    # -- who is asking ---------------------------------------------------------------------

    def by_session(self, token: str) -> Principal | None:
        with self.db.transaction() as s:
            return accounts.session_principal(s, token)

    def by_key(self, key: str) -> Principal | None:
        with self.db.transaction() as s:
            return accounts.key_principal(s, key)

    def local(self, email: str) -> Principal | None:
        """Someone at the machine's command line, acting as the user with this e-mail."""
        with self.db.transaction() as s:
            user = accounts.find_user(s, email)
            return None if user is None else accounts.principal_for(user, via="local")

    # -- signing up, in and out --------------------------------------------------------------

    def sign_up(self, email: str, password: str, display_name: str) -> User | None:
        """A new creator account (open sign-up; ATELIER_SIGNUP_OPEN=false closes it);
        None when the e-mail has one already, which the door must not tell apart."""
        if not self.settings.signup_open:
            raise Forbidden("sign-up is closed here; ask an admin for an account")
        score = self.settings.password_min_score
        try:
            with self.db.transaction() as s:
                return directory.sign_up(s, email[:320], password[:256], display_name[:200], score)
        except AccountError as exc:
            raise _invalid(exc) from None
        except IntegrityError:  # the same e-mail signed up at the same moment
            return None

    def sign_in(self, email: str, password: str) -> tuple[str, LoginSession, User] | None:
        """A new session's cookie token (shown once), the session and its user; None when
        the e-mail or password is wrong (which one is not said). Failures in a row lock
        the e-mail for a while (lockout.Locked, a 429); a failure is kept, not rolled back."""
        with self.db.transaction() as s:
            user = lockout.sign_in(s, email, password, lockout.Policy.of(self.settings))
            if user is None:
                return None
            token, login = accounts.start_session(s, user, self.settings.session_days)
        return token, login, user

    def sign_out(self, token: str) -> None:
        with self.db.transaction() as s:
            accounts.end_session(s, token)

    def set_language(self, who: Principal, code: str) -> None:
        """The interface language the account is shown in wherever it signs in (a Babel
        locale code the door speaks, e.g. zh_CN)."""
        if not LANGUAGE_CODE.match(code):
            raise Invalid(
                "%(code)s is not a language code like en or zh_CN",
                field="locale",
                params={"code": repr(code)},
            )
        with self.db.transaction() as s:
            user = s.get(User, who.user_id)
            if user is None:
                raise NotFound("no such user")
            user.locale = code

    # -- passwords ---------------------------------------------------------------------------

    def change_password(
        self, who: Principal, current: str, new: str, keep_session: str | None
    ) -> None:
        """A new password after the current one; the caller's other sessions end
        (`keep_session`: the cookie token of the session asking, which stays)."""
        if who.via == "key":
            raise Forbidden("passwords are changed from a signed-in session, not with a key")
        try:
            with self.db.transaction() as s:
                recovery.change(
                    s, who.user_id, current, new, self.settings.password_min_score, keep_session
                )
        except AccountError as exc:
            raise _invalid(exc) from None

    def mail_reset_link(self, email: str) -> None:
        """Mail a reset link when the e-mail has an account (see recovery.mail_link)."""
        recovery.mail_link(self.db, self.settings, email)

    def reset_link_email(self, token: str) -> str | None:
        """The e-mail of the account a reset link is for, while the link works."""
        with self.db.transaction() as s:
            user = recovery.link_user(s, token)
            return user.email if user else None

    def reset_password(self, token: str, new: str) -> None:
        """A new password with a reset link, which is used up; every session ends."""
        try:
            with self.db.transaction() as s:
                recovery.reset(s, token, new, self.settings.password_min_score)
        except AccountError as exc:
            raise _invalid(exc) from None

    def reset_link(self, who: Principal, user_id: str, base_url: str) -> tuple[str, ResetLink]:
        """A reset link an admin makes for a user, to hand over themself; the user's e-mail."""
        minutes = self.settings.password_reset_minutes
        with self.db.transaction() as s:
            user, link = recovery.admin_link(s, who, user_id, base_url, minutes)
            return user.email, link

    def reset_link_for(self, email: str) -> ResetLink:
        """A reset link made at the command line, on ATELIER_PUBLIC_URL."""
        minutes = self.settings.password_reset_minutes
        with self.db.transaction() as s:
            user = accounts.find_user(s, email)
            if user is None:
                raise NotFound("no user %(email)s", field="email", params={"email": email})
            url = self.settings.resolved_public_url
            return recovery.make_link(s, user, url, minutes, "command line")

    # -- API keys ------------------------------------------------------------------------------

    def create_key(self, who: Principal, name: str, scopes: list[str]) -> tuple[str, ApiKey]:
        """A new key (shown once) and its record; made from a session, never with a key."""
        if who.via == "key":
            raise Forbidden("API keys are created from a signed-in session, not with a key")
        try:
            with self.db.transaction() as s:
                return accounts.create_key(s, who.user_id, name, scopes)
        except AccountError as exc:
            raise _invalid(exc) from None

    def keys(
        self, who: Principal, limit: int = 100, after: paging.After | None = None
    ) -> list[ApiKey]:
        with self.db.transaction() as s:
            return accounts.list_keys(s, who.user_id, limit, after)

    def revoke_key(self, who: Principal, key_id: str) -> ApiKey:
        with self.db.transaction() as s:
            record = accounts.revoke_key(s, who.user_id, key_id)
        if record is None:
            raise NotFound("no key %(key_id)s", field="key_id", params={"key_id": key_id})
        return record

    # -- admins ----------------------------------------------------------------------------------

    def create_user(self, email: str, password: str, role: str = "creator") -> User:
        try:
            with self.db.transaction() as s:
                return accounts.create_user(
                    s, email, password, role, min_score=self.settings.password_min_score
                )
        except AccountError as exc:
            raise _invalid(exc) from None

    def set_role(self, email: str, role: str) -> tuple[User, str]:
        """Give the user with this e-mail another role (audited); the user and their old role."""
        try:
            with self.db.transaction() as s:
                user = accounts.find_user(s, email)
                if user is None:
                    raise NotFound("no user %(email)s", field="email", params={"email": email})
                previous = user.role
                accounts.set_role(s, user, role)
                return user, previous
        except AccountError as exc:
            raise _invalid(exc) from None

    def users(self, who: Principal, text: str = "", limit: int = 50, offset: int = 0) -> list[User]:
        authz.require_admin(who)
        with self.db.transaction() as s:
            return directory.find(s, text[:320], min(limit, 200), offset)

    def change_user(
        self, who: Principal, user_id: str, role: str | None = None, disabled: bool | None = None
    ) -> User:
        """Set a user's role and/or disable them (admins; audited; all or nothing)."""
        authz.require_admin(who, "write")
        try:
            with self.db.transaction() as s:
                user = s.get(User, user_id)
                if user is None:
                    raise NotFound(
                        "no user %(user_id)s", field="user_id", params={"user_id": user_id}
                    )
                if role is not None:
                    accounts.set_role(s, user, role, actor=who.user_id)
                if disabled is not None:
                    directory.set_disabled(s, user, disabled, actor=who.user_id)
                return user
        except AccountError as exc:
            raise _invalid(exc) from None
