"""Collection: the sources the office follows, the posts collected from them, the watchlist and
the hits of its terms in the posts.

A source is polled by the scanner (``xinbao.monitor.chores``): ``next_due`` is its indexed due
time, ``failures`` the consecutive failures its backoff doubles with. A post is stored once:
its canonical URL's hash is unique, another URL of the same text (the same content hash, or a
near-duplicate MinHash signature found through ``PostBand``'s index) becomes a ``PostAlias`` of
the first post, never a second post.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    FEED = "feed", _("RSS or Atom feed")
    PAGE = "page", _("Web page")


class SourceState(models.TextChoices):
    OK = "ok", _("Working")
    FAILING = "failing", _("Failing")
    PAUSED = "paused", _("Paused")


#: The states in which the scanner polls a source.
POLLED_STATES = (SourceState.OK, SourceState.FAILING)


class SourceQuerySet(models.QuerySet["Source"]):
    def due(self, now: dt.datetime) -> SourceQuerySet:
        return self.filter(state__in=POLLED_STATES, next_due__lte=now)


class Source(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    url = models.URLField(_("address"), max_length=1000)
    interval_minutes = models.PositiveIntegerField(_("interval (minutes)"), default=30)
    state = models.CharField(
        _("state"), max_length=10, choices=SourceState.choices, default=SourceState.OK
    )
    next_due = models.DateTimeField(_("next check"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    #: What went right with a caveat: a redirect to another host, a feed read loosely.
    last_note = models.TextField(_("last note"), blank=True)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    #: SHA-256 of a page's extracted main text, to tell a changed page from a redecorated one.
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("source")
        indexes = [models.Index(fields=["state", "next_due"], name="monitor_source_due")]

    def __str__(self) -> str:
        return self.name


class HostSlot(models.Model):
    """When a host (and port) may next be asked: the politeness limit, shared by every source
    and every scanner process (claimed with a conditional UPDATE)."""

    host = models.CharField(max_length=300, unique=True)
    next_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.host


class Post(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="posts")
    url = models.URLField(_("address"), max_length=2000)
    #: SHA-256 of the canonical URL (and, for a page, of its text's hash: each version of a
    #: page is a post of its own).
    url_hash = models.CharField(max_length=64, unique=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"))
    #: ``xinbao.lib.text.normalise`` of title, a line break and text, lower-cased: what the
    #: watchlist is matched over (hits' offsets point into it).
    normalised = models.TextField()
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("collected"), db_index=True)
    hit_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        verbose_name = _("post")

    def __str__(self) -> str:
        return self.title


class PostEntry(models.Model):
    """The words of a post's title and text, space-joined for full-text search
    (``monitor.search``; made searchable by migration 0004 through ``lib.fulltext``)."""

    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"words of post {self.post_id}"


class PostAlias(models.Model):
    """Another URL under which a stored post's text was seen again (a repost, a mirror)."""

    class Reason(models.TextChoices):
        SAME_TEXT = "same_text", _("same text")
        NEAR_DUPLICATE = "near_duplicate", _("nearly the same text")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="aliases")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=2000)
    url_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    similarity = models.FloatField(default=1.0)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.url


class PostSignature(models.Model):
    """A post's MinHash signature (``xinbao.items.similarity``'s functions, as items have)."""

    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="signature"
    )
    minhash = models.BinaryField()

    def __str__(self) -> str:
        return f"signature of post {self.post_id}"


class PostBand(models.Model):
    """One LSH band of a post's signature: posts sharing a (band, hash) are candidates."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bands")
    band = models.PositiveSmallIntegerField()
    hash = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["band", "hash"], name="post_band_lookup")]

    def __str__(self) -> str:
        return f"band {self.band} of post {self.post_id}"


class TermKind(models.TextChoices):
    KEYWORD = "keyword", _("Keyword")
    PLACE = "place", _("Place")
    PERSON = "person", _("Person")
    UNIT = "unit", _("Unit name")
    SENSITIVE = "sensitive", _("Sensitive word")


class WatchTerm(models.Model):
    term = models.CharField(_("term"), max_length=100)
    #: The term as matched: normalised and lower-cased.
    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TermKind.choices)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "term"]
        verbose_name = _("watch term")
        indexes = [models.Index(fields=["active"], name="monitor_term_active")]

    def __str__(self) -> str:
        return self.term


class WatchlistVersion(models.Model):
    """One row: a counter moved by every change of the watchlist, so that each process
    rebuilds its automaton when (and only when) the terms changed."""

    number = models.PositiveBigIntegerField(default=0)
    #: A fresh random value with every change: a counter alone can come back to a number a
    #: process saw before (a rolled-back change, a restored backup) with other terms behind it.
    token = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"watchlist version {self.number}"


class Hit(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="hits")
    term = models.ForeignKey(WatchTerm, on_delete=models.CASCADE, related_name="hits")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    context = models.CharField(max_length=300)

    class Meta:
        ordering = ["post", "start"]
        constraints = [
            models.UniqueConstraint(fields=["post", "term", "start"], name="monitor_hit_once")
        ]
        indexes = [models.Index(fields=["term", "post"], name="monitor_hit_term")]

    def __str__(self) -> str:
        return f"{self.term} in post {self.post_id}"


class Promotion(models.Model):
    """The provenance of an item made from a collected post."""

    post = models.OneToOneField(Post, on_delete=models.PROTECT, related_name="promotion")
    item = models.OneToOneField(
        "items.Item", on_delete=models.CASCADE, related_name="collected_from"
    )
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    promoted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"post {self.post_id} → item {self.item_id}"


class PostIncident(models.Model):
    """A collected post attached to an incident as material on it (a post may bear on
    several incidents, and an incident gather several posts; each pair once)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="incident_links")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(_("attached at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-attached_at", "-pk"]
        verbose_name = _("post attached to an incident")
        constraints = [
            models.UniqueConstraint(fields=["post", "incident"], name="monitor_post_incident_once")
        ]
        indexes = [models.Index(fields=["incident", "attached_at"], name="monitor_incident_posts")]

    def __str__(self) -> str:
        return f"post {self.post_id} → incident {self.incident_id}"
