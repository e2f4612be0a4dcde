"""The running line: content, matcher and audio, built once at start and shared by every request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from .audio import AudioLibrary
from .content import Content, Language, Prompt
from .matcher import Matcher

MAX_HINTS = 500
_HINT_PUNCTUATION = re.compile(r"[^\w' ]+")
MAX_CACHED_REPLIES = 4096


@dataclass
class Line:
    """Everything a request handler needs, loaded and validated once."""

    content: Content
    matcher: Matcher
    audio: AudioLibrary
    hints: dict[str, str] = field(default_factory=dict)
    store: Any = None
    messenger: Any = None
    admin_number: str = ""
    replies: dict[tuple[object, ...], str] = field(default_factory=dict)

    @classmethod
    def build(cls, content: Content, audio: AudioLibrary) -> "Line":
        """Prepare the matcher and speech hints for every language."""
        line = cls(content, Matcher(content), audio)
        for code, lang in content.languages.items():
            hints: list[str] = []
            phrases = [p for t in lang.targets.values() for p in (t.title, t.keyword, *t.phrases)]
            phrases += [w for name in ("menu", "help", "repeat", "back") for w in lang.words.get(name, ())]
            for phrase in phrases:
                # Twilio takes words separated by spaces, entries separated by commas: no other punctuation.
                hint = " ".join(_HINT_PUNCTUATION.sub(" ", phrase).split())[:100].strip()
                if len(hint) > 1 and hint not in hints:
                    hints.append(hint)
            line.hints[code] = ", ".join(hints[:MAX_HINTS])
        return line

    def language(self, code: str | None) -> Language:
        """The language for a code from a URL or session, or the default one."""
        return self.content.languages.get(code or "", self.content.languages[self.content.default_language])

    def remember(self, key: tuple[object, ...], reply: str) -> str:
        """Keep a built reply for the next identical request (bounded: hosts and audio states are few)."""
        if len(self.replies) >= MAX_CACHED_REPLIES:
            self.replies.clear()
        self.replies[key] = reply
        return reply

    def speak(self, verb: VoiceResponse | Gather, prompt: Prompt) -> None:
        """Play the prompt's audio when a current file exists, else speak its text: never silence."""
        self.play_or_say(verb, prompt, self.audio.file_for(prompt))

    def play_or_say(self, verb: VoiceResponse | Gather, prompt: Prompt, name: str | None) -> None:
        """Play the named audio file (already checked), or with no file speak the prompt's text."""
        if name:
            verb.play(self.audio.url(name, url_for("media.audio_file", name=name, _external=True)))
        else:
            verb.say(prompt.text, language=self.language(prompt.lang).voice.say_language)


def current_line() -> Line:
    """The Line of the app handling this request."""
    return current_app.extensions["line"]

