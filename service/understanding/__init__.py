"""Understanding what people say or write: places by words and meaning, the language, emergency and crisis words."""

from .language import LanguageGuesser
from .matcher import Decision, LanguageIndex, Matcher, Scored
from .safety import Safety

__all__ = ["Decision", "LanguageGuesser", "LanguageIndex", "Matcher", "Safety", "Scored"]
