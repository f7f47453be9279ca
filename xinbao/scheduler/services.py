"""The scanner: claim due chores with a conditional UPDATE and run them."""

from __future__ import annotations

import logging
import traceback

from django.db import transaction
from django.utils import timezone

from xinbao.scheduler.models import Chore
from xinbao.scheduler.registry import chores

log = logging.getLogger(__name__)


def sync_chores() -> None:
    """Make sure every registered chore has a row (new ones are due at once)."""
    now = timezone.now()
    for spec in chores().values():
        Chore.objects.get_or_create(
            name=spec.name, defaults={"interval": spec.interval, "due_at": now}
        )


def claim(chore: Chore) -> bool:
    """Move the chore's due time forward only if nobody else did first."""
    now = timezone.now()
    won = Chore.objects.filter(pk=chore.pk, due_at=chore.due_at).update(
        due_at=now + chore.interval, last_started_at=now, runs=chore.runs + 1
    )
    return won == 1


def run_due() -> list[str]:
    """Run every chore that is due; return what each said."""
    sync_chores()
    specs = chores()
    said: list[str] = []
    for chore in Chore.objects.filter(due_at__lte=timezone.now()):
        spec = specs.get(chore.name)
        if spec is None or not claim(chore):
            continue
        try:
            with transaction.atomic():
                summary = spec.run()
            error = ""
        except Exception:
            log.exception("chore %s failed", chore.name)
            summary = "failed"
            error = traceback.format_exc()[-4000:]
        Chore.objects.filter(pk=chore.pk).update(last_finished_at=timezone.now(), last_error=error)
        said.append(f"{chore.name}: {summary}")
    return said
