"""Understanding what people say or write: topics, languages, and emergency and crisis words."""

from .matcher import LanguageIndex, Match, Matcher

__all__ = ["LanguageIndex", "Match", "Matcher"]
