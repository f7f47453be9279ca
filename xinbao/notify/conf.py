"""Channel configuration, from the environment (documented in docs/integrations.md).

Tests override ``settings.XINBAO_NOTIFY`` to point every channel at loopback peers.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def defaults() -> dict[str, Any]:
    return {
        "site_url": _env("XINBAO_SITE_URL", "http://127.0.0.1:8000"),
        # Retries of a transient failure, and the waits between them (seconds).
        "backoff": [30, 120, 600, 1800, 3600, 3 * 3600],
        "lease_seconds": int(_env("XINBAO_NOTIFY_LEASE_SECONDS", "120")),
        "batch": 50,
        # The urgent ladder calls the recipient if nothing was read after this long.
        "urgent_call_after_minutes": int(_env("XINBAO_URGENT_CALL_AFTER_MINUTES", "15")),
        # The normal ladder's email digest of unread notifications, at this local hour.
        "digest_hour": int(_env("XINBAO_DIGEST_HOUR", "18")),
        "http_timeout": float(_env("XINBAO_NOTIFY_HTTP_TIMEOUT", "10")),
        "email": {
            "host": _env("XINBAO_SMTP_HOST"),
            "port": int(_env("XINBAO_SMTP_PORT", "25")),
            "user": _env("XINBAO_SMTP_USER"),
            "password": _env("XINBAO_SMTP_PASSWORD"),
            "security": _env("XINBAO_SMTP_SECURITY", "none"),  # none | starttls | ssl
            "from": _env("XINBAO_SMTP_FROM", "xinbao@localhost"),
            # Seconds to wait for the SMTP server; a slow one is retried later.
            "timeout": float(_env("XINBAO_SMTP_TIMEOUT", "30")),
        },
        "sms": {
            "provider": _env("XINBAO_SMS_PROVIDER"),  # "" | generic | aliyun
            # The gateway's address; for aliyun, empty means https://dysmsapi.aliyuncs.com/.
            "url": _env("XINBAO_SMS_URL"),
            "token": _env("XINBAO_SMS_TOKEN"),
            "access_key_id": _env("XINBAO_SMS_ACCESS_KEY_ID"),
            "access_key_secret": _env("XINBAO_SMS_ACCESS_KEY_SECRET"),
            "sign_name": _env("XINBAO_SMS_SIGN_NAME"),
            "template_code": _env("XINBAO_SMS_TEMPLATE_CODE"),
            # The template's variable that receives the text: ${content} in the template.
            "template_param": _env("XINBAO_SMS_TEMPLATE_PARAM", "content"),
            "callback_secret": _env("XINBAO_SMS_CALLBACK_SECRET"),
        },
        "wecom_app": {
            "api_base": _env("XINBAO_WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
            "corp_id": _env("XINBAO_WECOM_CORP_ID"),
            "corp_secret": _env("XINBAO_WECOM_CORP_SECRET"),
            "agent_id": _env("XINBAO_WECOM_AGENT_ID"),
        },
        "fax": {
            # The email-to-fax gateway's address pattern; {number} is the fax number.
            "address_pattern": _env("XINBAO_FAX_ADDRESS_PATTERN"),
        },
    }


def conf() -> dict[str, Any]:
    """The effective configuration: defaults updated by ``settings.XINBAO_NOTIFY``."""
    merged = defaults()
    for key, value in getattr(settings, "XINBAO_NOTIFY", {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
