"""The incident pages' tests share this: the personas, an incident opened from a call, demands
to units, the intake form's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from xinbao.accounts.models import User
from xinbao.incidents import services
from xinbao.incidents.models import (
    Incident,
    ReportRequest,
)
from xinbao.lib.levels import Category
from xinbao.test import BaseTestCase

#: A Saturday morning in Shanghai, inside the working calendar chinese-calendar knows.
T0 = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)

WHAT = "11月28日8时40分，东城县化工园区一企业发生爆炸，造成5人死亡、12人受伤，县应急局已组织救援。"


def intake_data(**changes: Any) -> dict[str, Any]:
    data = {
        "received_at": "2026-11-28T09:05",
        "source": "东城县应急局",
        "occurred_at": "2026-11-28T08:40",
        "place": "东城县化工园区",
        "what": WHAT,
        "casualties": "5人死亡、12人受伤",
        "measures": "县应急局已组织救援，疏散周边群众。",
        "caller_name": "赵小红",
        "caller_phone": "13900000001",
        "title": "东城县化工园区爆炸事故",
        "category": Category.ACCIDENT,
        "crowd": "",
        "level": "",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class IncidentCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open_incident(
        self, *, level: int | None = None, title: str = "东城县化工园区爆炸事故"
    ) -> Incident:
        return services.record_lead(
            user=self.duty,
            lead=services.LeadData(
                received_at=timezone.now(),
                source="东城县应急局",
                place="东城县化工园区",
                what=WHAT,
                caller_name="赵小红",
                caller_phone="13900000001",
                casualties="5人死亡",
            ),
            title=title,
            category=Category.ACCIDENT,
            level=level,
            units=[self.county_a],
        )

    def demand(self, incident: Incident, *units: Any) -> list[ReportRequest]:
        return services.demand_reports(
            user=self.duty, incident=incident, units=units or [self.county_a]
        )

    def page(self, user: User, url: str) -> str:
        self.client.force_login(user)
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode()
