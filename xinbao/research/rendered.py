"""The commission notice in the document cache: rendered by the worker once sent."""

from __future__ import annotations

from xinbao.documents.registry import register
from xinbao.research.models import Commission, CommissionState
from xinbao.research.notice import build_notice
from xinbao.research.services import NOTICE_DOCUMENT


def is_frozen(commission: Commission) -> bool:
    """Sent (or closed since): numbered, its units fixed; a draft's notice is a preview."""
    return commission.state in (CommissionState.SENT, CommissionState.CLOSED)


register(NOTICE_DOCUMENT, model=Commission, build=build_notice, frozen=is_frozen)
