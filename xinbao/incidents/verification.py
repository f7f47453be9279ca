"""Verification (核查): reports on one incident that disagree seriously open a check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinbao.accounts.models import User
from xinbao.audit.services import record
from xinbao.incidents.conf import urgent_conf
from xinbao.incidents.models import (
    Incident,
    RecordKind,
    Report,
    Verification,
    VerificationOutcome,
)

#: Fact → its name in a discrepancy, and the settings key of its threshold.
COUNTED = {
    "deaths": "verify_deaths",
    "injuries": "verify_injuries",
    "missing": "verify_missing",
    # People trapped or taken ill are counted one by one, as the missing are.
    "trapped": "verify_missing",
    "poisoned": "verify_missing",
}
#: Large, rounded counts ("转移群众2300余人") compared as the loss is, by their ratio.
RATIOED = ("evacuated", "affected")
LABELS = {
    "deaths": "死亡",
    "injuries": "受伤",
    "missing": "失踪",
    "trapped": "被困",
    "poisoned": "中毒或发病",
    "evacuated": "疏散转移",
    "relocated": "安置",
    "affected": "受灾",
    "loss_yuan": "直接经济损失",
    "time": "发生时间",
    "place": "地点",
}


def compare(mine: dict[str, Any], other: dict[str, Any]) -> list[dict[str, Any]]:
    """The facts on which two reports disagree beyond the thresholds."""
    conf = urgent_conf()
    found = []
    for fact, key in COUNTED.items():
        a, b = mine.get(fact), other.get(fact)
        if a is not None and b is not None and abs(a - b) >= conf[key]:
            found.append({"fact": fact, "unit_says": a, "other_says": b})
    ratio = Decimal(str(conf["verify_loss_ratio"]))
    for fact in RATIOED:
        a, b = mine.get(fact), other.get(fact)
        if a and b and Decimal(abs(a - b)) / max(a, b) >= ratio:
            found.append({"fact": fact, "unit_says": a, "other_says": b})
    a_loss, b_loss = mine.get("loss_yuan"), other.get("loss_yuan")
    if a_loss and b_loss:
        x, y = Decimal(a_loss), Decimal(b_loss)
        if abs(x - y) / max(x, y) >= Decimal(str(conf["verify_loss_ratio"])):
            found.append({"fact": "loss_yuan", "unit_says": a_loss, "other_says": b_loss})
    a_time, b_time = mine.get("time"), other.get("time")
    if a_time and b_time:
        gap = abs(dt.datetime.fromisoformat(a_time) - dt.datetime.fromisoformat(b_time))
        if gap >= dt.timedelta(hours=conf["verify_hours"]):
            found.append({"fact": "time", "unit_says": a_time, "other_says": b_time})
    # Reports filed before places were normalised carry only the place as worded.
    a_place = mine.get("place_normalised") or mine.get("place")
    b_place = other.get("place_normalised") or other.get("place")
    if a_place and b_place and a_place not in b_place and b_place not in a_place:
        found.append({"fact": "place", "unit_says": a_place, "other_says": b_place})
    return found


def check_disagreements(*, incident: Incident, report: Report) -> Verification | None:
    """Compare a new report with the latest report of every other unit or channel.

    The unit whose report disagrees with another source is the one checked: an open
    verification for it on this incident is extended, else a new one is opened.
    """
    others = (
        Report.objects.filter(incident=incident)
        .exclude(unit=report.unit)
        .select_related("unit", "item")
        .order_by("unit_id", "-received_at")
    )
    latest: dict[int, Report] = {}
    for other in others:
        latest.setdefault(other.unit_id, other)
    discrepancies = []
    for other in latest.values():
        for d in compare(report.facts, other.facts):
            discrepancies.append(
                {
                    **d,
                    "other_unit": other.unit.name,
                    "other_channel": other.item.get_channel_display(),
                    "label": LABELS[d["fact"]],
                }
            )
    if not discrepancies:
        return None
    verification = Verification.objects.filter(
        incident=incident, unit=report.unit, outcome=""
    ).first()
    if verification is None:
        verification = Verification.objects.create(
            incident=incident, unit=report.unit, discrepancies=discrepancies
        )
    else:
        verification.discrepancies = [*verification.discrepancies, *discrepancies]
        verification.save(update_fields=["discrepancies"])
    from xinbao.incidents.services import timeline

    facts = "、".join(sorted({d["label"] for d in discrepancies}))
    timeline(
        incident,
        "verification",
        _("Reports disagree on %(facts)s: verification of %(unit)s opened.")
        % {"facts": facts, "unit": report.unit},
        unit=report.unit,
    )
    record(
        actor=None,
        actor_name="system",
        action="incident.verification_open",
        obj=verification,
        summary={"unit": report.unit.name, "facts": facts},
    )
    return verification


@transaction.atomic
def close_verification(
    *, user: User, verification: Verification, outcome: str, findings: str
) -> Verification:
    """Record the on-site findings and the outcome; concealment becomes a record."""
    from xinbao.incidents.services import IncidentError, record_accountability, timeline

    verification = Verification.objects.select_for_update(no_key=True).get(pk=verification.pk)
    if verification.outcome:
        raise IncidentError(_("This verification is already closed."))
    if not findings.strip():
        raise IncidentError(_("Write down what was found on site."))
    verification.outcome = VerificationOutcome(outcome)
    verification.findings = findings.strip()
    verification.closed_at = timezone.now()
    verification.assigned_to = verification.assigned_to or user
    verification.save()
    incident = verification.incident
    timeline(
        incident,
        "verification_closed",
        _("Verification of %(unit)s: %(outcome)s.")
        % {"unit": verification.unit, "outcome": verification.get_outcome_display()},
        unit=verification.unit,
    )
    if outcome == VerificationOutcome.CONCEALED:
        record_accountability(
            unit=verification.unit,
            incident=incident,
            kind=RecordKind.CONCEALED,
            reason=findings.strip(),
            user=user,
        )
    record(
        actor=user,
        action="incident.verification_close",
        obj=verification,
        summary={"outcome": outcome},
    )
    return verification
