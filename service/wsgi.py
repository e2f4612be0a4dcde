"""The app as gunicorn loads it: a start-up problem is a short report and exit code 1, not a traceback."""

from __future__ import annotations

import gc
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

# The app's long-lived objects (content, the matcher's banks and indexes: about 90,000) move out of the collector's
# reach: with --preload they are built once in gunicorn's master, and a worker's full collections would otherwise
# walk them all (60 ms each, every few thousand requests) and write to their pages, copying memory the workers share.
gc.collect()  # start-up's own garbage first: whatever is frozen stays for good
gc.freeze()
