"""The notify pages' tests share this: the personas and messages in the outbox."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.notify.models import Channel, Message, MessageState
from xinbao.notify.services import Recipient, queue
from xinbao.org.models import Person
from xinbao.test import BaseTestCase


class PagesCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def person(self, name: str = "王建国") -> Person:
        return Person.objects.get(name=name)

    def message(
        self,
        *,
        channel: str = Channel.SMS,
        state: str = MessageState.QUEUED,
        to: Person | None = None,
        event: str = "item_received",
        title: str = "东城县召开防汛工作会议",
        error: str = "",
    ) -> Message:
        """A message in the outbox; its state set directly, as a test of pages needs it."""
        message = queue(
            channel=channel,
            to=Recipient.of_person(to or self.person()),
            event=event,
            context={"title": title, "unit": "东城县委办公室", "matter": title, "deadline": "18时"},
        )
        Message.objects.filter(pk=message.pk).update(state=state, last_error=error)
        message.refresh_from_db()
        return message

    def login(self, user: User) -> None:
        self.client.force_login(user)
