"""Twilio's webhook requests: small URL-encoded forms, parsed with the standard library."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

MAX_FIELDS = 1000


class TwilioRequest(Request):
    """A Flask request whose URL-encoded form is parsed by urllib (werkzeug's general parser costs about 4x more
    per webhook: measured in bench/README.md). Other bodies take werkzeug's parser."""

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        if self.method == "POST" and self.mimetype == "application/x-www-form-urlencoded":
            body = self.get_data(cache=True)  # the stream enforces MAX_CONTENT_LENGTH: 413
            try:
                pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
            except ValueError:
                raise RequestEntityTooLarge() from None
            self.__dict__["form"] = MultiDict(pairs)
            self.__dict__["files"] = MultiDict()
            return
        super()._load_form_data()
