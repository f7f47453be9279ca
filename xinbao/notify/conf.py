"""The channels' configuration, read from settings (``xinbao/settings.py`` reads the environment;
the names are documented in ``.env.example`` and ``docs/integrations.md``).

Tests override ``settings.XINBAO_NOTIFY``, a dict merged over these values channel by channel,
to point every channel at loopback peers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def defaults() -> dict[str, Any]:
    """The configuration the settings give, before ``XINBAO_NOTIFY`` is merged over it."""
    s = settings
    return {
        "site_url": s.XINBAO_SITE_URL,
        # Retries of a transient failure, and the waits between them (seconds).
        "backoff": [30, 120, 600, 1800, 3600, 3 * 3600],
        "lease_seconds": s.XINBAO_NOTIFY_LEASE_SECONDS,
        # Messages claimed and recorded together: each batch is one transaction of records
        # (10,000 messages with 2 senders, bench/notify_outbox.py: 399–486 a second at 50,
        # 578–650 at 200 on SQLite). A sender that dies mid-batch leaves its messages to be
        # sent again when their lease ends, under the same ids for the gateway to drop.
        "batch": 200,
        # The urgent ladder calls the recipient if nothing was read after this long.
        "urgent_call_after_minutes": s.XINBAO_URGENT_CALL_AFTER_MINUTES,
        # The normal ladder's email digest of unread notifications, at this local hour.
        "digest_hour": s.XINBAO_DIGEST_HOUR,
        "http_timeout": s.XINBAO_NOTIFY_HTTP_TIMEOUT,
        "email": {
            "host": s.XINBAO_SMTP_HOST,
            "port": s.XINBAO_SMTP_PORT,
            "user": s.XINBAO_SMTP_USER,
            "password": s.XINBAO_SMTP_PASSWORD,
            "security": s.XINBAO_SMTP_SECURITY,  # none | starttls | ssl
            "from": s.XINBAO_SMTP_FROM,
            # Seconds to wait for the SMTP server; a slow one is retried later.
            "timeout": s.XINBAO_SMTP_TIMEOUT,
        },
        "sms": {
            "provider": s.XINBAO_SMS_PROVIDER,  # "" | generic | aliyun
            # The gateway's address; for aliyun, empty means https://dysmsapi.aliyuncs.com/.
            "url": s.XINBAO_SMS_URL,
            "token": s.XINBAO_SMS_TOKEN,
            "access_key_id": s.XINBAO_SMS_ACCESS_KEY_ID,
            "access_key_secret": s.XINBAO_SMS_ACCESS_KEY_SECRET,
            "sign_name": s.XINBAO_SMS_SIGN_NAME,
            "template_code": s.XINBAO_SMS_TEMPLATE_CODE,
            # The template's variable that receives the text: ${content} in the template.
            "template_param": s.XINBAO_SMS_TEMPLATE_PARAM,
            "callback_secret": s.XINBAO_SMS_CALLBACK_SECRET,
        },
        "wecom_app": {
            "api_base": s.XINBAO_WECOM_API_BASE,
            "corp_id": s.XINBAO_WECOM_CORP_ID,
            "corp_secret": s.XINBAO_WECOM_CORP_SECRET,
            "agent_id": s.XINBAO_WECOM_AGENT_ID,
        },
        "fax": {
            # The email-to-fax gateway's address pattern; {number} is the fax number.
            "address_pattern": s.XINBAO_FAX_ADDRESS_PATTERN,
        },
    }


def conf() -> dict[str, Any]:
    """The effective configuration: the settings' values updated by ``settings.XINBAO_NOTIFY``."""
    merged = defaults()
    for key, value in getattr(settings, "XINBAO_NOTIFY", {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
