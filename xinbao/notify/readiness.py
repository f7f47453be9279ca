"""First-run check of notifications: a channel that reaches people at night."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from xinbao.lib.readiness import Step, register
from xinbao.notify.conf import conf


def urgent_channel_configured() -> bool:
    """An SMS gateway or the WeCom application: how urgent messages reach people at night."""
    settings = conf()
    return bool(settings["sms"]["provider"]) or bool(settings["wecom_app"]["corp_id"])


@register(order=40)
def urgent_channel(today: dt.date | None) -> Iterator[Step]:
    if not urgent_channel_configured():
        yield Step(
            "urgent_channel",
            _(
                "No channel for urgent messages: configure the SMS gateway "
                "(XINBAO_SMS_PROVIDER) or WeCom (XINBAO_WECOM_CORP_ID) on the server, "
                "as docs/integrations.md describes."
            ),
            reverse("notify:deliveries"),
            _("See deliveries"),
        )
