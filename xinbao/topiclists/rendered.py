"""The list's documents in the document cache: rendered by the worker once published."""

from __future__ import annotations

from xinbao.documents.registry import register
from xinbao.topiclists.documents import build
from xinbao.topiclists.models import ListState, TopicList
from xinbao.topiclists.services import LIST_DOCUMENT


def is_frozen(topic_list: TopicList) -> bool:
    """Published: what the units read; a draft's (or a withdrawn one's) document is rendered
    when asked, as it may still change."""
    return topic_list.state == ListState.PUBLISHED


register(LIST_DOCUMENT, model=TopicList, build=build, frozen=is_frozen)
