"""Who may use the admin pages: one password (its hash from the environment), a name for who did what, sign-in
attempts limited, and a token in every form against cross-site requests."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque

from flask import current_app, session
from werkzeug.security import check_password_hash, generate_password_hash

CSRF_FIELD = "csrf"
WINDOW_SECONDS = 15 * 60
TRIES_PER_ADDRESS = 5
TRIES_IN_ALL = 30  # across every address: a slow, spread-out guesser is stopped too


def make_hash(password: str) -> str:
    """The value of ADMIN_PASSWORD_HASH for a password (scrypt, salted)."""
    return generate_password_hash(password)


def enabled() -> bool:
    """The admin pages exist only when a password hash is set."""
    return bool(current_app.config.get("ADMIN_PASSWORD_HASH"))


def password_ok(password: str) -> bool:
    """Whether a password matches ADMIN_PASSWORD_HASH (false for a malformed hash, never an error)."""
    try:
        return check_password_hash(current_app.config["ADMIN_PASSWORD_HASH"], password)
    except (ValueError, TypeError):
        return False


def signed_in() -> str:
    """The signed-in admin's name, or ""."""
    return str(session.get("admin", ""))


def sign_in(name: str) -> None:
    """Start a fresh session for an admin (nothing of an earlier one is kept)."""
    session.clear()
    session.permanent = True
    session["admin"] = name
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def csrf_token() -> str:
    """This session's token for forms (one is made for a session that has none, e.g. on the sign-in page)."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(token)


def csrf_ok(sent: str | None) -> bool:
    """Whether a form's token is this session's."""
    token = session.get(CSRF_FIELD)
    return bool(token and sent and secrets.compare_digest(str(token), sent))


class SignInLimiter:
    """Failed sign-ins counted over a window, per address and in all; past the limit, no password is even checked.
    Kept in each process's memory: with N workers a guesser gets at most N times the limit, still a handful."""

    def __init__(self, per_address: int = TRIES_PER_ADDRESS, in_all: int = TRIES_IN_ALL, window: float = WINDOW_SECONDS) -> None:
        self.per_address = per_address
        self.in_all = in_all
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()

    def wait(self, address: str) -> int:
        """Seconds until this address may try again (0: it may try now)."""
        now = time.monotonic()
        with self._lock:
            mine = self._failures.get(address, deque())
            self._trim(mine, now)
            self._trim(self._all, now)
            waits = [0.0]
            if len(mine) >= self.per_address:
                waits.append(mine[0] + self.window - now)
            if len(self._all) >= self.in_all:
                waits.append(self._all[0] + self.window - now)
            return int(max(waits) + 0.999)

    def failed(self, address: str) -> None:
        """Count a failed sign-in."""
        now = time.monotonic()
        with self._lock:
            self._failures.setdefault(address, deque()).append(now)
            self._all.append(now)
            if len(self._failures) > 10_000:  # many addresses: forget the quiet ones
                for key in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[key]

    def succeeded(self, address: str) -> None:
        """Forget an address's failures once it signs in."""
        with self._lock:
            self._failures.pop(address, None)
