"""The audit chain is verified daily; a break is itself recorded and logged loudly."""

from __future__ import annotations

import datetime as dt
import logging

from xinbao.audit.services import record, verify
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


register("audit.verify", dt.timedelta(hours=24), run=verify_chain)
