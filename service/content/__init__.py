"""What the line says and hears: the content model, loaded from prompts/ with file:line positions, and its checks."""

from .loader import load, read
from .model import (ACTIONS, PHRASES, Content, ContentError, Language, Menu, Option, Prompt, Target, Voice, format_problems,
                    normalize)
from .replies import sms_answer, sms_menu, sms_texts
from . import gsm
from .yamlsource import Problem

__all__ = ["ACTIONS", "gsm", "PHRASES", "Content", "ContentError", "Language", "Menu", "Option", "Problem", "Prompt", "Target",
           "Voice", "format_problems", "load", "normalize", "read", "sms_answer", "sms_menu", "sms_texts"]
