"""Twilio's webhook requests: small URL-encoded forms and the line's own query strings, parsed cheaply."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout
from werkzeug.utils import cached_property

MAX_FIELDS = 1000


class _FirstValue:
    """MultiDict.get without raising and catching an exception for each absent parameter (most are absent)."""

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:  # MultiDict's signature
        """The first value of a parameter, or the default."""
        values = dict.get(self, key)  # type: ignore[call-overload]
        if type is None:
            return values[0] if values else default
        return super().get(key, default, type)  # type: ignore[misc]


class QueryArgs(_FirstValue, ImmutableMultiDict):  # type: ignore[misc,type-arg]
    """A URL's parameters."""


class TwilioForm(_FirstValue, MultiDict):  # type: ignore[misc,type-arg]
    """A form twilio's RequestValidator reads without trying and failing other methods first."""

    def getall(self, key: str) -> list[Any]:
        """Every value of a parameter (the name RequestValidator asks for first); the list is the form's own."""
        # MultiDict keeps each key's values in a list of its own: read it, do not copy it (getlist copies).
        return dict.get(self, key, [])  # type: ignore[return-value]


def parse_form(body: str) -> TwilioForm:
    """The parameters of a URL-encoded body, as urllib's parse_qsl(keep_blank_values=True) reads them.

    Twilio's parameters are mostly plain words and digits: only those with % or + go through unquote_plus,
    which halves the cost of parse_qsl on a webhook (see bench/README.md).
    """
    if body.count("&") >= MAX_FIELDS:
        raise ValueError(f"more than {MAX_FIELDS} fields")
    form = TwilioForm()
    for part in body.split("&"):
        if part:
            name, _, value = part.partition("=")
            if "%" in name or "+" in name:
                name = unquote_plus(name)
            if value.startswith("%2B") and "%" not in value[3:] and "+" not in value:
                value = "+" + value[3:]  # a phone number (From, To, Caller...): the commonest encoded value
            elif "%" in value or "+" in value:
                value = unquote_plus(value)
            # MultiDict is a dict of lists: filled directly, as its constructor would from these pairs.
            dict.setdefault(form, name, []).append(value)
    return form


@lru_cache(maxsize=1024)
def _query_args(query: bytes) -> QueryArgs:
    # werkzeug's own parse of a query string; the line's URLs are few, so each is parsed once, not per request.
    return QueryArgs(parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True, errors="werkzeug.url_quote"))


# Twilio sends a webhook's few hundred bytes at once: a body this slow is a client holding a thread. An admin's form
# (a few kB from a phone on a poor network) is given longer.
WEBHOOK_BODY_SECONDS = 2.0
BODY_SECONDS = 5.0
WEBHOOK_PATHS = ("/sms", "/voice")


def _read_body(environ: dict[str, Any], size: int) -> bytes:
    """The request's body, refused (408) when it does not arrive in time (a slow client would hold a thread)."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        sock.settimeout(WEBHOOK_BODY_SECONDS if environ.get("PATH_INFO", "").startswith(WEBHOOK_PATHS) else BODY_SECONDS)
    try:
        return environ["wsgi.input"].read(size)
    except (TimeoutError, OSError) as exc:
        raise RequestTimeout() from exc


class TwilioRequest(Request):
    """A Flask request whose URL-encoded form is parsed by parse_form: werkzeug's general parser costs several times
    more per webhook (see bench/README.md). Other bodies, and bodies of unknown length, take werkzeug's parser."""

    @cached_property
    def args(self) -> QueryArgs:  # type: ignore[override]
        """The URL's parameters (immutable, so one parse can serve every request with the same query string)."""
        return _query_args(self.query_string)

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        environ = self.environ
        # Read from the environ: the content_length and mimetype properties parse their headers in general ways.
        length = environ.get("CONTENT_LENGTH", "")
        if (environ.get("REQUEST_METHOD") == "POST" and length.isdigit()
                and environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() == "application/x-www-form-urlencoded"):
            size = int(length)
            limit = self.max_content_length
            if limit is not None and size > limit:
                raise RequestEntityTooLarge()
            body = _read_body(environ, size)
            try:
                form = parse_form(body.decode("utf-8", "replace"))
            except ValueError:
                raise RequestEntityTooLarge() from None
            self.__dict__["form"] = form
            self.__dict__["files"] = MultiDict()
            return
        super()._load_form_data()
