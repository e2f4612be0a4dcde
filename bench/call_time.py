"""How long a caller listens before each answer starts, worked out from the content and the built audio.

A caller presses each key as early as the menu lets them: right after hearing "..., press 3". Two measures:
- "words": at 150 words a minute, as the issue measured the line (the goals are set on this one);
- "audio": the share of a prompt's words heard so far times the length of its built audio file (the espeak-ng files
  that ship pause at every full stop and run slower than 150 words a minute; gTTS files differ again).

    .venv/bin/python bench/call_time.py [topic,topic,...]   # a table per language; the median over the named topics
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.audio.library import AudioLibrary  # noqa: E402
from service.content import Prompt, load  # noqa: E402
from service.content.listening import listening_times, seconds  # noqa: E402


def main() -> None:
    content = load(ROOT / "prompts")
    audio = AudioLibrary(ROOT / "audio")

    def built(prompt: Prompt) -> float | None:
        name = audio.file_for(prompt)
        return float(audio.records[name]["duration"]) if name else None

    named = set(sys.argv[1].split(",")) if len(sys.argv) > 1 else set()
    for code, lang in content.languages.items():
        spoken, played = listening_times(content, code), listening_times(content, code, built)
        greeting = len(lang.prompts["phrase.greeting"].text.split())
        print(f"\n{lang.name} ({code}): seconds of listening before each answer starts, pressing keys as early as possible")
        print("| topic | presses | words at 150/min | built audio |\n| --- | ---: | ---: | ---: |")
        for topic, (at, presses) in sorted(spoken.items(), key=lambda kv: kv[1][0]):
            print(f"| {topic} | {presses} | {at:.1f} | {played[topic][0]:.1f} |")
        for name, times in (("words at 150/min", spoken), ("built audio", played)):
            chosen = [t for topic, (t, _) in times.items() if not named or topic in named]
            print(f"{name}: median {statistics.median(chosen):.1f} s, longest {max(chosen):.1f} s"
                  f"{' (the topics named on the command line)' if named else ''}; most presses {max(p for _, p in times.values())}")
        print(f"Main menu: {seconds(lang.prompts['menu.main']):.1f} s in words, {seconds(lang.prompts['menu.main'], duration=built):.1f} s as built. "
              f"Words before the other languages' offers: {greeting}.")


if __name__ == "__main__":
    main()
