"""Ladders: which channels to use, in which order, escalating while nobody has read it.

Urgent: SMS, WeCom and in-app at once; a phone call by the duty officer if still unread
after ``urgent_call_after_minutes``. Normal: in-app at once and the daily email digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinbao.notify.conf import conf
from xinbao.notify.models import Channel, Dispatch, Preference
from xinbao.notify.services import Recipient, new_ack_token, queue


@dataclass(frozen=True)
class Step:
    after_minutes: int | str
    """Minutes after the first step; a string names a configuration key."""
    channels: tuple[str, ...]


LADDERS: dict[str, tuple[Step, ...]] = {
    "urgent": (
        Step(0, (Channel.SMS, Channel.WECOM_APP, Channel.IN_APP)),
        Step("urgent_call_after_minutes", (Channel.PHONE_CALL,)),
    ),
    "normal": (Step(0, (Channel.IN_APP,)),),
}


def _minutes(step: Step) -> int:
    value = step.after_minutes
    return int(conf()[value]) if isinstance(value, str) else value


def _reachable(to: Recipient, channel: str, ladder: str) -> bool:
    person, user = to.person, to.user
    phone = (person.phone if person else "") or (user.phone if user else "")
    if channel == Channel.IN_APP:
        return user is not None
    if channel == Channel.SMS:
        return bool(phone)
    if channel == Channel.PHONE_CALL:
        return bool(phone or (person.office_phone if person else ""))
    if channel == Channel.WECOM_APP:
        if not (person and person.wecom_userid and conf()["wecom_app"]["corp_id"]):
            return False
        pref = Preference.objects.filter(user=user).first() if user else None
        return ladder == "urgent" or pref is None or pref.wecom
    if channel == Channel.EMAIL:
        return bool(person and person.email)
    return False


def _run_step(dispatch: Dispatch, to: Recipient, step: Step, link: str) -> int:
    context = {**dispatch.context, "ack_url": ack_url(dispatch)}
    queued = 0
    for channel in step.channels:
        if not _reachable(to, channel, dispatch.ladder):
            continue
        queue(
            channel=channel,
            to=to,
            event=dispatch.event,
            context=context,
            link=link,
            dispatch=dispatch,
            dedupe_key=f"dispatch:{dispatch.pk}:{dispatch.step}:{channel}",
        )
        queued += 1
    return queued


def ack_url(dispatch: Dispatch) -> str:
    return f"{conf()['site_url'].rstrip('/')}/notify/ack/{dispatch.ack_token}/"


@transaction.atomic
def notify(
    *,
    to: Sequence[Recipient],
    event: str,
    context: dict[str, Any],
    ladder: str = "normal",
    link: str = "",
    key: str = "",
) -> list[Dispatch]:
    """Tell each recipient about an event on a ladder; part of the caller's transaction.

    ``key`` makes the call idempotent per recipient: calling again with the same key
    queues nothing new.
    """
    steps = LADDERS[ladder]
    dispatches = []
    for recipient in to:
        if key:
            found = Dispatch.objects.filter(
                event=event,
                context__key=key,
                recipient_name=recipient.name,
                person=recipient.person,
                user=recipient.user,
            ).first()
            if found is not None:
                dispatches.append(found)
                continue
        later = steps[1:]
        dispatch = Dispatch.objects.create(
            ladder=ladder,
            event=event,
            recipient_name=recipient.name[:100],
            person=recipient.person,
            user=recipient.user,
            context={**context, "key": key, "link": link},
            ack_token=new_ack_token(),
            next_step_at=(timezone.now() + dt.timedelta(minutes=_minutes(later[0])))
            if later
            else None,
        )
        if recipient.endpoint is not None:
            channel = recipient.endpoint.channel
            queue(
                channel=channel,
                to=recipient,
                event=event,
                context=context,
                link=link,
                dispatch=dispatch,
                dedupe_key=f"dispatch:{dispatch.pk}:0:{channel}",
            )
        else:
            _run_step(dispatch, recipient, steps[0], link)
        dispatches.append(dispatch)
    return dispatches


def escalation_due(limit: int = 500) -> list[int]:
    """The unread dispatches whose next step's time has come (the scanner's chore lists them)."""
    due = Dispatch.objects.filter(read_at__isnull=True, next_step_at__lte=timezone.now())
    return list(due.order_by("next_step_at", "pk").values_list("pk", flat=True)[:limit])


def escalate(pk: int) -> bool:
    """Run the next step of one dispatch whose time has come; False when there was nothing to
    do (read, moved on by another scanner, or at the top of its ladder)."""
    dispatch = (
        Dispatch.objects.filter(pk=pk, read_at__isnull=True, next_step_at__lte=timezone.now())
        .select_related("person", "user")
        .first()
    )
    if dispatch is None:
        return False
    steps = LADDERS[dispatch.ladder]
    index = dispatch.step + 1
    if index >= len(steps):
        Dispatch.objects.filter(pk=dispatch.pk).update(next_step_at=None)
        return False
    after = steps[index + 1] if index + 1 < len(steps) else None
    next_at = (dispatch.created_at + dt.timedelta(minutes=_minutes(after))) if after else None
    with transaction.atomic():
        # Claim the step: only one scanner moves a dispatch from step n to n + 1.
        if not Dispatch.objects.filter(
            pk=dispatch.pk, step=dispatch.step, read_at__isnull=True
        ).update(step=index, next_step_at=next_at):
            return False
        dispatch.step = index
        to = Recipient(name=dispatch.recipient_name, person=dispatch.person, user=dispatch.user)
        _run_step(dispatch, to, steps[index], str(dispatch.context.get("link", "")))
    return True


def escalate_due() -> int:
    """Run the next step of every unread dispatch whose time has come; how many moved on."""
    return sum(escalate(pk) for pk in escalation_due())
