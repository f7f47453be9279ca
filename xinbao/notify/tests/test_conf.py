"""The channels' configuration: the settings' values, with XINBAO_NOTIFY merged over them."""

from __future__ import annotations

from django.test import SimpleTestCase, override_settings

from xinbao.notify.conf import conf


class ConfTest(SimpleTestCase):
    @override_settings(XINBAO_SMTP_HOST="mail.example.gov.cn", XINBAO_SMTP_PORT=587)
    def test_it_takes_each_channel_from_the_settings_of_the_same_name(self) -> None:
        email = conf()["email"]
        assert (email["host"], email["port"], email["from"]) == (
            "mail.example.gov.cn",
            587,
            "xinbao@localhost",
        )

    @override_settings(
        XINBAO_SMTP_HOST="mail.example.gov.cn",
        XINBAO_NOTIFY={"email": {"port": 2525}, "digest_hour": 7},
    )
    def test_it_merges_an_override_over_the_settings_channel_by_channel(self) -> None:
        merged = conf()
        assert (merged["email"]["host"], merged["email"]["port"]) == ("mail.example.gov.cn", 2525)
        assert merged["digest_hour"] == 7
        assert merged["sms"]["template_param"] == "content"
