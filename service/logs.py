"""One structured log line per webhook request, with phone numbers masked and bodies left out."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, Callable, Iterable, Mapping

from flask import Flask, request

NOTES = "line.notes"
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


def note_sender(environ: dict[str, Any], form: Mapping[str, str], with_body: bool) -> None:
    """Note who and what a webhook is about (SID, masked number, and the words only when allowed)."""
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
        if path.startswith(LOGGED_PATHS):
            # Written straight to stderr, one write per line (the stream is line-buffered): going through the
            # logging module cost about 20 us a request, a tenth of the line's own work (see bench/README.md).
            sys.stderr.write(line_for(environ, path, status[0] if status else "", started) + "\n")
        return body

    app.wsgi_app = logged  # type: ignore[method-assign]


def line_for(environ: dict[str, Any], path: str, status: str, started: float) -> str:
    """The JSON log line of one request, from the notes its handlers left in the WSGI environ."""
    record: dict[str, object] = {
        "channel": "sms" if path.startswith("/sms") else "voice",
        "sid": "",
        "step": path,
        "status": int(status[:3]) if status[:3].isdigit() else status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "from": "",
    }
    record.update(environ.get(NOTES, ()))
    return _to_json(record)
