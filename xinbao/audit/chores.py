"""The audit chain is verified and checkpointed daily; a break is itself recorded and logged.

Neither chore runs in one transaction: ``verify`` reads one snapshot of its own (which on SQLite
must not hold the write lock for the whole walk), and a checkpoint is a file.
"""

from __future__ import annotations

import datetime as dt
import logging

from xinbao.audit.services import record, verify, write_checkpoint
from xinbao.lib.chores import register

log = logging.getLogger(__name__)


def verify_chain() -> str:
    problems = verify()
    if problems:
        for p in problems:
            log.error("audit chain broken at %s: %s", p.event_id, p.reason)
        record(
            actor=None,
            actor_name="system",
            action="audit_chain_broken",
            summary={"problems": [{"event": p.event_id, "reason": p.reason} for p in problems]},
        )
        return f"{len(problems)} problems found"
    return "chain intact"


def checkpoint_chain() -> str:
    checkpoint, path = write_checkpoint()
    return f"checkpoint at event {checkpoint.seq} written to {path}"


register("audit.verify", dt.timedelta(hours=24), run=verify_chain, atomic=False)
register("audit.checkpoint", dt.timedelta(hours=24), run=checkpoint_chain, atomic=False)
