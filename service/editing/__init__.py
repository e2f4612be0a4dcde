"""What admins change on the admin pages: edited fields over the prompt files, revisions, review marks, edited audio."""

from .store import Change, EditStore, Job, PublishRefused, Review, Revision, Stale

__all__ = ["Change", "EditStore", "Job", "PublishRefused", "Review", "Revision", "Stale"]
