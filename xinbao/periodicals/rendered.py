"""The issue's documents in the document cache: rendered by the worker once signed."""

from __future__ import annotations

from xinbao.documents.registry import register
from xinbao.periodicals import outputs
from xinbao.periodicals.models import Issue
from xinbao.periodicals.services import ISSUE_DOCUMENT


def is_frozen(issue: Issue) -> bool:
    """Signed: the content and its hash are fixed; before that the document is a preview."""
    return bool(issue.content_hash and issue.frozen)


register(ISSUE_DOCUMENT, model=Issue, build=outputs.document, frozen=is_frozen)
