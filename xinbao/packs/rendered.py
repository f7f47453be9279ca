"""The pack's documents in the document cache: rendered by the worker once delivered."""

from __future__ import annotations

from xinbao.documents.registry import register
from xinbao.packs import outputs
from xinbao.packs.models import Pack, PackState
from xinbao.packs.services import PACK_DOCUMENT


def is_frozen(pack: Pack) -> bool:
    """Delivered (or withdrawn since): numbered and frozen; a draft's document is a preview."""
    return pack.state in (PackState.DELIVERED, PackState.WITHDRAWN)


register(PACK_DOCUMENT, model=Pack, build=outputs.document, frozen=is_frozen)
