"""Who may use the admin pages: one password (its hash from the environment), a name for who did what, sign-in
attempts limited, and a token in every form against cross-site requests."""

from __future__ import annotations

import hashlib
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


MAX_SESSION_SECONDS = 12 * 3600  # however active, a session ends after this: sign in again


def enabled() -> bool:
    """The admin pages exist only with a password hash and a SECRET_KEY of their own to sign sessions with (a key
    derived from the Twilio token would let whoever holds that token, or nobody's token in dev mode, forge one)."""
    return bool(current_app.config.get("ADMIN_PASSWORD_HASH") and current_app.config.get("OWN_SECRET_KEY"))


def _fingerprint() -> str:
    # A session is good only for the password it was opened with: a new hash signs everyone out.
    return hashlib.sha256(current_app.config["ADMIN_PASSWORD_HASH"].encode()).hexdigest()[:16]


def password_ok(password: str) -> bool:
    """Whether a password matches ADMIN_PASSWORD_HASH (false for a malformed hash, never an error)."""
    try:
        return check_password_hash(current_app.config["ADMIN_PASSWORD_HASH"], password)
    except (ValueError, TypeError):
        return False


def signed_in() -> str:
    """The signed-in admin's name, or "" (also for a session opened with another password, or too long ago)."""
    name = session.get("admin", "")
    if not name:
        return ""
    since = session.get("since", 0)
    if session.get("key") != _fingerprint() or not isinstance(since, (int, float)) or time.time() - since > MAX_SESSION_SECONDS:
        return ""
    return str(name)


def sign_in(name: str) -> None:
    """Start a fresh session for an admin (nothing of an earlier one is kept)."""
    session.clear()
    session.permanent = True
    session["admin"] = name
    session["since"] = int(time.time())
    session["key"] = _fingerprint()
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
    Each try is counted before its password is checked (so a burst of parallel tries gets no more than the limit),
    and forgotten when it succeeds. The limit in all spares addresses that have signed in before, so a stranger
    cannot lock the team out. Kept in each process's memory: with N workers a guesser gets N times the limit."""

    def __init__(self, per_address: int = TRIES_PER_ADDRESS, in_all: int = TRIES_IN_ALL, window: float = WINDOW_SECONDS) -> None:
        self.per_address = per_address
        self.in_all = in_all
        self.window = window
        self._tries: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._trusted: set[str] = set()
        self._lock = threading.Lock()

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window:
            times.popleft()

    def attempt(self, address: str) -> int:
        """Count a try now; the seconds to wait instead, when this address (or everyone) has tried too often."""
        now = time.monotonic()
        with self._lock:
            mine = self._tries.setdefault(address, deque())
            self._trim(mine, now)
            self._trim(self._all, now)
            waits = [0.0]
            if len(mine) >= self.per_address:
                waits.append(mine[0] + self.window - now)
            if len(self._all) >= self.in_all and address not in self._trusted:
                waits.append(self._all[0] + self.window - now)
            wait = int(max(waits) + 0.999)
            if not wait:
                mine.append(now)
                self._all.append(now)
            if len(self._tries) > 10_000:  # many addresses: forget the quiet ones
                for key in [k for k, v in self._tries.items() if not v or v[-1] <= now - self.window]:
                    del self._tries[key]
            return wait

    def succeeded(self, address: str) -> None:
        """The try was right: it is not held against the address, which is trusted from now on."""
        with self._lock:
            mine = self._tries.pop(address, deque())
            for stamp in mine:
                try:
                    self._all.remove(stamp)
                except ValueError:
                    pass
            if len(self._trusted) < 10_000:
                self._trusted.add(address)
