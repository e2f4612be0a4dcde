"""Twilio's webhook requests: small URL-encoded forms, parsed with the standard library."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

MAX_FIELDS = 1000


class TwilioForm(MultiDict):  # type: ignore[type-arg]
    """A form twilio's RequestValidator reads without trying and failing other methods first."""

    def getall(self, key: str) -> list[Any]:
        """Every value of a parameter (the name RequestValidator asks for first)."""
        return self.getlist(key)


class TwilioRequest(Request):
    """A Flask request whose URL-encoded form is parsed by urllib: werkzeug's general parser costs several times
    more per webhook (see bench/README.md). Other bodies, and bodies of unknown length, take werkzeug's parser."""

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        length = self.content_length
        if self.method == "POST" and self.mimetype == "application/x-www-form-urlencoded" and length is not None:
            limit = self.max_content_length
            if limit is not None and length > limit:
                raise RequestEntityTooLarge()
            body = self.environ["wsgi.input"].read(length)
            try:
                pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
            except ValueError:
                raise RequestEntityTooLarge() from None
            self.__dict__["form"] = TwilioForm(pairs)
            self.__dict__["files"] = MultiDict()
            return
        super()._load_form_data()
