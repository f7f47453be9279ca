"""Scoring documents to people who may have no login: signed links and the roster's channels.

A unit head is usually in the roster only (a phone, an email, the unit's fax), without an
account. The 积分通报 and the 提醒信 reach them as the roster allows: an SMS with a link,
an email with the PDF attached, a fax of the PDF (letters only), and in-app where they
have a login. The link is a signed, expiring token (``django.core.signing``) that opens
this one PDF and nothing else; every opening is audited (``services.record_document_opened``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.urls import reverse

from xinbao.notify import Channel, Recipient, notify, queue

SALT = "xinbao.scoring.document"


class DocumentKind:
    REPORT = "report"
    LETTER = "letter"


@dataclass(frozen=True)
class SharedDocument:
    """What a token grants: one document (``kind``, ``pk``) for one person of the roster."""

    kind: str
    pk: int
    person_id: int | None


def link_days() -> int:
    from xinbao.scoring.reports import scoring_conf

    return int(scoring_conf()["link_days"])


def document_token(*, kind: str, pk: int, person_id: int | None) -> str:
    return signing.dumps({"k": kind, "id": pk, "p": person_id}, salt=SALT, compress=True)


def document_path(*, kind: str, pk: int, person_id: int | None) -> str:
    """The site path of the signed link (the SMS transport makes it absolute)."""
    token = document_token(kind=kind, pk=pk, person_id=person_id)
    return reverse("scoring:shared_document", args=[token])


def read_token(token: str) -> SharedDocument:
    """The document a token grants. Raises ``signing.SignatureExpired`` after ``link_days``
    and ``signing.BadSignature`` for anything not signed here."""
    data: Any = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=link_days()))
    if not isinstance(data, dict) or data.get("k") not in (
        DocumentKind.REPORT,
        DocumentKind.LETTER,
    ):
        raise signing.BadSignature("not a scoring document token")
    person = data.get("p")
    return SharedDocument(
        kind=str(data["k"]), pk=int(data["id"]), person_id=int(person) if person else None
    )


def _mobile(to: Recipient) -> str:
    return (to.person.phone if to.person else "") or (to.user.phone if to.user else "")


def _email(to: Recipient) -> str:
    return (to.person.email if to.person else "") or (to.user.email if to.user else "")


def _fax(to: Recipient) -> str:
    """As the fax transport chooses: the unit's fax, else the person's office phone."""
    person = to.person
    unit = person.unit if person is not None else (to.user.unit if to.user else None)
    for number in (unit.fax if unit else "", person.office_phone if person else ""):
        if re.sub(r"\D", "", number):
            return number
    return ""


def channels_of(to: Recipient, *, fax: bool) -> list[str]:
    """The roster's channels for this recipient, beside in-app (which the ladder decides)."""
    channels: list[str] = []
    if _mobile(to):
        channels.append(Channel.SMS)
    if _email(to):
        channels.append(Channel.EMAIL)
    if fax and _fax(to):
        channels.append(Channel.FAX)
    return channels


def send_document(
    *,
    to: Sequence[Recipient],
    event: str,
    context: dict[str, Any],
    kind: str,
    pk: int,
    pdf: str,
    key: str,
    fax: bool = False,
) -> dict[str, int]:
    """Tell each recipient about a document, inside the caller's transaction.

    In-app on the normal ladder for those with a login; then an SMS with the signed link,
    an email with the PDF attached and the link, and with ``fax`` a fax of the PDF (once
    per fax number). Idempotent per ``key``; returns the messages queued per channel.
    """
    counts: dict[str, int] = {}
    faxed: set[str] = set()
    for recipient in to:
        person_id = recipient.person.pk if recipient.person else None
        who = f"p{person_id}" if person_id else f"u{recipient.user.pk if recipient.user else 0}"
        # The signed link in-app too: a head with a login may still not see the office's
        # score pages, and the link opens this document for them alone.
        link = document_path(kind=kind, pk=pk, person_id=person_id)
        [dispatch] = notify(to=[recipient], event=event, context=context, link=link, key=key)
        if recipient.user is not None:
            counts[Channel.IN_APP] = counts.get(Channel.IN_APP, 0) + 1
        for channel in channels_of(recipient, fax=fax):
            if channel == Channel.FAX:
                # The head and the deputy share the unit's fax machine: one copy is enough.
                number = re.sub(r"\D", "", _fax(recipient))
                if number in faxed:
                    continue
                faxed.add(number)
            queue(
                channel=channel,
                to=recipient,
                event=event,
                context=context,
                link=link,
                document="" if channel == Channel.SMS else pdf,
                dispatch=dispatch,
                dedupe_key=f"{key}:{channel}:{who}",
            )
            counts[channel] = counts.get(channel, 0) + 1
    return counts
