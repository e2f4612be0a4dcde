"""A stand-in for Twilio: signs requests, reads TwiML and follows it as Twilio would (simulators and tests)."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator


@dataclass
class Heard:
    """One thing the caller hears: an audio file played, or text spoken by Say."""

    text: str
    audio: str | None = None
    language: str | None = None
    rate: str | None = None  # a slower speaking rate asked for ("80%")


@dataclass
class Turn:
    """What happened between two actions of the caller."""

    heard: list[Heard] = field(default_factory=list)
    gather: ET.Element | None = None
    record: ET.Element | None = None
    dial: ET.Element | None = None
    hung_up: bool = False
    paused: int = 0  # seconds of <Pause>
    url: str = ""
    pending: list[ET.Element] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Everything heard, as one string."""
        return " ".join(h.text for h in self.heard)


class TwilioClient:
    """Signs and posts requests to the app as Twilio does."""

    def __init__(self, client: FlaskClient, token: str, base_url: str = "https://line.example.org") -> None:
        self.client = client
        self.validator = RequestValidator(token)
        self.base_url = base_url.rstrip("/")

    def post(self, url: str, params: dict[str, str], sign: bool = True) -> Any:
        """POST a signed form to a URL (absolute or relative to the base URL)."""
        full = urljoin(self.base_url + "/", url)
        parts = urlsplit(full)
        headers = {"X-Twilio-Signature": self.validator.compute_signature(full, params)} if sign else {}
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.client.post(path, data=params, headers=headers, base_url=f"{parts.scheme}://{parts.netloc}")


class PhoneCall:
    """One simulated call: start it, press keys, say words, wait in silence, leave a recording."""

    def __init__(self, twilio: TwilioClient, audio_texts: dict[str, str] | None = None,
                 caller: str = "+15555550123", line_number: str = "+15555550100") -> None:
        self.twilio = twilio
        self.audio_texts = audio_texts or {}
        self.params = {"CallSid": f"CA{secrets.token_hex(16)}", "From": caller, "To": line_number,
                       "AccountSid": "AC" + "0" * 32, "Direction": "inbound", "CallStatus": "in-progress"}
        self.turn = Turn()
        self.statuses: list[int] = []

    def start(self) -> Turn:
        """The incoming call."""
        return self._fetch("/voice", {})

    def open(self, url: str, extra: dict[str, str] | None = None) -> Turn:
        """Fetch any URL of the line as Twilio would (a Redirect, or a stale link)."""
        return self._fetch(url, extra or {})

    def press(self, key: str) -> Turn:
        """Press a key while the current Gather listens."""
        return self._answer({"Digits": key})

    def say(self, words: str, confidence: str = "0.9") -> Turn:
        """Speak while the current Gather listens."""
        return self._answer({"SpeechResult": words, "Confidence": confidence})

    def wait(self) -> Turn:
        """Stay silent until the Gather times out: Twilio goes on to the verbs after it."""
        assert self.turn.gather is not None or self.turn.record is not None, "nothing is waiting for input"
        pending, url = self.turn.pending, self.turn.url
        turn = Turn(url=url)
        self._run(pending, url, turn)
        self.turn = turn
        return turn

    def leave_recording(self, seconds: int = 20, url: str = "https://api.twilio.com/recordings/RE123") -> Turn:
        """Speak after the beep and finish; Twilio posts the recording's details to the action."""
        record = self.turn.record
        assert record is not None, "no Record is running"
        action = urljoin(self.turn.url, record.get("action") or self.turn.url)
        sid = "RE" + url.rstrip("/").rsplit("/", 1)[-1].removeprefix("RE")
        return self._fetch(action, {"RecordingUrl": url, "RecordingSid": sid, "RecordingDuration": str(seconds), "Digits": "#"})

    def dial_ends(self, status: str = "completed") -> Turn:
        """The call the line put through ends (completed, no-answer, busy, failed): Twilio posts to the Dial's action."""
        dial = self.turn.dial
        assert dial is not None, "no Dial is running"
        action = urljoin(self.turn.url, dial.get("action") or self.turn.url)
        return self._fetch(action, {"DialCallStatus": status})

    def _answer(self, extra: dict[str, str]) -> Turn:
        gather = self.turn.gather
        assert gather is not None, "no Gather is listening"
        action = urljoin(self.turn.url, gather.get("action") or self.turn.url)
        return self._fetch(action, extra)

    def _fetch(self, url: str, extra: dict[str, str]) -> Turn:
        turn = Turn()
        self._load(url, extra, turn)
        self.turn = turn
        return turn

    def _load(self, url: str, extra: dict[str, str], turn: Turn) -> None:
        full = urljoin(self.twilio.base_url + "/", url)
        response = self.twilio.post(full, {**self.params, **extra})
        self.statuses.append(response.status_code)
        if response.status_code != 200:
            raise AssertionError(f"{full} answered {response.status_code}")
        body = response.get_data(as_text=True)
        turn.documents.append(body)
        turn.url = full
        root = ET.fromstring(body)
        assert root.tag == "Response", f"not TwiML: {body[:200]}"
        self._run(list(root), full, turn)

    def _run(self, verbs: list[ET.Element], url: str, turn: Turn) -> None:
        for index, verb in enumerate(verbs):
            if verb.tag in ("Say", "Play"):
                turn.heard.append(self._heard(verb))
            elif verb.tag == "Gather":
                for inner in verb:
                    turn.heard.append(self._heard(inner))
                turn.gather, turn.pending, turn.url = verb, verbs[index + 1:], url
                return
            elif verb.tag == "Record":
                turn.heard.append(Heard("(beep)"))
                turn.record, turn.pending, turn.url = verb, verbs[index + 1:], url
                return
            elif verb.tag == "Dial":
                turn.heard.append(Heard(f"(ringing {(verb.text or '').strip()})"))
                turn.dial, turn.pending, turn.url = verb, verbs[index + 1:], url
                return
            elif verb.tag == "Pause":
                turn.paused += int(verb.get("length", "1"))  # a moment of quiet, nothing heard
            elif verb.tag == "Hangup":
                turn.hung_up = True
                return
            elif verb.tag == "Redirect":
                self._load(urljoin(url, (verb.text or "").strip()), {}, turn)
                return
            else:
                raise AssertionError(f"unexpected verb {verb.tag}")
        turn.hung_up = True  # Twilio ends the call when the document runs out

    def _heard(self, verb: ET.Element) -> Heard:
        if verb.tag == "Play":
            name = urlsplit((verb.text or "").strip()).path.rsplit("/", 1)[-1]
            return Heard(self.audio_texts.get(name, f"[audio {name}]"), audio=name)
        if verb.tag == "Say":
            # The words, also inside SSML (<prosody rate="80%">, when a caller asked for it more slowly).
            return Heard(" ".join("".join(verb.itertext()).split()), language=verb.get("language"),
                         rate=next((inner.get("rate") for inner in verb.iter("prosody")), None))
        raise AssertionError(f"unexpected verb inside Gather: {verb.tag}")


class TextThread:
    """One simulated texter: the app's session cookie is kept between messages, as Twilio does."""

    def __init__(self, twilio: TwilioClient, texter: str = "+15555550123", line_number: str = "+15555550100") -> None:
        self.twilio = twilio
        self.params = {"From": texter, "To": line_number, "AccountSid": "AC" + "0" * 32, "NumMedia": "0"}

    def send(self, body: str, media: int = 0, extra: dict[str, str] | None = None) -> list[str]:
        """Send a text; the replies, in order (none for STOP)."""
        params = {**self.params, "MessageSid": f"SM{secrets.token_hex(16)}", "Body": body, "NumMedia": str(media), **(extra or {})}
        if media:
            params["MediaUrl0"] = "https://api.twilio.com/media/ME123"
            params["MediaContentType0"] = "image/jpeg"
        response = self.twilio.post("/sms", params)
        if response.status_code != 200:
            raise AssertionError(f"/sms answered {response.status_code}")
        root = ET.fromstring(response.get_data(as_text=True))
        assert root.tag == "Response"
        return [(m.text or "") if len(m) == 0 else "".join(m.itertext()) for m in root.findall("Message")]


def audio_texts(line: Any) -> dict[str, str]:
    """Audio file name -> the text it speaks, for showing what a Play says."""
    texts = {(p.lang, p.id): p.text for p in line.content.prompts()}
    return {name: texts.get((r.get("lang"), r.get("prompt")), f"[audio {name}]") for name, r in line.audio.records.items()}
