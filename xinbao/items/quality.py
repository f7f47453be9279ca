"""The quality check an item gets before it is submitted: advice with reasons, never a block.

A check is a function that reads a :class:`Draft` (what the writer has typed so far, or a saved
item) and returns the :class:`Advice` it has, each with a reason the writer can act on. Checks
live in a registry so that other parts of the office add their own::

    from xinbao.items.quality import Advice, Draft, register_check

    @register_check
    def similar_items(draft: Draft) -> list[Advice]:
        ...

``run_checks(draft)`` runs every registered check in the order they were registered; a check that
fails with an exception is skipped (logged), so one broken check never stops a submission. The
reporter sees the advice on the item form, and again on submit with "submit anyway"; the desk sees
the same marks on the item it receives (``check_item``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from xinbao.accounts.models import User
    from xinbao.items.models import Item
    from xinbao.org.models import Unit

log = logging.getLogger(__name__)

Severity = Literal["warning", "info"]


@dataclass(frozen=True)
class Draft:
    """What a check reads: the fields of an item as typed (or as saved)."""

    title: str
    body: str
    kind: str
    urgency: str
    place: str = ""
    event_at: datetime | None = None
    unit: Unit | None = None
    #: The saved item when one exists (editing, or the desk reading a received item).
    item: Item | None = None
    #: Who is asking: the writer on the form, an editor on the desk.
    user: User | None = None
    #: When the text was written, for reading "昨日", "今晨" (defaults to now).
    written_at: datetime | None = None

    @classmethod
    def from_item(cls, item: Item, *, user: User | None = None) -> Draft:
        return cls(
            title=item.title,
            body=item.body,
            kind=item.kind,
            urgency=item.urgency,
            place=item.place,
            event_at=item.event_at,
            unit=item.unit,
            item=item,
            user=user,
            written_at=item.submitted_at or item.created_at,
        )


@dataclass(frozen=True)
class Advice:
    """One piece of advice: what to look at and why.

    ``code`` is a stable name ("missing_elements", "vague"), ``message`` says what is advised and
    ``reason`` why; both are already translated. ``severity`` is "warning" where the item will
    likely be returned without the change, "info" for a suggestion.
    """

    code: str
    message: str
    reason: str
    severity: Severity = "warning"


Check = Callable[[Draft], Iterable[Advice]]

_CHECKS: list[Check] = []


def register_check(fn: Check) -> Check:
    """Add a check to the registry (usable as a decorator); registering twice adds it once."""
    if fn not in _CHECKS:
        _CHECKS.append(fn)
    return fn


def unregister_check(fn: Check) -> None:
    """Take a check out of the registry (tests that register a check of their own)."""
    if fn in _CHECKS:
        _CHECKS.remove(fn)


def registered_checks() -> tuple[Check, ...]:
    return tuple(_CHECKS)


def run_checks(draft: Draft) -> list[Advice]:
    """The advice of every registered check, warnings first, in registration order."""
    advice: list[Advice] = []
    for check in _CHECKS:
        try:
            advice.extend(check(draft))
        except Exception:  # one broken check must never stop a writer from submitting
            log.exception("quality check %s failed", getattr(check, "__name__", check))
    return sorted(advice, key=lambda a: a.severity != "warning")


def check_item(item: Item, *, user: User | None = None) -> list[Advice]:
    """The advice for a saved item, as the desk sees it."""
    return run_checks(Draft.from_item(item, user=user))
