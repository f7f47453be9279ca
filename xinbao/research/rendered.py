"""The commission notice in the document cache: rendered by the worker once sent, then mailed
to the units' reporters with the PDF attached."""

from __future__ import annotations

from xinbao.documents.models import Format, RenderedDocument
from xinbao.documents.registry import register
from xinbao.research.models import Commission, CommissionState
from xinbao.research.notice import build_notice
from xinbao.research.services import NOTICE_DOCUMENT, mail_notice


def is_frozen(commission: Commission) -> bool:
    """Sent (or closed since): numbered, its units fixed; a draft's notice is a preview."""
    return commission.state in (CommissionState.SENT, CommissionState.CLOSED)


def mail_with_the_pdf(commission: Commission, row: RenderedDocument) -> None:
    if row.format == Format.PDF and commission.state == CommissionState.SENT:
        mail_notice(commission=commission, document=row.file.name)


def mail_without_it(commission: Commission, row: RenderedDocument) -> None:
    """A notice the worker could not render still reaches the units, with its link."""
    if row.format == Format.PDF and commission.state == CommissionState.SENT:
        mail_notice(commission=commission)


register(
    NOTICE_DOCUMENT,
    model=Commission,
    build=build_notice,
    frozen=is_frozen,
    on_ready=mail_with_the_pdf,
    on_failed=mail_without_it,
)
