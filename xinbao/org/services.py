"""Every write to the reporting network: keyword-only, atomic, audited.

Validation failures raise ``ValidationError`` (a dict keyed by field where one field is at
fault), so that forms can put each message next to its field.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinbao.accounts.models import Role, User
from xinbao.accounts.services import save_user
from xinbao.audit.services import record
from xinbao.lib.changes import apply_changes
from xinbao.org.models import (
    DirectPointType,
    OfficeProfile,
    Person,
    Position,
    RosterEntry,
    Term,
    TermKind,
    TermsVersion,
    Unit,
    UnitClass,
    UnitKind,
)

#: Positions a unit fills with one person at a time; reporters may be several.
SINGLE_HOLDER_POSITIONS = frozenset({Position.HEAD, Position.DEPUTY_IN_CHARGE})

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{2,30}$")


@dataclass
class UnitData:
    """What the office supplies for a unit, from the form or an import row."""

    code: str
    name: str
    kind: str
    unit_class: UnitClass
    short_name: str = ""
    direct_point_type: str = ""
    parent: Unit | None = None
    county: Unit | None = None
    address: str = ""
    fax: str = ""
    is_active: bool = True


@dataclass
class PersonData:
    """What the office supplies for a person in a unit."""

    unit: Unit
    name: str
    title: str = ""
    phone: str = ""
    office_phone: str = ""
    email: str = ""
    wecom_userid: str = ""
    dingtalk_userid: str = ""


def _as_dict(data: UnitData | PersonData) -> dict[str, Any]:
    """Shallow, unlike ``dataclasses.asdict``, which would deep-copy model instances."""
    return {f.name: getattr(data, f.name) for f in fields(data)}


def normalize_phone(raw: str) -> str:
    """Spaces dropped, so that the same number typed twice is one key."""
    return re.sub(r"\s+", "", raw or "")


def unit_problems(data: UnitData, unit: Unit | None = None) -> dict[str, list[str]]:
    """Every rule a unit breaks, by field; empty when the unit may be saved.

    Checks what the database would refuse (unique code and name, the direct point type,
    the county link) and what it cannot see (a parent loop).
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not data.code.strip():
        add("code", _("A unit needs a code."))
    if not data.name.strip():
        add("name", _("A unit needs a name."))
    if data.kind not in UnitKind.values:
        add("kind", _("Unknown kind of unit."))
    others = Unit.objects.exclude(pk=unit.pk) if unit is not None else Unit.objects.all()
    if data.code and others.filter(code=data.code).exists():
        add("code", _("Another unit already has this code."))
    if data.name and others.filter(name=data.name).exists():
        add("name", _("Another unit already has this name."))
    if data.kind == UnitKind.DIRECT_POINT:
        if data.direct_point_type not in DirectPointType.values:
            add("direct_point_type", _("A direct reporting point needs its type."))
    else:
        if data.direct_point_type:
            add("direct_point_type", _("Only a direct reporting point has a type."))
        if data.county is not None:
            add("county", _("Only a direct reporting point is linked to a county."))
    if not data.unit_class.is_active and (unit is None or unit.unit_class_id != data.unit_class.pk):
        add("unit_class", _("This class is retired: choose another."))
    if data.county is not None and data.county.kind != UnitKind.COUNTY:
        add("county", _("The county credited must be a county/district committee."))
    if unit is not None and data.kind != UnitKind.COUNTY and unit.linked_points.exists():
        add("kind", _("Direct points are linked to this county: unlink them first."))
    if data.parent is not None and unit is not None:
        seen: set[int] = set()
        walker: Unit | None = data.parent
        while walker is not None and walker.pk not in seen:
            if walker.pk == unit.pk:
                add("parent", _("A unit cannot be placed under itself or its own sub-unit."))
                break
            seen.add(walker.pk)
            walker = walker.parent
    return errors


def _unit_fields(data: UnitData) -> dict[str, Any]:
    values = _as_dict(data)
    values["code"] = data.code.strip()
    values["name"] = data.name.strip()
    return values


@transaction.atomic
def create_unit(*, user: User | None, data: UnitData, request: HttpRequest | None = None) -> Unit:
    problems = unit_problems(data)
    if problems:
        raise ValidationError(problems)
    unit = Unit.objects.create(**_unit_fields(data))
    record(
        actor=user,
        action="unit.create",
        obj=unit,
        summary={"code": unit.code, "name": unit.name},
        request=request,
    )
    return unit


@transaction.atomic
def update_unit(
    *, user: User | None, unit: Unit, data: UnitData, request: HttpRequest | None = None
) -> Unit:
    problems = unit_problems(data, unit)
    if problems:
        raise ValidationError(problems)
    changed = list(apply_changes(unit, _unit_fields(data)))
    if changed:
        unit.save()
        record(
            actor=user,
            action="unit.update",
            obj=unit,
            summary={"code": unit.code, "changed": changed},
            request=request,
        )
    return unit


def person_problems(data: PersonData, person: Person | None = None) -> dict[str, list[str]]:
    """Every rule a person breaks, by field; empty when the person may be saved."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not data.name.strip():
        add("name", _("A person needs a name."))
    for field in ("phone", "office_phone"):
        value = getattr(data, field)
        if value and not PHONE_RE.match(value):
            add(field, _("Enter a phone number: digits, with an optional + and dashes."))
    if data.email:
        try:
            validate_email(data.email)
        except ValidationError:
            add("email", _("Enter a valid email address."))
    others = Person.objects.exclude(pk=person.pk) if person is not None else Person.objects.all()
    if others.filter(unit=data.unit, name=data.name.strip(), phone=data.phone).exists():
        add("name", _("This unit already has a person with this name and phone."))
    if person is not None and person.unit_id != data.unit.pk:
        if person.roster.filter(ended_on__isnull=True).exists():
            add("unit", _("End this person's positions in their unit before moving them."))
    return errors


def _person_fields(data: PersonData) -> dict[str, Any]:
    values = _as_dict(data)
    values["name"] = data.name.strip()
    values["phone"] = normalize_phone(data.phone)
    values["office_phone"] = data.office_phone.strip()
    values["email"] = data.email.strip()
    return values


@transaction.atomic
def create_person(
    *, user: User | None, data: PersonData, request: HttpRequest | None = None
) -> Person:
    data.phone = normalize_phone(data.phone)
    problems = person_problems(data)
    if problems:
        raise ValidationError(problems)
    person = Person.objects.create(**_person_fields(data))
    record(
        actor=user,
        action="person.create",
        obj=person,
        summary={"unit": data.unit.code, "name": person.name},
        request=request,
    )
    return person


@transaction.atomic
def update_person(
    *, user: User | None, person: Person, data: PersonData, request: HttpRequest | None = None
) -> Person:
    data.phone = normalize_phone(data.phone)
    problems = person_problems(data, person)
    if problems:
        raise ValidationError(problems)
    changed = list(apply_changes(person, _person_fields(data)))
    if changed:
        person.save()
        record(
            actor=user,
            action="person.update",
            obj=person,
            summary={"name": person.name, "changed": changed},
            request=request,
        )
    return person


def open_entries(unit: Unit, position: str, on: dt.date) -> Any:
    """Entries of ``position`` in ``unit`` still running on or after ``on``."""
    return RosterEntry.objects.filter(unit=unit, position=position).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)
    )


def assignment_problem(
    *, unit: Unit, person: Person | None, position: str, started_on: dt.date
) -> str | None:
    """Why ``person`` (None: someone not yet saved) cannot take ``position`` from that day."""
    if position not in Position.values:
        return _("Unknown position.")
    running = open_entries(unit, position, started_on)
    if person is not None and running.filter(person=person).exists():
        return _("%(name)s already holds this position.") % {"name": person.name}
    if position in SINGLE_HOLDER_POSITIONS:
        later = running.filter(started_on__gt=started_on).select_related("person").first()
        if later is not None:
            return _(
                "%(name)s holds this position from %(day)s; a successor must start on or "
                "after that day."
            ) % {"name": later.person.name, "day": later.started_on.isoformat()}
    return None


def put_in_position(
    *, unit: Unit, person: Person, position: str, started_on: dt.date
) -> tuple[RosterEntry, list[str]]:
    """The roster write itself, unchecked and unaudited: callers check and audit.

    Returns the new entry and the names of the people it replaced.
    """
    ended: list[str] = []
    if position in SINGLE_HOLDER_POSITIONS:
        for previous in open_entries(unit, position, started_on).select_related("person"):
            previous.ended_on = started_on
            previous.save(update_fields=["ended_on"])
            ended.append(previous.person.name)
    entry = RosterEntry.objects.create(
        unit=unit, person=person, position=position, started_on=started_on
    )
    return entry, ended


@transaction.atomic
def assign_position(
    *,
    user: User | None,
    person: Person,
    position: str,
    started_on: dt.date,
    request: HttpRequest | None = None,
) -> RosterEntry:
    """``person`` holds ``position`` in their unit from ``started_on``.

    A head or deputy in charge replaces whoever held the post: that entry ends the day the
    new one starts (``ended_on`` is the first day no longer held), so history has no gap and
    no overlap. Reporters accumulate.
    """
    unit = Unit.objects.select_for_update(no_key=True).get(pk=person.unit_id)
    problem = assignment_problem(unit=unit, person=person, position=position, started_on=started_on)
    if problem:
        raise ValidationError({"started_on": [problem]})
    entry, ended = put_in_position(
        unit=unit, person=person, position=position, started_on=started_on
    )
    record(
        actor=user,
        action="roster.assign",
        obj=entry,
        request=request,
        summary={
            "unit": unit.code,
            "person": person.name,
            "position": position,
            "started_on": started_on.isoformat(),
            "replaced": ended,
        },
    )
    return entry


@transaction.atomic
def end_entry(
    *,
    user: User | None,
    entry: RosterEntry,
    ended_on: dt.date,
    request: HttpRequest | None = None,
) -> RosterEntry:
    """``entry``'s person no longer holds the position from ``ended_on`` (exclusive)."""
    if entry.ended_on is not None and entry.ended_on <= ended_on:
        raise ValidationError({"ended_on": [_("This entry has already ended.")]})
    if ended_on < entry.started_on:
        raise ValidationError({"ended_on": [_("An entry cannot end before it started.")]})
    entry.ended_on = ended_on
    entry.save(update_fields=["ended_on"])
    record(
        actor=user,
        action="roster.end",
        obj=entry,
        request=request,
        summary={
            "unit": entry.unit.code,
            "person": entry.person.name,
            "position": entry.position,
            "ended_on": ended_on.isoformat(),
        },
    )
    return entry


# Unit classes ------------------------------------------------------------------------------


@dataclass
class UnitClassData:
    """A class of units as the office defines it (SPEC §6: quotas per month)."""

    name: str
    rank: int = 1
    quota_per_month: int = 4
    adoptions_per_month: int = 0


class ClassInUse(Exception):
    """A class that units use cannot be deleted; ``units`` says which (retire it instead)."""

    def __init__(self, unit_class: UnitClass, units: list[Unit]) -> None:
        self.unit_class = unit_class
        self.units = units
        shown = "、".join(u.name for u in units[:CLASS_IN_USE_SHOWN])
        if len(units) > CLASS_IN_USE_SHOWN:
            shown += "…"
        self.message = ngettext(
            "The class %(name)s is used by %(count)d unit (%(units)s): it cannot be deleted. "
            "Retire it instead, so that it is no longer offered for new units.",
            "The class %(name)s is used by %(count)d units (%(units)s): it cannot be deleted. "
            "Retire it instead, so that it is no longer offered for new units.",
            len(units),
        ) % {"name": unit_class.name, "count": len(units), "units": shown}
        super().__init__(self.message)


#: How many of the units using a class a refusal names.
CLASS_IN_USE_SHOWN = 10


def unit_class_problems(
    data: UnitClassData, unit_class: UnitClass | None = None
) -> dict[str, list[str]]:
    """Every rule a class breaks, by field; empty when it may be saved."""
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors.setdefault("name", []).append(_("A class needs a name."))
    others = UnitClass.objects.all()
    if unit_class is not None:
        others = others.exclude(pk=unit_class.pk)
    if name and others.filter(name=name).exists():
        errors.setdefault("name", []).append(_("Another class already has this name."))
    for field in ("rank", "quota_per_month", "adoptions_per_month"):
        if getattr(data, field) < 0:
            errors.setdefault(field, []).append(_("Enter zero or more."))
    if data.adoptions_per_month > data.quota_per_month >= 0:
        errors.setdefault("adoptions_per_month", []).append(
            _("A unit cannot be expected to have more items adopted than it submits.")
        )
    return errors


def _class_fields(data: UnitClassData) -> dict[str, Any]:
    return {
        "name": data.name.strip(),
        "rank": data.rank,
        "quota_per_month": data.quota_per_month,
        "adoptions_per_month": data.adoptions_per_month,
    }


@transaction.atomic
def create_unit_class(
    *, user: User | None, data: UnitClassData, request: HttpRequest | None = None
) -> UnitClass:
    problems = unit_class_problems(data)
    if problems:
        raise ValidationError(problems)
    unit_class = UnitClass.objects.create(**_class_fields(data))
    record(
        actor=user,
        actor_name="" if user else "system",
        action="unit_class.create",
        obj=unit_class,
        summary=_class_fields(data),
        request=request,
    )
    return unit_class


@transaction.atomic
def update_unit_class(
    *,
    user: User | None,
    unit_class: UnitClass,
    data: UnitClassData,
    request: HttpRequest | None = None,
) -> UnitClass:
    problems = unit_class_problems(data, unit_class)
    if problems:
        raise ValidationError(problems)
    changed = apply_changes(unit_class, _class_fields(data))
    if changed:
        unit_class.save()
        record(
            actor=user,
            action="unit_class.update",
            obj=unit_class,
            summary={"name": unit_class.name, "changed": changed},
            request=request,
        )
    return unit_class


@transaction.atomic
def set_unit_class_active(
    *, user: User | None, unit_class: UnitClass, active: bool, request: HttpRequest | None = None
) -> UnitClass:
    """Retire a class (no longer offered for new units; its units keep it) or bring it back."""
    if unit_class.is_active == active:
        return unit_class
    unit_class.is_active = active
    unit_class.save(update_fields=["is_active"])
    record(
        actor=user,
        action="unit_class.reinstate" if active else "unit_class.retire",
        obj=unit_class,
        summary={"name": unit_class.name},
        request=request,
    )
    return unit_class


@transaction.atomic
def delete_unit_class(
    *, user: User | None, unit_class: UnitClass, request: HttpRequest | None = None
) -> None:
    """Delete a class no unit uses; raise ``ClassInUse`` naming the units otherwise."""
    units = list(Unit.objects.filter(unit_class=unit_class).order_by("code"))
    if units:
        raise ClassInUse(unit_class, units)
    record(
        actor=user,
        action="unit_class.delete",
        obj=unit_class,
        summary={"name": unit_class.name},
        request=request,
    )
    unit_class.delete()


# The office ---------------------------------------------------------------------------------


@dataclass
class OfficeData:
    """The office's own particulars, printed on the documents it issues."""

    name: str
    city: str
    contact: str = ""
    fax: str = ""


def office_problems(data: OfficeData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("The office needs a name.")]
    if not data.city.strip():
        errors["city"] = [_("Enter the city.")]
    if data.fax and not PHONE_RE.match(data.fax.strip()):
        errors["fax"] = [_("Enter a phone number: digits, with an optional + and dashes.")]
    return errors


@transaction.atomic
def save_office(
    *, user: User | None, data: OfficeData, request: HttpRequest | None = None
) -> OfficeProfile:
    """Create or update the office's one profile row."""
    problems = office_problems(data)
    if problems:
        raise ValidationError(problems)
    values = {
        "name": data.name.strip(),
        "city": data.city.strip(),
        "contact": data.contact.strip(),
        "fax": data.fax.strip(),
    }
    office = (
        OfficeProfile.objects.select_for_update(no_key=True)
        .filter(pk=OfficeProfile.SINGLETON_PK)
        .first()
    )
    created = office is None
    if office is None:
        office = OfficeProfile(pk=OfficeProfile.SINGLETON_PK, **values)
        changed = sorted(values)
    else:
        changed = list(apply_changes(office, values))
    if changed:
        office.save()
        record(
            actor=user,
            actor_name="" if user else "system",
            action="office.create" if created else "office.update",
            obj=office,
            summary={"name": office.name, "changed": changed},
            request=request,
        )
    return office


# Office users made at first run -------------------------------------------------------------

#: Roles the first run may create: the leaders who sign, and the duty officer.
FIRST_RUN_ROLES = frozenset({Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER, Role.DUTY_OFFICER})
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{1,150}$")


@dataclass
class OfficeUserData:
    """A leader (or the duty officer) of the office, given at first run."""

    name: str
    role: str
    username: str
    phone: str = ""


def office_user_problems(data: OfficeUserData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("A person needs a name.")]
    if data.role not in FIRST_RUN_ROLES:
        errors["role"] = [_("Choose the leader in charge, the principal leader or a duty officer.")]
    if not USERNAME_RE.match(data.username):
        errors["username"] = [_("A login name is letters, digits and . @ + - _ only.")]
    elif User.objects.filter(username=data.username).exists():
        errors["username"] = [_("This login name is taken.")]
    phone = normalize_phone(data.phone)
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [_("Enter a phone number: digits, with an optional + and dashes.")]
    return errors


@transaction.atomic
def create_office_user(
    *, actor: User | None, data: OfficeUserData, request: HttpRequest | None = None
) -> tuple[User, str]:
    """A login for an office leader or duty officer, with a one-time password to hand over.

    Office staff belong to no reporting unit, so no roster ``Person`` is made for them (a
    person needs a unit); their phone is kept on the login, where notifications find it.
    """
    problems = office_user_problems(data)
    if problems:
        raise ValidationError(problems)
    password = secrets.token_urlsafe(9)
    user = User(
        username=data.username,
        full_name=data.name.strip(),
        role=Role(data.role),
        phone=normalize_phone(data.phone),
    )
    save_user(actor=actor, user=user, password=password, changed={"role": True}, request=request)
    return user, password


# --- The office's dictionary (词库) ---------------------------------------------------------


def _bump_terms_version() -> None:
    version, _created = TermsVersion.objects.get_or_create(pk=TermsVersion.SINGLETON_PK)
    TermsVersion.objects.filter(pk=version.pk).update(version=F("version") + 1)


def term_problems(*, text: str, kind: str, term_pk: int | None = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not text:
        problems["text"] = [_("Enter the word.")]
    elif any(ch.isspace() for ch in text):
        problems["text"] = [_("A word has no spaces; add each word on its own.")]
    elif Term.objects.filter(text=text).exclude(pk=term_pk or 0).exists():
        problems["text"] = [_("This word is already in the dictionary.")]
    if kind not in TermKind.values:
        problems["kind"] = [_("Choose a kind.")]
    return problems


@transaction.atomic
def save_term(
    *,
    user: User,
    text: str,
    kind: str,
    note: str = "",
    term: Term | None = None,
    request: HttpRequest | None = None,
) -> Term:
    """Add a word to the dictionary (or change ``term``); segmenters pick it up without a
    restart (the version counter moves)."""
    text = text.strip()
    problems = term_problems(text=text, kind=kind, term_pk=term.pk if term else None)
    if problems:
        raise ValidationError(problems)
    fields_ = {"text": text, "kind": kind, "note": note.strip()}
    summary: dict[str, Any]
    if term is None:
        term = Term.objects.create(**fields_)
        action, summary = "term.create", fields_
    else:
        summary = apply_changes(term, fields_)
        action = "term.update"
        if not summary:
            return term
        term.save()
    _bump_terms_version()
    record(actor=user, action=action, obj=term, summary=summary, request=request)
    return term


@transaction.atomic
def delete_term(*, user: User, term: Term, request: HttpRequest | None = None) -> None:
    summary = {"text": term.text, "kind": term.kind}
    record(actor=user, action="term.delete", obj=term, summary=summary, request=request)
    term.delete()
    _bump_terms_version()
