"""Run the line on this machine for trying it: python -m service (see README: make run)."""

from __future__ import annotations

import os
import sys

from .content import ContentError
from .settings import StartupError


def main() -> int:
    """Start Flask's development server on 127.0.0.1 (port from PORT, default 5000)."""
    from . import create_app

    try:
        app = create_app()
    except (StartupError, ContentError) as exc:
        print(f"The line did not start: {exc}", file=sys.stderr)
        return 1
    port = int(os.environ.get("PORT", "5000"))
    print(f"POEMS line on http://127.0.0.1:{port}  (voice: POST /voice, texts: POST /sms)\n"
          "Try it:  .venv/bin/flask --app service call     or  .venv/bin/flask --app service text \"is it contagious\"\n"
          f"    or:  curl -X POST -d Body=SKIN http://127.0.0.1:{port}/sms", file=sys.stderr)
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
