"""Twilio request signatures: every webhook is checked, and fails closed."""

from __future__ import annotations

import logging
from functools import lru_cache
from hmac import compare_digest
from typing import Any, Mapping
from urllib.parse import quote

from flask import Request, abort, current_app, request
from twilio.request_validator import RequestValidator, get_signature_algorithm

from ..logs import note_sender
from ..settings import StartupError

SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
# Present when a Twilio Webhook Setting signs with a SharedKey: "key=<SharedKey id>,algorithm=<HMAC_SHA1|HMAC_SHA256>".
SHARED_KEY_HEADER = "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
EXTENSION = "line.signatures"
log = logging.getLogger("service.security")


@lru_cache(maxsize=1024)
def _quoted(path: str) -> str:
    """A path percent-encoded as Twilio sends it (the line's own paths are few: each is encoded once)."""
    return quote(path, safe=_PATH_SAFE)


def shared_keys(setting: str) -> dict[str, str]:
    """SharedKey secrets by key id, from TWILIO_WEBHOOK_KEYS ("id=secret", several separated by commas or spaces)."""
    keys: dict[str, str] = {}
    for number, entry in enumerate(setting.replace(",", " ").split(), start=1):
        key_id, equals, secret = entry.partition("=")
        if not (key_id and equals and secret):
            # Never repeat the entry: it holds a secret.
            raise StartupError(f"TWILIO_WEBHOOK_KEYS: entry {number} is not of the form <key id>=<secret>")
        keys[key_id] = secret
    return keys


def setting_value(settings: str, name: str) -> str:
    """One value of the signature settings header (key, algorithm), or "" when it is not there."""
    for part in settings.split(","):
        key, equals, value = part.partition("=")
        if equals and key.strip() == name:
            return value.strip()
    return ""


class Signatures:
    """How this line checks Twilio's signatures, with its settings read once at start."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.token: str = config["TWILIO_AUTH_TOKEN"]
        self.validator = RequestValidator(self.token)
        self.shared = {key_id: RequestValidator(secret) for key_id, secret in shared_keys(config.get("TWILIO_WEBHOOK_KEYS", "")).items()}
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
        """Whether a request may be answered: signed with this line's token or one of its SharedKeys
        (or unsigned, in development mode only)."""
        environ = req.environ
        form = req.form
        # Never a caller's spoken or keyed callback number, even where bodies are logged.
        note_sender(environ, form, self.log_bodies and not req.path.endswith("/callback"))
        signature = environ.get(SIGNATURE_HEADER)
        if signature is None and self.dev_mode:
            return True
        if not signature:
            return False
        settings = environ.get(SHARED_KEY_HEADER)
        if settings is not None:
            return self._is_valid_shared(req, form, signature, settings)
        if not self.token:
            return False
        url = self.signed_url(req)
        if "bodySHA256" in req.args:
            # A JSON webhook: the signature covers the URL, whose bodySHA256 must be the body's own SHA-256. A form's
            # fields are signed one by one instead: a form with bodySHA256 is someone's trick (its body read as a form
            # is no longer there to hash), never Twilio.
            if not req.args.get("bodySHA256") or _is_form(req):
                return False
            return self.validator.validate(url, req.get_data(as_text=True), signature)
        # The URL as requested is what Twilio signs almost always: one signature computed, then the library's full
        # check (which also tries the URL with and without its port) only when that one does not match.
        return compare_digest(self.validator.compute_signature(url, form).encode(), signature.encode()) or self.validator.validate(url, form, signature)

    def _is_valid_shared(self, req: Request, form: Any, signature: str, settings: str) -> bool:
        key_id = setting_value(settings, "key")
        validator = self.shared.get(key_id)
        if validator is None:
            # A Webhook Setting signs with a key this line was not given: every request will fail until it is.
            log.warning("signed with SharedKey %r, which is not in TWILIO_WEBHOOK_KEYS: refused", key_id[:64])
            return False
        if "bodySHA256" in req.args and (not req.args.get("bodySHA256") or _is_form(req)):
            return False
        params = req.get_data(as_text=True) if "bodySHA256" in req.args else form
        return validator.validate(self.signed_url(req), params, signature, get_signature_algorithm(settings))


def _is_form(req: Request) -> bool:
    return req.environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() in (
        "application/x-www-form-urlencoded", "multipart/form-data")


def require_signature() -> None:
    """Abort with 403 unless the request carries a valid Twilio signature (before_request hook)."""
    signatures: Signatures = current_app.extensions[EXTENSION]
    if not signatures.is_valid(request._get_current_object()):  # type: ignore[attr-defined]
        abort(403)
