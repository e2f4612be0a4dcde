"""What admins change on the admin pages: edited fields over the prompt files, revisions, review and translation marks, edited audio."""

from .store import (
    Change,
    EditStore,
    Job,
    PublishRefused,
    Review,
    Revision,
    Stale,
    Translation,
)

__all__ = ["Change", "EditStore", "Job", "PublishRefused", "Review", "Revision", "Stale", "Translation"]
