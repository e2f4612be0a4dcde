"""Outgoing texts through Twilio's REST client: an answer to a caller, a note to the admin."""

from __future__ import annotations

import logging
from typing import Any

from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient

from ..logs import mask

log = logging.getLogger("service.gateway")


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

