"""Retrying a failed delivery from its page."""

from __future__ import annotations

from django.urls import reverse

from xinbao.audit.models import AuditEvent
from xinbao.notify.models import MessageState
from xinbao.notify.tests.cases import PagesCase


class RetryTest(PagesCase):
    def test_it_queues_a_failed_message_again_with_an_audit_event(self) -> None:
        message = self.message(state=MessageState.FAILED, error="号码无效")
        self.login(self.sysadmin)
        page = self.client.get(reverse("notify:delivery_detail", args=[message.pk]))
        assert "Retry now" in page.content.decode()
        response = self.client.post(reverse("notify:delivery_retry", args=[message.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("notify:delivery_detail", args=[message.pk])
        message.refresh_from_db()
        assert message.state == MessageState.QUEUED
        event = AuditEvent.objects.get(action="message.retry")
        assert event.actor == self.sysadmin and event.object_id == str(message.pk)

    def test_it_leaves_a_message_that_did_not_fail_alone(self) -> None:
        message = self.message(state=MessageState.SENT)
        self.login(self.sysadmin)
        self.client.post(reverse("notify:delivery_retry", args=[message.pk]))
        message.refresh_from_db()
        assert message.state == MessageState.SENT
        assert not AuditEvent.objects.filter(action="message.retry").exists()

    def test_it_refuses_get(self) -> None:
        message = self.message(state=MessageState.FAILED)
        self.login(self.sysadmin)
        assert (
            self.client.get(reverse("notify:delivery_retry", args=[message.pk])).status_code == 405
        )
