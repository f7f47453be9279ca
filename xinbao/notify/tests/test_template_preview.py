"""The system administrator's preview of the message templates."""

from __future__ import annotations

import json

from django.urls import reverse

from xinbao.notify.tests.cases import PagesCase


class TemplatePreviewTest(PagesCase):
    def test_it_is_for_the_system_administrator_only(self) -> None:
        for user in (self.alice, self.ed, self.secadmin, self.auditor):
            self.login(user)
            assert self.client.get(reverse("notify:template_preview")).status_code == 403, user

    def test_it_lists_every_event_template_and_renders_its_sample(self) -> None:
        self.login(self.sysadmin)
        body = self.client.get(
            reverse("notify:template_preview") + "?event=urgent_demand"
        ).content.decode()
        for name in ("digest", "item_received", "test", "urgent_demand"):
            assert f"?event={name}" in body
        assert 'id="preview-subject"' in body
        assert "7月3日暴雨灾情及人员转移情况" in body

    def test_it_renders_the_context_typed_in(self) -> None:
        self.login(self.sysadmin)
        context = {"title": "西山县开展安全生产大检查", "unit": "西山县委办公室"}
        response = self.client.post(
            reverse("notify:template_preview"),
            {"event": "item_received", "context": json.dumps(context, ensure_ascii=False)},
        )
        body = response.content.decode()
        subject = body.split('id="preview-subject">', 1)[1].split("<", 1)[0]
        assert "西山县开展安全生产大检查" in subject
        text = body.split('id="preview-text">', 1)[1].split("</div>", 1)[0]
        assert "西山县委办公室" in text

    def test_it_keeps_bad_json_and_says_what_is_wrong(self) -> None:
        self.login(self.sysadmin)
        typed = '{"title": "西山县开展安全生产大检查", unit: }'
        response = self.client.post(
            reverse("notify:template_preview"), {"event": "item_received", "context": typed}
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "not valid JSON" in body
        assert "西山县开展安全生产大检查&quot;, unit: }" in body
        assert 'id="preview"' not in body

    def test_it_refuses_a_context_that_is_not_an_object(self) -> None:
        self.login(self.sysadmin)
        response = self.client.post(
            reverse("notify:template_preview"), {"event": "test", "context": "[1, 2]"}
        )
        assert "must be a JSON object" in response.content.decode()

    def test_it_refuses_an_event_that_is_not_a_template(self) -> None:
        self.login(self.sysadmin)
        response = self.client.post(
            reverse("notify:template_preview"), {"event": "../../base", "context": "{}"}
        )
        body = response.content.decode()
        assert 'id="preview"' not in body
        assert "is-invalid" in body

    def test_it_reads_a_date_for_the_digest(self) -> None:
        self.login(self.sysadmin)
        body = self.client.get(
            reverse("notify:template_preview") + "?event=digest"
        ).content.decode()
        assert "2026-07-03" in body.split('id="preview-subject">', 1)[1].split("<", 1)[0]
