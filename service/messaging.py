"""Outgoing texts through Twilio's REST client: an answer to a caller, a note to the admin."""

from __future__ import annotations

import logging
from typing import Any, Mapping

from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient

from .content import Language, sms_answer
from .line import Line
from .logs import mask

log = logging.getLogger("service.messaging")


class Messenger:
    """Sends texts from the line's number; configured only when an account SID and token are set."""

    def __init__(self, account_sid: str, auth_token: str, timeout: float = 5.0, http_client: Any = None) -> None:
        self.configured = bool(account_sid and auth_token)
        self._client: Any = None
        self._args = (account_sid, auth_token)
        # twilio's default HTTP client waits forever; a caller is on the line.
        self._http = http_client or TwilioHttpClient(timeout=timeout)

    def send(self, to: str, from_: str, body: str) -> bool:
        """Send one text; False (logged, never raised) when it cannot be sent."""
        if not self.configured or not to or not from_:
            return False
        if self._client is None:
            from twilio.rest import Client  # imported when first needed: it is large, and start-up should be quick

            self._client = Client(*self._args, http_client=self._http)
        try:
            self._client.messages.create(to=to, from_=from_, body=body)
        except (TwilioException, OSError, ValueError) as exc:
            log.warning("text to %s failed: %s", mask(to), type(exc).__name__)
            return False
        return True


def send_answer(line: Line, lang: Language, topic_id: str, caller: str, line_number: str) -> bool:
    """Text a topic's answer to the caller, from the number they called."""
    if line.messenger is None:
        return False
    return line.messenger.send(caller, line_number, sms_answer(lang, lang.topic(topic_id)))


def store_recording(line: Line, form: Mapping[str, str]) -> None:
    """Keep a left message's details and tell the admin by text when a number is configured."""
    try:
        duration = int(form.get("RecordingDuration", "0") or 0)
    except ValueError:
        duration = 0
    url = form.get("RecordingUrl", "")[:500]
    caller = mask(form.get("From", ""))
    if line.store is not None:
        line.store.record_message(form.get("CallSid", "")[:64], caller, url, duration)
    admin = line.admin_number
    if admin and line.messenger is not None:
        line.messenger.send(admin, form.get("To", ""), f"New message on the POEMS line: {duration} s from {caller}. {url}")
