"""One structured log line per request, with phone numbers masked and bodies left out."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

log = logging.getLogger("service.requests")


def mask(number: str) -> str:
    """A phone number with all but its last 2 digits hidden."""
    digits = [c for c in number if c.isdigit()]
    if not digits:
        return "" if not number else "***"
    return "*" * max(0, len(digits) - 2) + "".join(digits[-2:])


def setup(app: Flask) -> None:
    """Time every request and log it once when it ends."""
    if not logging.getLogger("service").handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logging.getLogger("service").addHandler(handler)
        logging.getLogger("service").setLevel(logging.INFO)
        logging.getLogger("service").propagate = True

    wsgi_app = app.wsgi_app

    def timed(environ: dict[str, Any], start_response: Any) -> Any:
        # Timed from the WSGI call: cheaper than a before_request hook, and it covers Flask's own work.
        environ["line.started"] = time.perf_counter()
        return wsgi_app(environ, start_response)

    app.wsgi_app = timed  # type: ignore[method-assign]

    @app.after_request
    def log_request(response: Response) -> Response:
        if not request.path.startswith(("/voice", "/sms")):
            return response
        # One look-up of g and of the form: each access through Flask's proxies costs on every request.
        state = vars(g._get_current_object())
        req = request._get_current_object()  # type: ignore[attr-defined]
        # The form as the signature check parsed it; never parsed here (a 413 body must stay unread).
        form = req.__dict__.get("form") or {}
        record = {
            "channel": "sms" if req.path.startswith("/sms") else "voice",
            "sid": form.get("CallSid") or form.get("MessageSid") or "",
            "step": state.get("step", req.path),
            "status": response.status_code,
            "ms": round((time.perf_counter() - req.environ.get("line.started", time.perf_counter())) * 1000, 1),
            "from": mask(form.get("From", "")),
        }
        for name in ("topic", "step_key", "error", "unmatched"):
            if state.get(name):
                record[name] = state[name]
        if app.config["LOG_MESSAGE_BODIES"]:
            record["said"] = form.get("Body") or form.get("SpeechResult") or ""
        log.info(json.dumps(record, ensure_ascii=False))
        return response
