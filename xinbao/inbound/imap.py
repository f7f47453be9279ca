"""The office mailbox, read over IMAP (imapclient).

One poll: connect, select the folder, read UIDVALIDITY, fetch the messages whose UID is above
the last one read (``BODY.PEEK[]``: they stay unread for whoever reads the mailbox by hand),
disconnect; only then store them, each in its own transaction, so no network I/O happens while
a transaction is open and one bad message never stops the others. Where the poll stopped is a
``MailboxState`` row; a changed UIDVALIDITY starts the folder again from its first message
(the Message-IDs keep that from making anything twice).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from imapclient import IMAPClient  # type: ignore[import-untyped]  # (imapclient 4.1 ships no type hints)

from xinbao.inbound import services
from xinbao.inbound.mail import BrokenMessage, parse, source_id_of
from xinbao.inbound.models import MailboxState
from xinbao.items.models import Channel

log = logging.getLogger(__name__)

#: Messages fetched in one poll; the rest wait for the next (a minute later).
BATCH = 50
TIMEOUT = 30.0


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


def configured() -> Mailbox | None:
    """The mailbox of the settings, or None where none is configured."""
    if not settings.XINBAO_INBOUND_IMAP_HOST:
        return None
    return Mailbox(
        host=settings.XINBAO_INBOUND_IMAP_HOST,
        port=settings.XINBAO_INBOUND_IMAP_PORT,
        user=settings.XINBAO_INBOUND_IMAP_USER,
        password=settings.XINBAO_INBOUND_IMAP_PASSWORD,
        folder=settings.XINBAO_INBOUND_IMAP_FOLDER,
        ssl=settings.XINBAO_INBOUND_IMAP_SSL,
    )


def fetch_new(
    mailbox: Mailbox, *, uidvalidity: int | None, last_uid: int
) -> tuple[int, list[tuple[int, bytes]]]:
    """The folder's UIDVALIDITY and the (uid, bytes) of the messages after ``last_uid``
    (all of them when UIDVALIDITY changed), BATCH at most, oldest first."""
    context = ssl.create_default_context() if mailbox.ssl else None
    with IMAPClient(
        mailbox.host, port=mailbox.port, ssl=mailbox.ssl, ssl_context=context, timeout=TIMEOUT
    ) as client:
        client.login(mailbox.user, mailbox.password)
        info = client.select_folder(mailbox.folder, readonly=True)
        validity = int(info[b"UIDVALIDITY"])
        start = last_uid if validity == uidvalidity else 0
        # "n:*" always names the last message, even when its UID is below n: filter again.
        uids = sorted(u for u in client.search(["UID", f"{start + 1}:*"]) if u > start)[:BATCH]
        found: list[tuple[int, bytes]] = []
        if uids:
            fetched = client.fetch(uids, ["BODY.PEEK[]"])
            for uid in uids:
                data = fetched.get(uid, {})
                raw = data.get(b"BODY[]")
                if isinstance(raw, bytes):
                    found.append((uid, raw))
        client.logout()
    return validity, found


def store(raw: bytes) -> services.Received:
    """One message into the database: received, or recorded as failed with its error."""
    try:
        mail = parse(raw)
    except (BrokenMessage, ValueError, LookupError, IndexError) as exc:
        return services.record_failure(
            channel=Channel.EMAIL, source_id=source_id_of(raw), error=str(exc), raw=raw
        )
    return services.receive(
        channel=Channel.EMAIL,
        source_id=mail.source_id,
        sender=mail.sender,
        sender_name=mail.sender_name,
        subject=mail.subject,
        text=mail.text,
        received_at=mail.received_at,
        message_id=mail.message_id,
        references=mail.references,
        attachments=mail.attachments,
        raw=raw,
    )


def poll(mailbox: Mailbox) -> str:
    """Read what is new in the mailbox; a one-line summary for the scanner's log."""
    state, _ = MailboxState.objects.get_or_create(mailbox=mailbox.key)
    try:
        validity, found = fetch_new(mailbox, uidvalidity=state.uidvalidity, last_uid=state.last_uid)
    except (OSError, IMAPClient.Error) as exc:
        MailboxState.objects.filter(pk=state.pk).update(
            polled_at=timezone.now(), last_error=str(exc)[:2000]
        )
        raise
    if validity != state.uidvalidity:
        state.last_uid = 0
    made = failed = 0
    for uid, raw in found:
        try:
            with transaction.atomic():
                received = store(raw)
        except Exception as exc:
            log.exception("inbound mail uid %s could not be stored", uid)
            received = services.record_failure(
                channel=Channel.EMAIL,
                source_id=source_id_of(raw),
                error=f"{exc.__class__.__name__}: {exc}",
                raw=raw,
            )
        made += received.created
        failed += received.message.state == "failed"
        state.last_uid = max(state.last_uid, uid)
    MailboxState.objects.filter(pk=state.pk).update(
        uidvalidity=validity, last_uid=state.last_uid, polled_at=timezone.now(), last_error=""
    )
    return f"{len(found)} messages read, {made} new, {failed} unreadable"
