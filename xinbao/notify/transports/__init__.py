"""The registry of transports, one per channel."""

from __future__ import annotations

from importlib import import_module

from xinbao.notify.transports.base import Sent, Transport, TransportError

#: channel → "module:Class"; imported on first use so that an unused channel costs nothing.
REGISTRY: dict[str, str] = {
    "in_app": "xinbao.notify.transports.inapp:InAppTransport",
    "phone_call": "xinbao.notify.transports.phone:PhoneCallTransport",
    "email": "xinbao.notify.transports.email:EmailTransport",
    "sms": "xinbao.notify.transports.sms:SmsTransport",
    "wecom_robot": "xinbao.notify.transports.wecom:WeComRobotTransport",
    "wecom_app": "xinbao.notify.transports.wecom:WeComAppTransport",
    "dingtalk": "xinbao.notify.transports.dingtalk:DingTalkTransport",
    "fax": "xinbao.notify.transports.fax:FaxTransport",
}


def transport_for(channel: str) -> Transport:
    module, _, name = REGISTRY[channel].partition(":")
    cls: type[Transport] = getattr(import_module(module), name)
    return cls()


__all__ = ["REGISTRY", "Sent", "Transport", "TransportError", "transport_for"]
