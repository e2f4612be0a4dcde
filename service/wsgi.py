"""The app as gunicorn loads it: a start-up problem is a short report and exit code 1, not a traceback."""

from __future__ import annotations

import sys

from . import create_app
from .content import ContentError
from .settings import StartupError

try:
    app = create_app()
except StartupError as exc:
    print(f"The line did not start: {exc}", file=sys.stderr, flush=True)
    raise SystemExit(1) from None
except ContentError as exc:
    print(f"The line did not start: the prompt files have errors.\n{exc}", file=sys.stderr, flush=True)
    raise SystemExit(1) from None
