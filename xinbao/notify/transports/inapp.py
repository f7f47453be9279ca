"""In-app: the message becomes a notification under the bell."""

from __future__ import annotations

from collections.abc import Sequence

from xinbao.notify.models import Channel, Message, Notification
from xinbao.notify.transports.base import Sent, Transport, TransportError


class InAppTransport(Transport):
    channel = Channel.IN_APP

    def address_of(self, message: Message) -> str:
        if message.user_id is None and message.person is not None:
            message.user_id = message.person.user_id
        return f"user:{message.user_id}" if message.user_id else ""

    def send(self, message: Message) -> Sent:
        if message.user_id is None:
            raise TransportError("the recipient has no login account", permanent=True)
        notification, _ = Notification.objects.get_or_create(
            message=message,
            defaults={
                "user_id": message.user_id,
                "title": message.subject,
                "body": message.body,
                "link": message.link,
            },
        )
        return Sent(provider_id=str(notification.pk))

    def send_many(self, messages: Sequence[Message]) -> list[Sent | TransportError]:
        """``send`` for many messages with two queries: each its notification, made once."""
        made = dict(
            Notification.objects.filter(message__in=messages).values_list("message_id", "pk")
        )
        results: dict[int, Sent | TransportError] = {}
        new: list[Notification] = []
        for message in messages:
            message.address = self.address_of(message)
            if message.user_id is None:
                results[message.pk] = TransportError(
                    "the recipient has no address for this channel (no login account)",
                    permanent=True,
                )
            elif message.pk in made:
                results[message.pk] = Sent(provider_id=str(made[message.pk]))
            else:
                new.append(
                    Notification(
                        message=message,
                        user_id=message.user_id,
                        title=message.subject,
                        body=message.body,
                        link=message.link,
                    )
                )
        for notification in Notification.objects.bulk_create(new):
            results[notification.message_id] = Sent(provider_id=str(notification.pk))
        return [results[m.pk] for m in messages]
