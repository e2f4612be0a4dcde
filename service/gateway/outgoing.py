"""Outgoing calls to Twilio's API: texts (an answer to a caller, a note to the admin) and a message's recording."""

from __future__ import annotations

import base64
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
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



class RecordingUnavailable(Exception):
    """A message's recording could not be fetched from Twilio; the message says why, for the admin (status: Twilio's
    HTTP answer, when it gave one)."""

    def __init__(self, reason: str, status: int = 0) -> None:
        super().__init__(reason)
        self.status = status


RECORDING_HOSTS = ("api.twilio.com",)
MAX_RECORDING_BYTES = 20 * 1024 * 1024
RECORDING_SID = re.compile(r"RE[0-9a-f]{32}")
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")


def recording_url(recording_sid: str, account_sid: str) -> str:
    """Where Twilio's API keeps a recording of this account: built from the two SIDs, never from a URL a request
    brought (whose path could name another resource of the account)."""
    if not RECORDING_SID.fullmatch(recording_sid or ""):
        raise RecordingUnavailable("the message has no recording id from Twilio (RE followed by 32 hexadecimal digits)")
    if not ACCOUNT_SID.fullmatch(account_sid or ""):
        raise RecordingUnavailable("TWILIO_ACCOUNT_SID is not set (or is not AC followed by 32 hexadecimal digits): "
                                   "it is needed to fetch recordings")
    return f"https://api.twilio.com/2010-04-01/Accounts/{account_sid}/Recordings/{recording_sid}.mp3"


def fetch_recording(recording_sid: str, account_sid: str, auth_token: str, timeout: float = 10.0) -> bytes:
    """A recording's MP3, fetched with the account's credentials (which never reach a browser)."""
    url = recording_url(recording_sid, account_sid)
    if not auth_token:
        raise RecordingUnavailable("TWILIO_AUTH_TOKEN is needed to fetch recordings")
    credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {credentials}"})
    opener = urllib.request.build_opener(_CredentialsStayWithTwilio())
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_RECORDING_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code in (404, 410):
            raise RecordingUnavailable("Twilio no longer has this recording (it was deleted, or never finished)",
                                       error.code) from error
        if error.code in (401, 403):
            raise RecordingUnavailable(f"Twilio refused the line's credentials ({error.code}): check TWILIO_ACCOUNT_SID "
                                       "and TWILIO_AUTH_TOKEN", error.code) from error
        raise RecordingUnavailable(f"Twilio answered {error.code} for this recording: try again later", error.code) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise RecordingUnavailable(f"Twilio could not be reached just now ({type(error).__name__}): try again later") from error
    if len(data) > MAX_RECORDING_BYTES:
        raise RecordingUnavailable("the recording is larger than a message can be")
    return data


class _CredentialsStayWithTwilio(urllib.request.HTTPRedirectHandler):
    """Follows a redirect (Twilio may send the media elsewhere), but the account's credentials go only to Twilio."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        """The redirected request, without the Authorization header unless it stays on Twilio's API over HTTPS."""
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            parts = urllib.parse.urlsplit(newurl)
            if parts.scheme != "https" or parts.hostname not in RECORDING_HOSTS:
                new.remove_header("Authorization")
                new.unredirected_hdrs.pop("Authorization", None)
        return new
