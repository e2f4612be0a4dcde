"""One structured log line per webhook request, with phone numbers masked and bodies left out."""

from __future__ import annotations

import hashlib
import json
import os
import logging
import sys
import time
from typing import Any, Callable, Iterable, Mapping

from flask import Flask, has_request_context, request

NOTES = "line.notes"
KEY = "line.key"
LOGGED_PATHS = ("/voice", "/sms")
# Built once: json.dumps with any option builds a new encoder on every call.
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def mask(number: str) -> str:
    """A phone number with all but its last 2 digits hidden."""
    digits = "".join(filter(str.isdigit, number))
    if not digits:
        return "" if not number else "***"
    return "*" * max(0, len(digits) - 2) + digits[-2:]


def notes(environ: dict[str, Any]) -> dict[str, object]:
    """The fields a request's handlers add to its log line (the step, the topic reached, the key pressed...)."""
    return environ.setdefault(NOTES, {})


def note(**fields: object) -> None:
    """Add to this request's log line."""
    notes(request.environ).update(fields)


def request_key() -> str:
    """What identifies this webhook request: the same request again (Twilio's retry, or a replay) has the same key,
    so what it records counts once. "" outside a webhook request."""
    return str(request.environ.get(KEY, "")) if has_request_context() else ""


def note_sender(environ: dict[str, Any], form: Mapping[str, str], with_body: bool) -> None:
    """Note who and what a webhook is about (SID, masked number, and the words only when allowed), and the request's
    key: a text's MessageSid; else its Twilio signature, an HMAC of its URL and form (a call's step again has the same
    one, another step another); unsigned (development mode only), a hash of its path, query and form."""
    signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
    message = form.get("MessageSid", "")
    if message and not form.get("CallSid"):
        # A text is one message whatever address it reaches (a retry, a fallback URL): its MessageSid is the key.
        environ[KEY] = f"text:{message[:58]}"
    elif signature:
        environ[KEY] = signature[:64]
    else:
        digest = hashlib.sha256(f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}".encode())
        for name in sorted(form):
            for value in form.getlist(name) if hasattr(form, "getlist") else [form[name]]:
                digest.update(f"\0{name}={value}".encode())
        environ[KEY] = digest.hexdigest()[:40]
    fields = notes(environ)
    fields["sid"] = form.get("CallSid") or form.get("MessageSid") or ""
    fields["from"] = mask(form.get("From", ""))
    if with_body:
        fields["said"] = form.get("Body") or form.get("SpeechResult") or ""


def setup(app: Flask) -> None:
    """Wrap the app so each webhook request is timed and logged once, after its reply is made."""
    service_log = logging.getLogger("service")
    if not service_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        service_log.addHandler(handler)
        service_log.setLevel(logging.INFO)
    wsgi_app = app.wsgi_app

    # A WSGI wrapper rather than Flask hooks: no proxies, no hook dispatch, and it times Flask's own work too.
    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(code)
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        body = wsgi_app(environ, capture)
        path = environ.get("PATH_INFO", "")
        if path.startswith(LOGGED_PATHS) and not _QUIET[0]:
            # Written straight to stderr, one write per line (the stream is line-buffered): going through the
            # logging module cost about 20 us a request, a tenth of the line's own work (see bench/README.md).
            sys.stderr.write(line_for(environ, path, status[0] if status else "", started) + "\n")
        return body

    app.wsgi_app = logged  # type: ignore[method-assign]


_QUIET = [False]


def quiet(on: bool = True) -> None:
    """Keep the request log lines off stderr in this process (the terminal simulators, where they would interleave
    with the conversation)."""
    _QUIET[0] = on


def line_for(environ: dict[str, Any], path: str, status: str, started: float) -> str:
    """The JSON log line of one request, from the notes its handlers left in the WSGI environ."""
    record: dict[str, object] = {
        "channel": "sms" if path.startswith("/sms") else "voice",
        "sid": "",
        "step": path,
        "status": int(status[:3]) if status[:3].isdigit() else status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "from": "",
        "worker": os.getpid(),  # which worker process answered (several serve the line)
    }
    record.update(environ.get(NOTES, ()))
    return _to_json(record)
