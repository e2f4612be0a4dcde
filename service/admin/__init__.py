"""The admin pages: what people ask, where calls end, messages to answer, and every prompt to hear and check."""

from . import editor  # noqa: F401 - its pages join the blueprint
from .views import bp

__all__ = ["bp"]
