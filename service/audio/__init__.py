"""The line's pre-built audio: which file plays for a prompt (else Say), serving the files, and building them."""

from .library import AudioLibrary, audio_problems

__all__ = ["AudioLibrary", "audio_problems"]
