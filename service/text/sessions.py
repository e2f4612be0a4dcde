"""The text line's memory: Flask's signed cookie session, opened only where it is used (/sms)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class TextLineSessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions for /sms only; voice webhooks and audio need none, and skip the cost."""

    def __init__(self) -> None:
        self._serializers: dict[int, Any] = {}

    def get_signing_serializer(self, app: Flask) -> Any:  # type: ignore[override]
        """One serializer per app, built once (Flask builds it on every request)."""
        serializer = self._serializers.get(id(app))
        if serializer is None:
            serializer = self._serializers[id(app)] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The texter's session on /sms; elsewhere the null session (nothing read, nothing set)."""
        if not request.path.startswith("/sms"):
            return None
        return super().open_session(app, request)
