"""Telling people: the one entry point business code imports.

    from xinbao.notify import Recipient, notify, resolve

``resolve`` names whom (office roles, unit positions); ``notify`` tells them on a ladder and
returns a ``Dispatch`` per recipient; ``queue`` puts one message on one channel (a document to
a fax, say); ``Recipient`` is someone outside those lists (a login, a roster person, a
group-chat endpoint). Everything else in the package is its own business.

The names load on first use (PEP 562): Django imports this package before the models are
ready, and every one of these names needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xinbao.notify.addressing import resolve
    from xinbao.notify.ladders import notify
    from xinbao.notify.models import Channel, Dispatch
    from xinbao.notify.services import Recipient, queue

__all__ = ["Channel", "Dispatch", "Recipient", "notify", "queue", "resolve"]

_HOMES = {
    "Channel": "xinbao.notify.models",
    "Dispatch": "xinbao.notify.models",
    "Recipient": "xinbao.notify.services",
    "notify": "xinbao.notify.ladders",
    "queue": "xinbao.notify.services",
    "resolve": "xinbao.notify.addressing",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        # Not ours: lets ``from xinbao.notify import tasks`` fall through to the submodule.
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
