"""What the line keeps: topics reached, questions not understood, messages left, and admins' sign-ins."""

from . import signins  # noqa: F401 - its tables are made with the others
from .store import NO_CALLBACK, Report, Store, engine_url

__all__ = ["NO_CALLBACK", "Report", "Store", "engine_url"]
