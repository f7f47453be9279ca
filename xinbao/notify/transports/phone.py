"""A phone call: a task for the duty officer, whose recorded outcome is the attempt."""

from __future__ import annotations

from xinbao.notify.models import Channel, Message, PhoneCall
from xinbao.notify.transports.base import Sent, Transport, TransportError


class PhoneCallTransport(Transport):
    channel = Channel.PHONE_CALL

    def address_of(self, message: Message) -> str:
        person = message.person
        if person is not None:
            return person.phone or person.office_phone
        return message.user.phone if message.user is not None else ""

    def send(self, message: Message) -> Sent:
        if not message.address:
            raise TransportError("no phone number for the recipient", permanent=True)
        call = PhoneCall.objects.filter(message=message, outcome="").first()
        if call is None:
            call = PhoneCall.objects.create(message=message)
        return Sent(provider_id=f"call:{call.pk}", waiting=True)
