"""The phone line: one blueprint of webhooks, and the call flow they hand each step to."""

from .routes import bp, fallback_bp

__all__ = ["bp", "fallback_bp"]
