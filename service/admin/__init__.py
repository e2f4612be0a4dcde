"""The admin pages: what people ask, where calls end, messages to answer, and every prompt to hear and check."""

from .views import bp

__all__ = ["bp"]
