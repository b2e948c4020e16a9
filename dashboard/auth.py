"""Who is at the desk: password sign-in, single sign-on through ``st.login``, and roles.

Roles: ``viewer`` reads, ``responder`` works cases, ``admin`` also sees the settings. With no
users and no OIDC provider configured, nobody signs in: the app binds to 127.0.0.1 only and
whoever sits at the machine has every right. Passwords are checked against argon2 hashes
(``grapevine users hash``) or bcrypt hashes; repeated failures for a name lock it for a while
(counted in the database, so every dashboard instance agrees).
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine

from dashboard.settings import ROLES, DashboardSettings
from storage import make_engine
from storage import throttle as throttle_sql
from storage.audit import audit_now

log = logging.getLogger(__name__)

SESSION_KEY = "signed_in"
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60.0
LOCKOUT = 5 * 60.0


@dataclass(frozen=True)
class Person:
    """The person using this session, and what they may do."""

    name: str
    role: str
    method: str  # "password", "oidc" or "local" (no sign-in configured)

    @property
    def can_work(self) -> bool:
        """Whether they may change cases (responders and admins)."""
        return self.role in ("responder", "admin")

    @property
    def is_admin(self) -> bool:
        """Whether they may see the settings."""
        return self.role == "admin"


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches an argon2 or bcrypt ``password_hash``."""
    if password_hash.startswith("$argon2"):
        try:
            return PasswordHasher().verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    if password_hash.startswith("$2"):
        import bcrypt

        try:
            return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
        except ValueError:
            return False
    return False


class Throttle:
    """Failed sign-ins per name; a name with too many recent failures is locked a while.

    The failures are rows in the database (:mod:`storage.throttle`), not in this process:
    every dashboard instance on the same database counts them together. ``now`` is a Unix
    time in seconds (a clock the instances share, unlike a monotonic one).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @staticmethod
    def _at(now: float | None) -> datetime:
        return datetime.fromtimestamp(time.time() if now is None else now, tz=UTC)

    def locked_for(self, name: str, now: float | None = None) -> float:
        """Seconds until ``name`` may try again (0: now)."""
        at = self._at(now)
        with self._engine.connect() as conn:
            count, last = throttle_sql.recent_failures(
                conn, name=name, since=at - timedelta(seconds=FAILURE_WINDOW)
            )
        if count < MAX_FAILURES or last is None:
            return 0.0
        return max(0.0, (last - at).total_seconds() + LOCKOUT)

    def failed(self, name: str, now: float | None = None) -> None:
        """Record a failure."""
        at = self._at(now)
        with self._engine.begin() as conn:
            forget = at - timedelta(seconds=FAILURE_WINDOW + LOCKOUT)
            throttle_sql.record_failure(conn, name=name, at=at, forget_before=forget)

    def succeeded(self, name: str) -> None:
        """Forget the failures of ``name``."""
        with self._engine.begin() as conn:
            throttle_sql.clear_failures(conn, name=name)


@st.cache_resource(show_spinner=False)
def _own_engine(database_url: str) -> Engine:
    # sign-in's own engine without a pool (a connection per sign-in attempt, which is rare):
    # the shared one lives in dashboard.context, which imports this module
    return make_engine(database_url, pool=False)


def _throttle(database_url: str) -> Throttle:
    return Throttle(_own_engine(database_url))


@st.cache_resource(show_spinner=False)
def _dummy_hash() -> str:
    return PasswordHasher().hash("not a password anyone has")


def check_credentials(settings: DashboardSettings, name: str, password: str) -> Person | None:
    """The person when ``name`` and ``password`` match a configured user (else ``None``)."""
    wanted = name.strip().lower()
    user = next((u for u in settings.users if u.name.lower() == wanted), None)
    if user is None:
        verify_password(_dummy_hash(), password)  # same time for an unknown name
        return None
    if not verify_password(user.password_hash, password):
        return None
    role = user.role if user.role in ROLES else "viewer"
    return Person(name=user.name, role=role, method="password")


def _oidc_person(settings: DashboardSettings) -> Person | None:
    oidc = settings.oidc
    if oidc is None:
        return None
    try:
        if not st.user.is_logged_in:
            return None
        email = str(st.user.get("email") or "").strip().lower()
        name = str(st.user.get("name") or email)
    except Exception:  # st.user unavailable (no auth configured in this runtime)
        return None
    role = oidc.roles.get(email) or oidc.default_role
    if not email or role not in ROLES:
        return Person(name=name or "unknown", role="", method="oidc")
    return Person(name=name, role=role, method="oidc")


#: The longest name the timeline and the assignee column hold.
NAME_MAX = 200


def current(settings: DashboardSettings) -> Person | None:
    """The person of this session, or ``None`` when they still have to sign in."""
    if not settings.sign_in_required:
        name = str(st.session_state.get("actor_name") or "").strip()
        if len(name) > NAME_MAX:  # not stored (the sidebar says why): it would not fit
            name = ""
        return Person(name=name or "local user", role="admin", method="local")
    signed = st.session_state.get(SESSION_KEY)
    if isinstance(signed, dict):
        user = next((u for u in settings.users if u.name == signed.get("name")), None)
        if user is not None:
            role = user.role if user.role in ROLES else "viewer"
            return Person(name=user.name, role=role, method="password")
    person = _oidc_person(settings)
    if person is not None and person.role:
        if not st.session_state.get("audit_oidc_signin"):  # once per session
            st.session_state["audit_oidc_signin"] = True
            _audit(settings, "signin", person.name, f"single sign-on ({person.role})")
        return person
    return None


def _audit(settings: DashboardSettings, action: str, name: str, summary: str) -> None:
    """A sign-in (or a refused one) in the audit trail: a name typed that is no user is
    recorded as ``unknown`` (it may be a mistyped password)."""
    known = {u.name.lower(): u.name for u in settings.users}
    actor = known.get(name.strip().lower(), name if action == "signin" else "unknown")
    try:
        audit_now(
            _own_engine(settings.database_url),
            actor=actor,
            action=action,
            subject_type="user",
            subject_id=actor,
            summary=summary,
        )
    except Exception as exc:  # the trail is refused (database down): the log says so
        log.warning("could not record %s in the audit trail: %s", action, type(exc).__name__)


def sign_in_page(settings: DashboardSettings) -> None:
    """The sign-in screen: a password form and/or the single sign-on button."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _sign_in_form(settings)


def _sign_in_form(settings: DashboardSettings) -> None:
    st.title("Grapevine")
    st.write("Sign in to work the triage queue.")
    refused = _oidc_person(settings)
    if refused is not None and not refused.role:
        st.error(
            "You are signed in with single sign-on, but your address has no role here. "
            "Ask an admin to add it to [dashboard.oidc] roles."
        )
        st.text(f"Signed in as: {refused.name}")
        if st.button("Sign out", key="oidc_refused_sign_out"):
            st.logout()
    if settings.users:
        with st.form("sign_in"):
            name = st.text_input("Name", key="sign_in_name")
            password = st.text_input("Password", type="password", key="sign_in_password")
            submitted = st.form_submit_button("Sign in", type="primary")
        if submitted:
            throttle = _throttle(settings.database_url)
            wait = throttle.locked_for(name)
            if wait > 0:
                _audit(settings, "signin_failed", name, "locked out for a while")
                st.error(
                    f"Too many failed attempts for this name. Try again in {wait / 60:.0f} min."
                )
            else:
                person = check_credentials(settings, name, password)
                if person is None:
                    throttle.failed(name)
                    log.warning("failed dashboard sign-in")
                    _audit(settings, "signin_failed", name, "wrong name or password")
                    st.error("Unknown name or wrong password.")
                else:
                    throttle.succeeded(name)
                    st.session_state[SESSION_KEY] = {"name": person.name}
                    log.info("dashboard sign-in (%s)", person.role)
                    _audit(settings, "signin", person.name, f"password ({person.role})")
                    st.rerun()
    if settings.oidc is not None and (refused is None or refused.role):
        label = (
            f"Sign in with {settings.oidc.provider}" if settings.oidc.provider else "Single sign-on"
        )
        if st.button(label, key="oidc_sign_in", type="secondary" if settings.users else "primary"):
            st.login(settings.oidc.provider) if settings.oidc.provider else st.login()


def sign_out(person: Person) -> None:
    """End the session's sign-in (and the single sign-on cookie)."""
    st.session_state.pop(SESSION_KEY, None)
    if person.method == "oidc":
        st.logout()
    st.rerun()
