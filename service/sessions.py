"""Flask's signed cookie sessions, opened only where they are used: the text line's memory on /sms, and an admin's
sign-in on /admin, each with its own cookie, signing salt and cookie rules. Voice webhooks and audio need none."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

ADMIN_PREFIX = "/admin"
ADMIN_COOKIE = "poems_admin"
ADMIN_SALT = "poems-line admin session"


def _is_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


class LineSessionInterface(SecureCookieSessionInterface):
    """Sessions for /sms (Twilio keeps its cookie for a conversation) and /admin (a person's browser)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[int, bool], Any] = {}

    def get_signing_serializer(self, app: Flask) -> Any:  # type: ignore[override]
        """One serializer per app and cookie, built once (Flask builds it on every request); the admin's is salted
        apart, so a texter's cookie can never be taken for an admin's."""
        admin = _is_admin(request.path)
        serializer = self._serializers.get((id(app), admin))
        if serializer is None and app.secret_key:
            keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key]
            serializer = self._serializers[(id(app), admin)] = URLSafeTimedSerializer(
                keys, salt=ADMIN_SALT if admin else self.salt, serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The texter's or admin's session; elsewhere the null session (nothing read, nothing set)."""
        if not (request.path.startswith("/sms") or _is_admin(request.path)):
            return None
        return super().open_session(app, request)

    def get_cookie_name(self, app: Flask) -> str:
        """The admin's cookie has its own name; the text line keeps Flask's."""
        return ADMIN_COOKIE if _is_admin(request.path) else super().get_cookie_name(app)

    def get_cookie_path(self, app: Flask) -> str:
        """The admin's cookie is sent to /admin only."""
        return ADMIN_PREFIX if _is_admin(request.path) else super().get_cookie_path(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        """The admin's cookie only over HTTPS (plain HTTP only in dev mode, on one's own machine)."""
        if _is_admin(request.path):
            return not app.config.get("DEV_MODE", False)
        return super().get_cookie_secure(app)

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """The admin's cookie is never sent with another site's requests."""
        return "Strict" if _is_admin(request.path) else super().get_cookie_samesite(app)

    def get_cookie_httponly(self, app: Flask) -> bool:
        """No script reads either cookie."""
        return True
