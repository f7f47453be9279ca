"""The reporting network: units, the people in them, and who was responsible when."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COUNTY = "county", _("County/district committee")
    MUNICIPAL_DEPARTMENT = "municipal_department", _("Municipal department")
    DIRECT_POINT = "direct_point", _("Direct reporting point")


class DirectPointType(models.TextChoices):
    SCHOOL = "school", _("School")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    TOWNSHIP = "township", _("Township / sub-district office")
    VERTICAL_DEPARTMENT = "vertical_department", _("Vertically managed department")
    PEOPLES_ORGANISATION = "peoples_organisation", _("People's organisation")
    GRASSROOTS = "grassroots", _("Grassroots body")


class UnitClass(models.Model):
    """A class of units (一类/二类/三类…) with its own quota and ranking."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(_("order"), default=1)
    quota_per_month = models.PositiveSmallIntegerField(_("items owed per month"), default=4)
    adoptions_per_month = models.PositiveSmallIntegerField(
        _("adoptions expected per month"), default=0
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("A retired class is not offered for new units.")
    )

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("unit class")
        verbose_name_plural = _("unit classes")

    def __str__(self) -> str:
        return self.name


class OfficeProfile(models.Model):
    """The office itself (one row): the name and contact lines its documents carry."""

    SINGLETON_PK = 1

    name = models.CharField(
        _("office name"),
        max_length=100,
        help_text=_("As printed on the documents the office issues."),
    )
    city = models.CharField(_("city"), max_length=50)
    contact = models.CharField(
        _("contact line for documents"),
        max_length=200,
        blank=True,
        help_text=_("Printed on chase notices: the section and its duty phone."),
    )
    fax = models.CharField(_("fax"), max_length=32, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("office profile")
        verbose_name_plural = _("office profile")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="office_profile_singleton")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A body that reports to the office."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    direct_point_type = models.CharField(
        _("direct point type"), max_length=32, choices=DirectPointType.choices, blank=True
    )
    unit_class = models.ForeignKey(
        UnitClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    county = models.ForeignKey(
        "self",
        verbose_name=_("county credited"),
        help_text=_("A direct point's score is also counted for this county."),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_points",
        limit_choices_to={"kind": UnitKind.COUNTY},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    fax = models.CharField(_("fax"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="direct_point", direct_point_type__gt="")
                | (~Q(kind="direct_point") & Q(direct_point_type="")),
                name="direct_point_type_iff_direct_point",
            ),
            models.CheckConstraint(
                condition=Q(county__isnull=True) | Q(kind="direct_point"),
                name="only_direct_points_link_a_county",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def roster_on(self, day: dt.date | None = None) -> models.QuerySet[RosterEntry]:
        """Who held each position in this unit on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.roster.filter(
            Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        ).select_related("person")

    def holders(self, position: Position, day: dt.date | None = None) -> list[Person]:
        return [e.person for e in self.roster_on(day) if e.position == position]


class Person(models.Model):
    """Someone in a unit: head, deputy in charge of information or reporter."""

    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wecom_userid = models.CharField(_("WeCom user id"), max_length=64, blank=True)
    dingtalk_userid = models.CharField(_("DingTalk user id"), max_length=64, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        ordering = ["unit", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name", "phone"], name="person_unique_in_unit")
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    HEAD = "head", _("Head")
    DEPUTY_IN_CHARGE = "deputy_in_charge", _("Deputy in charge of information")
    REPORTER = "reporter", _("Reporter")


class RosterEntry(models.Model):
    """One person holding one position in one unit for a span of days (history kept)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="roster"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="roster"
    )
    position = models.CharField(_("position"), max_length=32, choices=Position.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["unit", "position", "-started_on"]
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        indexes = [models.Index(fields=["unit", "position", "ended_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="roster_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_position_display()} {self.person}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()


class TermKind(models.TextChoices):
    POLICY = "policy", _("Policy term")
    PLACE = "place", _("Place name")
    OTHER = "other", _("Other")


class Term(models.Model):
    """A word of the office's dictionary (词库): segmentation keeps it whole."""

    text = models.CharField(_("word"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TermKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")

    def __str__(self) -> str:
        return self.text


class TermsVersion(models.Model):
    """One row: a counter the term services bump, so that every process sees, with one cheap
    query, that the dictionary changed and reloads its segmenter."""

    SINGLETON_PK = 1

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.version)
