"""Who may use the admin pages: one password (its hash from the environment), a name for who did what, sign-in
attempts limited, and a token in every form against cross-site requests."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from flask import current_app, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

CSRF_FIELD = "csrf"
WINDOW_SECONDS = 15 * 60
TRIES_PER_ADDRESS = 5
TRIES_IN_ALL = 30  # across every address: a slow, spread-out guesser is stopped too


def make_hash(password: str) -> str:
    """The value of ADMIN_PASSWORD_HASH for a password (scrypt, salted)."""
    return generate_password_hash(password)


UNRECORDED_SECONDS = 3600  # a session opened while the database could not be reached ends sooner
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


_ENDED: set[str] = set()  # sessions signed out in this process, when there is no records database to say so


def records_store() -> Any:
    """The line's records store, or None when there is none or it cannot be reached just now (then the admin pages
    keep sessions and sign-in counts in this process, and leave out what only the database knows)."""
    line = current_app.extensions.get("line")
    if line is None or line.store is None or line.store.state == "down":
        return None
    return line.store


def _sessions() -> Any:
    store = records_store()
    if store is None:
        return None
    from ..records.signins import DatabaseSessions

    return DatabaseSessions(store)


def signed_in() -> str:
    """The signed-in admin's name, or "" (also for a session opened with another password, too long ago, or signed
    out on the server)."""
    name = session.get("admin", "")
    if not name:
        return ""
    since = session.get("since", 0)
    if session.get("key") != _fingerprint() or not isinstance(since, (int, float)) or time.time() - since > MAX_SESSION_SECONDS:
        return ""
    sid = str(session.get("sid", ""))
    if not sid or sid in _ENDED:
        return ""
    from ..records.signins import UNRECORDED

    if sid.startswith(UNRECORDED) and time.time() - since > UNRECORDED_SECONDS:
        return ""  # a session no database knows, so that its sign-out may not have reached every worker: short-lived
    sessions = _sessions()
    try:
        if sessions is not None and not sessions.is_open(sid):
            return ""
    except SQLAlchemyError:
        pass  # the database cannot say just now: the session stands unless this process saw it end
    return str(name)


def sign_in(name: str) -> None:
    """Start a fresh session for an admin (nothing of an earlier one is kept), known to the server."""
    sessions = _sessions()
    session.clear()
    session.permanent = True
    session["admin"] = name
    session["since"] = int(time.time())
    session["key"] = _fingerprint()
    try:
        sid = sessions.open(name) if sessions is not None else ""
    except SQLAlchemyError:
        sid = ""
    if not sid:
        from ..records.signins import UNRECORDED

        line = current_app.extensions.get("line")
        # Unrecorded only where there is a database that could not say (with none, sessions are this process's alone).
        sid = (UNRECORDED if line is not None and line.store is not None else "") + secrets.token_urlsafe(24)
    session["sid"] = sid
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out() -> None:
    """End this session on the server too: a copy of its cookie is no longer good."""
    sid = str(session.get("sid", ""))
    if sid:
        sessions = _sessions()
        try:
            if sessions is not None:
                sessions.end(sid)
        except SQLAlchemyError:
            pass
        _ENDED.add(sid)
    session.clear()


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


@dataclass(frozen=True)
class Verdict:
    """What a sign-in try may do: wait this many seconds first (0: go on); how many tries this address has before
    the pause, and how many are left after this one."""

    wait: int
    remaining: int


def verdict(mine: list[float], in_all: int, oldest_all: float, known: bool, now: float,
            per_address: int = TRIES_PER_ADDRESS, all_limit: int = TRIES_IN_ALL, window: float = WINDOW_SECONDS) -> Verdict:
    """The sign-in rule, whoever keeps the counts. An address gets per_address tries in the window, each after a
    pause that doubles from the third on (2 s, 4 s, 8 s...); past all_limit tries from every address, only browsers
    that have signed in before (a signed cookie says so) may try, so a stranger cannot lock the team out."""
    waits = [0.0]
    if len(mine) >= per_address:
        waits.append(mine[0] + window - now)
    elif len(mine) >= 2:
        waits.append(mine[-1] + 2 ** (len(mine) - 1) - now)
    if in_all >= all_limit and not known:
        waits.append(oldest_all + window - now)
    return Verdict(int(max(waits) + 0.999) if max(waits) > 0 else 0, max(0, per_address - len(mine)))


class SignInLimiter:
    """Failed sign-ins counted over a window, per address and in all; past the limit, no password is even checked.
    Each try is counted before its password is checked (so a burst of parallel tries gets no more than the limit),
    and forgotten when it succeeds. Counted in the records database when there is one (every worker and instance
    shares it), else in this process's memory."""

    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        self.window = window
        self._tries: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def peek(self, address: str, known: bool) -> Verdict:
        """The verdict a try would get now, without counting one (for the page to say how many are left)."""
        now = time.time()
        tries = self._database()
        if tries is not None:
            try:
                return verdict(*tries.seen(address, now - self.window), known, now)
            except SQLAlchemyError:
                pass  # the database cannot be reached just now: this process's own counts
        with self._lock:
            return verdict(*self._seen(address, now), known, now)

    def attempt(self, address: str, known: bool = False) -> Verdict:
        """Count a try now; what it may do (a try told to wait is not counted)."""
        now = time.time()
        tries = self._database()
        if tries is not None:
            try:
                # Counted first, then judged against every try counted before it: parallel tries cannot all pass.
                rid = tries.add(address, now)
                decided = verdict(*tries.seen(address, now - self.window, but_not=rid), known, now)
                if decided.wait:
                    tries.take_back(rid)
                return decided
            except SQLAlchemyError:
                pass
        with self._lock:
            decided = verdict(*self._seen(address, now), known, now)
            if not decided.wait:
                self._tries.setdefault(address, deque()).append(now)
            return decided

    def _database(self) -> Any:
        store = records_store()  # none, or down just now: this process's own counts, until it is back
        if store is None:
            return None
        from ..records.signins import DatabaseTries

        return DatabaseTries(store)

    def _seen(self, address: str, now: float) -> tuple[list[float], int, float]:
        for key in [k for k, v in self._tries.items() if v and v[-1] <= now - self.window]:
            del self._tries[key]
        for times in self._tries.values():
            while times and times[0] <= now - self.window:
                times.popleft()
        every = [t for times in self._tries.values() for t in times]
        return list(self._tries.get(address, ())), len(every), min(every, default=0.0)

    def succeeded(self, address: str) -> None:
        """The try was right: this address's tries are not held against it."""
        tries = self._database()
        if tries is not None:
            try:
                tries.clear(address)
            except SQLAlchemyError:
                pass
        with self._lock:
            self._tries.pop(address, None)


KNOWN_COOKIE = "poems_admin_known"
KNOWN_SALT = "poems-line admin known browser"
KNOWN_DAYS = 180


def known_browser(cookie: str | None) -> str:
    """The id of a browser that carries the signed cookie of an earlier sign-in, else "" (such a browser is spared the
    limit on all addresses, and counts its own tries rather than its address's)."""
    if not cookie:
        return ""
    try:
        found = URLSafeTimedSerializer(current_app.secret_key, salt=KNOWN_SALT).loads(cookie, max_age=KNOWN_DAYS * 86400)
    except BadSignature:
        return ""
    if not isinstance(found, dict) or found.get("p") != _fingerprint():
        return ""  # from before the password changed: a former admin's browser is a stranger's again
    browser = found.get("k")
    return browser if isinstance(browser, str) and browser else ""


def known_cookie() -> str:
    """A new known-browser cookie's value."""
    return str(URLSafeTimedSerializer(current_app.secret_key, salt=KNOWN_SALT).dumps({"k": secrets.token_hex(8), "p": _fingerprint()}))
