"""Twilio request signatures: every webhook is checked, and fails closed."""

from __future__ import annotations

from hmac import compare_digest
from urllib.parse import quote

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

from .logs import note_sender

SIGNATURE_HEADER = "X-Twilio-Signature"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def signed_url() -> str:
    """The URL Twilio signed: the public base URL when one is configured, else the one requested."""
    base = current_app.config["PUBLIC_BASE_URL"] or f"{request.scheme}://{request.host}{request.root_path}"
    query = request.query_string.decode("latin-1")
    # The path as sent (percent-encoded), as Twilio signed it; werkzeug's request.url re-encodes an IRI.
    return f"{base}{quote(request.path, safe=_PATH_SAFE)}" + (f"?{query}" if query else "")


def require_signature() -> None:
    """Abort with 403 unless the request carries a valid Twilio signature (before_request hook)."""
    form = request.form
    note_sender(form, current_app.config["LOG_MESSAGE_BODIES"])
    signature = request.headers.get(SIGNATURE_HEADER)
    if signature is None and current_app.config["DEV_MODE"]:
        return None
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token or not signature:
        abort(403)
    validator: RequestValidator = current_app.extensions["line.validator"]
    url = signed_url()
    # The URL as requested is what Twilio signs almost always: one signature computed, then the library's full
    # check (which also tries the URL with and without its port) only when that one does not match.
    if not (compare_digest(validator.compute_signature(url, form).encode(), signature.encode()) or validator.validate(url, form, signature)):
        abort(403)
    return None
