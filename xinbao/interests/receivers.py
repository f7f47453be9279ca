"""A leader is told when a unit answers the commission their request became."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from xinbao.interests.models import InfoRequest
from xinbao.items.access import visible_items
from xinbao.notify import Recipient, notify
from xinbao.research.models import Answer, Assignment
from xinbao.research.signals import answered


@receiver(answered, sender=Assignment, dispatch_uid="interests.tell_the_leader")
def tell_the_leader(sender: type, *, assignment: Assignment, answer: Answer, **_kw: Any) -> None:
    request = (
        InfoRequest.objects.filter(commission_id=assignment.commission_id)
        .select_related("leader")
        .first()
    )
    if request is None:
        return
    leader = request.leader
    # The title only where the leader may read the item (its label within their clearance).
    readable = visible_items(leader).filter(pk=answer.item_id).exists()
    with translation.override(settings.LANGUAGE_CODE):
        title = answer.item.title if readable else _("an item above your clearance")
        late = _(" (after the due day)") if answer.late else ""
    notify(
        to=[Recipient.of_user(leader)],
        event="interest_request_answered",
        link=f"/interests/requests/{request.pk}/",
        context={
            "subject": request.subject,
            "unit": assignment.unit.short_name or assignment.unit.name,
            "title": title,
            "late": late,
        },
        key=f"interest-request-answered-{answer.pk}",
    )
