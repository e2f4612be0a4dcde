"""Messages about nothing the line answers, written for this check and never taught to the matcher: how many are told
what the line is for (the rest get a "did you mean", as before); and how many of the development questions, and of
messages about the line itself or its subject that an independent read found turned away at first, would be turned
away now (the goal: none).

    .venv/bin/python bench/off_topic.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEW: dict[str, tuple[str, ...]] = {
    "en": (
        "what's the score of the lakers game", 'how do I bake bread', "my car won't start", 'can you call me a taxi',
        'where can I watch the new movie', 'who is the president', 'I need to pay my electric bill',
        "what's a good pizza place near me", 'how do I fix my printer', 'my dog is sick',
        'can you help me with my homework', 'when is the next bus', "what's the meaning of life",
        'I want to buy a house', 'do you like cats', 'where do I vote', 'my internet is slow', 'is it going to snow',
        'wrong number', 'is this the pharmacy', 'I want to cancel my cable',
    ),
    "es": (
        'cuál es el marcador del partido', 'cómo hago pan', 'me puedes llamar un taxi', 'dónde veo la película nueva',
        'quién es el presidente', 'tengo que pagar la luz', 'una pizzería cerca', 'cómo arreglo la impresora',
        'mi perro está enfermo', 'me ayudas con la tarea', 'cuándo pasa el autobús', 'cántame una canción',
        'quiero comprar una casa', 'cuántos años tienes', 'dónde voto', 'el internet está lento', 'va a llover',
        'número equivocado', 'quién habla', 'es la farmacia', 'quiero cancelar el cable',
    ),
}

# About the line's own services or its subject, in everyday words: never to be told "this line only answers questions
# about POEMS" (an independent read of the first version found all of these turned away).
ON_SUBJECT: dict[str, tuple[str, ...]] = {
    "en": ("my phone number changed", "i changed my number", "new number", "my number is 713 555 0199",
           "are you a real person or a bot", "is this free", "are you open on sunday", "what time do you close",
           "who made this", "who gave you my number", "i had pizza, is that ok", "can i drink a margarita"),
    "es": ("cambie de numero", "mi numero cambio", "a quien llamo", "eres una persona real", "eres un robot?",
           "como consiguieron mi numero", "estan abiertos el domingo", "a que hora cierran", "que horario tienen", "comí pizza, ¿está bien?", "¿puedo comer pozole?"),
}


def main() -> None:
    """Print, per language, the new off-topic messages told so and the development questions turned away."""
    from service.content import load
    from service.understanding import Matcher
    from service.understanding.evaluation import NOTHING, read_questions
    from service.understanding.offtopic import MORE_OFF_TOPIC, OFF_TOPIC

    content = load(ROOT / "prompts")
    matcher = Matcher.for_content(content, ROOT / "instance")
    dev = read_questions(ROOT / "bench" / "dev" / "questions.csv")
    for code in content.languages:
        taught = set(OFF_TOPIC.get(code, ())) | set(MORE_OFF_TOPIC.get(code, ()))
        new = [text for text in NEW.get(code, ()) if text not in taught]
        told = [text for text in new if matcher.decide(text, code).elsewhere]
        asked = [q for q in dev if q.lang == code and q.label != NOTHING]
        away = [q.text for q in asked if matcher.decide(q.text, code).elsewhere]
        subject = ON_SUBJECT.get(code, ())
        away_too = [text for text in subject if matcher.decide(text, code).elsewhere]
        print(f"{code}: new off-topic messages told what the line is for: {len(told)} of {len(new)}; turned away: "
              f"development questions about a topic {len(away)} of {len(asked)}, messages about the line or its "
              f"subject {len(away_too)} of {len(subject)}")
        for text in away + away_too:
            print(f"    turned away: {text}")


if __name__ == "__main__":
    main()
