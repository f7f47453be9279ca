"""Each signed audit checkpoint goes to the audit administrators.

The audit log sits below the notifications and calls the listeners registered with
``xinbao.audit.checkpoints.on_checkpoint``; this is the one that tells its administrators: under
the bell, and by email with the signed checkpoint in the text, so that a copy is kept outside
the system's database and folders.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from xinbao.accounts.models import Role
from xinbao.audit.checkpoints import Checkpoint, on_checkpoint
from xinbao.notify.addressing import resolve
from xinbao.notify.models import Channel
from xinbao.notify.services import queue


@on_checkpoint
def send_to_audit_administrators(checkpoint: Checkpoint, path: Path) -> None:
    context = {
        "seq": checkpoint.seq,
        "last_hash": checkpoint.last_hash,
        "at": timezone.localtime(checkpoint.at).strftime("%Y-%m-%d %H:%M"),
        "file": path.name,
        "checkpoint": checkpoint.to_json(),
    }
    stamp = checkpoint.at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    with transaction.atomic():
        for recipient in resolve(roles=[Role.AUDIT_ADMIN]):
            person, user = recipient.person, recipient.user
            channels = [Channel.IN_APP]
            if (person is not None and person.email) or (user is not None and user.email):
                channels.append(Channel.EMAIL)
            for channel in channels:
                queue(
                    channel=channel,
                    to=recipient,
                    event="audit_checkpoint",
                    context=context,
                    dedupe_key=f"audit_checkpoint:{stamp}:{channel}:{user.pk if user else ''}",
                )
