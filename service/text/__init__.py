"""The text line: one blueprint for incoming texts, and the conversation that answers them."""

from .routes import bp

__all__ = ["bp"]
