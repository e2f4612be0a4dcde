"""What the line keeps: topics reached, questions not understood, and messages left by callers."""

from .store import Report, Store, engine_url

__all__ = ["Report", "Store", "engine_url"]
