"""Twilio request signatures: every webhook is checked, and fails closed."""

from __future__ import annotations

from hmac import compare_digest
from functools import lru_cache
from typing import Any, Mapping
from urllib.parse import quote

from flask import Request, abort, current_app, request
from twilio.request_validator import RequestValidator

from .logs import note_sender

SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
EXTENSION = "line.signatures"


@lru_cache(maxsize=1024)
def _quoted(path: str) -> str:
    """A path percent-encoded as Twilio sends it (the line's own paths are few: each is encoded once)."""
    return quote(path, safe=_PATH_SAFE)


class Signatures:
    """How this line checks Twilio's signatures, with its settings read once at start."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.token: str = config["TWILIO_AUTH_TOKEN"]
        self.validator = RequestValidator(self.token)
        self.dev_mode: bool = config["DEV_MODE"]
        self.public_base_url: str = config["PUBLIC_BASE_URL"]
        self.log_bodies: bool = config["LOG_MESSAGE_BODIES"]

    def signed_url(self, req: Request) -> str:
        """The URL Twilio signed: the public base URL when one is configured, else the one requested."""
        base = self.public_base_url or f"{req.scheme}://{req.host}{req.root_path}"
        query = req.query_string.decode("latin-1")
        # The path as sent (percent-encoded), as Twilio signed it; werkzeug's request.url re-encodes an IRI.
        return f"{base}{_quoted(req.path)}" + (f"?{query}" if query else "")

    def is_valid(self, req: Request) -> bool:
        """Whether a request may be answered: signed with this line's token (or unsigned in development mode)."""
        environ = req.environ
        form = req.form
        note_sender(environ, form, self.log_bodies)
        signature = environ.get(SIGNATURE_HEADER)
        if signature is None and self.dev_mode:
            return True
        if not self.token or not signature:
            return False
        url = self.signed_url(req)
        # The URL as requested is what Twilio signs almost always: one signature computed, then the library's full
        # check (which also tries the URL with and without its port) only when that one does not match.
        return compare_digest(self.validator.compute_signature(url, form).encode(), signature.encode()) or self.validator.validate(url, form, signature)


def require_signature() -> None:
    """Abort with 403 unless the request carries a valid Twilio signature (before_request hook)."""
    signatures: Signatures = current_app.extensions[EXTENSION]
    if not signatures.is_valid(request._get_current_object()):  # type: ignore[attr-defined]
        abort(403)
