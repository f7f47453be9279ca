"""Monthly topic lists (报送要点 / 采编要目): what the office wants reported in a month, topic by
topic, and the items that answer each topic."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinbao.items.models import ItemKind

#: How keywords typed in one field are separated (as ``items.matching.split_terms`` reads them).
_SEPARATORS = re.compile(r"[、,，;；\n\r]+")


class ListState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TopicList(models.Model):
    """One month's list. ``month`` is the first day of the month; one list per month."""

    month = models.DateField(_("month"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    foreword = models.TextField(_("foreword"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ListState.choices, default=ListState.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("topic list")

    def __str__(self) -> str:
        return self.title

    @property
    def month_end(self) -> dt.date:
        """The first day of the next month."""
        return (self.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


class ListedTopic(models.Model):
    """One topic of a list: what the office wants, the words that find items answering it, the
    kind of item it suggests and, optionally, the unit classes it is aimed at (none: all)."""

    topic_list = models.ForeignKey(TopicList, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    wanted = models.TextField(_("what is wanted"), blank=True)
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Words that find items answering the topic, separated by 、 or commas."),
    )
    suggested_kind = models.CharField(
        _("suggested kind"), max_length=20, choices=ItemKind.choices, blank=True
    )
    unit_classes = models.ManyToManyField(
        "org.UnitClass",
        blank=True,
        related_name="+",
        verbose_name=_("aimed at unit classes"),
        help_text=_("Leave empty to aim the topic at every unit."),
    )

    class Meta:
        ordering = ["topic_list", "order", "pk"]
        verbose_name = _("topic")

    def __str__(self) -> str:
        return self.title

    def keyword_list(self) -> list[str]:
        """The keywords one by one (a keyword may be a phrase with spaces)."""
        words = (" ".join(w.split()) for w in _SEPARATORS.split(self.keywords))
        return list(dict.fromkeys(w for w in words if w))


class AnswerHow(models.TextChoices):
    UNIT = "unit", _("Linked by the unit")
    OFFICE = "office", _("Linked by the office")
    SUGGESTED = "suggested", _("Suggested, confirmed by the office")


class TopicAnswer(models.Model):
    """An item that answers a topic: linked by its unit, by the office, or suggested by the
    matcher and confirmed by the office (a suggestion alone never counts)."""

    topic = models.ForeignKey(ListedTopic, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    how = models.CharField(_("how"), max_length=10, choices=AnswerHow.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["topic", "at", "pk"]
        verbose_name = _("topic answer")
        constraints = [
            models.UniqueConstraint(fields=["topic", "item"], name="topiclists_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} ← {self.item_id}"


class DismissedSuggestion(models.Model):
    """A suggested item the office said does not answer the topic: not offered again."""

    topic = models.ForeignKey(ListedTopic, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "item"], name="topiclists_dismissed_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} ✗ {self.item_id}"
