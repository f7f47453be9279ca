"""``{% offer_attrs subject "kind" url %}`` on a download link: for a frozen subject, htmx
swaps the link on load for the partial that offers the cached file ("being prepared" until
the worker has made it); a draft's link stays a plain link, rendered when followed."""

from __future__ import annotations

from django import template
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from xinbao.documents import registry

register = template.Library()


@register.simple_tag
def offer_attrs(subject: models.Model, kind: str, url: str) -> SafeString:
    if not registry.get(kind).frozen(subject):
        return SafeString("")
    return format_html(' hx-get="{}" hx-trigger="load" hx-swap="outerHTML"', url)
