"""The base of the collection tests: personas, a fast politeness limit and short timeouts."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from xinbao.monitor import services
from xinbao.monitor.models import Source, SourceKind
from xinbao.test import BaseTestCase

FAST: dict[str, Any] = {
    "host_gap_seconds": 0,
    "connect_timeout": 2.0,
    "read_timeout": 1.0,
    "max_bytes": 200_000,
    # The tests' sites are on loopback, which the monitor refuses unless allowed.
    "allowed_networks": ["127.0.0.0/8", "::1/128"],
}


@override_settings(XINBAO_MONITOR=FAST)
class MonitorCase(BaseTestCase):
    def add_source(self, url: str, *, kind: str = SourceKind.FEED, name: str = "") -> Source:
        return services.create_source(
            user=self.ed,
            data=services.SourceData(
                name=name or url.rsplit("/", 1)[-1], kind=kind, url=url, interval_minutes=30
            ),
        )
