"""Defaults of collection; each can be overridden in settings.XINBAO_MONITOR (tests, benches)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds to connect, and to wait for each read, before a poll fails.
    "connect_timeout": 10.0,
    "read_timeout": 20.0,
    # A response larger than this (bytes) is refused as "page too large".
    "max_bytes": 5 * 1024 * 1024,
    # Redirects followed in one poll; one more is an error.
    "max_redirects": 5,
    # No two requests to one host (and port) closer than this, across every source.
    "host_gap_seconds": 5.0,
    # A failing source waits its interval times 2^(failures-1), at most this many minutes.
    "backoff_cap_minutes": 24 * 60,
    # Sources polled per scan; the rest wait for the next one.
    "batch": 50,
    # Estimated Jaccard similarity from which another URL's text is a repost of a stored post
    # (a new headline and a changed figure on a short report still give about 0.78).
    "repost_threshold": 0.7,
    # Characters of text shown on either side of a hit.
    "context_chars": 30,
    "user_agent": "Xinbao-monitor/1.0",
}


def monitor_conf() -> dict[str, Any]:
    # Internal networks the office lets the monitor fetch (an intranet portal, say); every
    # other non-public address is refused (xinbao.monitor.fetch).
    allowed = {"allowed_networks": list(getattr(settings, "XINBAO_MONITOR_ALLOWED_NETWORKS", []))}
    return {**DEFAULTS, **allowed, **getattr(settings, "XINBAO_MONITOR", {})}
