"""Setting up periodicals and the sign-off routing table: every write, and the getters of the
setup pages.

The section chief and the system administrator own these settings. Every write is keyword-only,
atomic and audited; a refusal is a ``ValidationError`` whose messages (by field where there is
one) are for the user, or ``PermissionDenied`` for the wrong role.

Readers of the reading room follow the distribution list: an entry linked to a login (its own, or
its person's) makes that login a reader; removing the last entry of a login removes it again. The
chief may add or remove readers by hand as well; ``Periodical.readers`` stays the one list the
reading room and distribution read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinbao.accounts.models import Role, User
from xinbao.audit.services import record
from xinbao.items.models import Urgency
from xinbao.lib.changes import apply_changes
from xinbao.lib.officedoc import Recipients
from xinbao.org.models import Person
from xinbao.periodicals.models import (
    DISTRIBUTION_LABELS,
    DistributionEntry,
    DistributionGroup,
    Frequency,
    Periodical,
    SignerRule,
    SignRoute,
)
from xinbao.periodicals.routing import SIGNER_ROLES, TOP_SIGNER

#: Who sets up periodicals and the routing table.
SETUP_ROLES = frozenset({Role.SECTION_CHIEF, Role.SYSTEM_ADMIN})


def can_set_up(user: User) -> bool:
    return user.is_active and user.role in SETUP_ROLES


def require_setup(user: User) -> None:
    if not can_set_up(user):
        raise PermissionDenied(
            _("Periodicals are set up by the section chief or the system administrator.")
        )


def access_setup_periodical(user: User, pk: int) -> Periodical:
    """A periodical on the setup pages: 403 for other roles, 404 for an unknown one."""
    require_setup(user)
    try:
        return Periodical.objects.get(pk=pk)
    except Periodical.DoesNotExist:
        raise Http404 from None


def access_distribution_entry(periodical: Periodical, pk: int) -> DistributionEntry:
    try:
        return periodical.distribution_entries.select_related("person", "user").get(pk=pk)
    except DistributionEntry.DoesNotExist:
        raise Http404 from None


# --- reads ------------------------------------------------------------------------------------


def entry_reader(entry: DistributionEntry) -> User | None:
    """The login that reads the periodical for ``entry``: its own, or its person's."""
    if entry.user is not None:
        return entry.user
    if entry.person is not None:
        return entry.person.user
    return None


def distribution_entries(periodical: Periodical) -> list[DistributionEntry]:
    """The entries in print order: by group (报, 送, 发, 抄送), then as the chief ordered them."""
    order = list(DistributionGroup.values)
    entries = periodical.distribution_entries.select_related("person", "person__user", "user")
    return sorted(
        entries,
        key=lambda e: (order.index(e.group) if e.group in order else len(order), e.position, e.pk),
    )


def printed_name(entry: DistributionEntry) -> str:
    """ "市委办公室" for one copy, "市委办公室（3份）" for more."""
    return f"{entry.label}（{entry.copies}份）" if entry.copies > 1 else entry.label


def distribution_recipients(periodical: Periodical) -> list[Recipients]:
    """The footer's lines from the structured list, one per group; empty when it has none."""
    lines: dict[str, list[str]] = {}
    for entry in distribution_entries(periodical):
        lines.setdefault(entry.group, []).append(printed_name(entry))
    return [
        Recipients(DISTRIBUTION_LABELS.get(group, group), names) for group, names in lines.items()
    ]


def distributed_copies(periodical: Periodical) -> int:
    return sum(e.copies for e in periodical.distribution_entries.all())


def reader_candidates(periodical: Periodical) -> QuerySet[User]:
    """Active logins that are not yet readers of ``periodical``."""
    return (
        User.objects.filter(is_active=True)
        .exclude(pk__in=periodical.readers.values("pk"))
        .order_by("role", "full_name", "username")
    )


def routes() -> dict[str, str]:
    """The routing table, every urgency with its signer role (the top signer where no row)."""
    table = dict(SignRoute.objects.values_list("urgency", "signer_role"))
    return {u.value: table.get(u.value, TOP_SIGNER.value) for u in Urgency}


# --- periodicals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicalData:
    """What the periodical form sets (everything but distribution and readers)."""

    name: str
    masthead: str
    frequency: str
    issuing_office: str
    signer_rule: str
    section_check: bool
    countersign: bool
    duty_officer_may_issue: bool
    copies: int
    start_year: int | None
    start_number: int
    start_total_number: int


def _clean(data: PeriodicalData, periodical: Periodical | None) -> PeriodicalData:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = _("Give the periodical a name.")
    elif (
        Periodical.objects.filter(name=name).exclude(pk=periodical.pk if periodical else 0).exists()
    ):
        errors["name"] = _("Another periodical is already called %(name)s.") % {"name": name}
    if not data.issuing_office.strip():
        errors["issuing_office"] = _("Say which office issues it.")
    if data.frequency not in Frequency.values:
        errors["frequency"] = _("Choose how often it appears.")
    if data.signer_rule not in SignerRule.values:
        errors["signer_rule"] = _("Choose who signs it.")
    if data.copies < 1:
        errors["copies"] = _("At least one copy is printed.")
    if data.start_number < 1:
        errors["start_number"] = _("Numbers start at 1.")
    if data.start_total_number < 1:
        errors["start_total_number"] = _("Numbers start at 1.")
    if data.start_year is None and data.start_number > 1:
        errors["start_year"] = _("Say which year the first number applies to.")
    if data.start_year is not None and data.start_total_number < data.start_number:
        errors["start_total_number"] = _(
            "The overall number cannot be lower than the number in the year."
        )
    if errors:
        raise ValidationError(errors)
    return PeriodicalData(
        **{
            **asdict(data),
            "name": name,
            "masthead": data.masthead.strip() or name,
            "issuing_office": data.issuing_office.strip(),
        }
    )


@transaction.atomic
def create_periodical(
    *,
    user: User,
    data: PeriodicalData,
    readers: Iterable[User] = (),
    request: HttpRequest | None = None,
) -> Periodical:
    """A new periodical; its masthead is its name unless it is given one."""
    require_setup(user)
    data = _clean(data, None)
    periodical = Periodical.objects.create(**asdict(data))
    chosen = [u for u in readers if u.is_active]
    if chosen:
        periodical.readers.add(*chosen)
    record(
        actor=user,
        action="periodical.create",
        obj=periodical,
        summary={**asdict(data), "readers": [u.username for u in chosen]},
        request=request,
    )
    return periodical


@transaction.atomic
def update_periodical(
    *,
    user: User,
    periodical: Periodical,
    data: PeriodicalData,
    request: HttpRequest | None = None,
) -> Periodical:
    """Change a periodical's settings; the audit event keeps each change, before and after.

    The starting numbers only ever raise the next issue's numbers (see
    ``services.next_numbers``), so changing them cannot give two issues one number.
    """
    require_setup(user)
    periodical = Periodical.objects.select_for_update(no_key=True).get(pk=periodical.pk)
    data = _clean(data, periodical)
    changes = apply_changes(periodical, asdict(data))
    if changes:
        periodical.save(update_fields=list(changes))
        record(
            actor=user,
            action="periodical.update",
            obj=periodical,
            summary={"periodical": periodical.name, "changes": changes},
            request=request,
        )
    return periodical


@transaction.atomic
def set_active(
    *, user: User, periodical: Periodical, active: bool, request: HttpRequest | None = None
) -> Periodical:
    """Retire a periodical (no new issues, not offered at the desk) or bring it back."""
    require_setup(user)
    periodical = Periodical.objects.select_for_update(no_key=True).get(pk=periodical.pk)
    if periodical.is_active != active:
        periodical.is_active = active
        periodical.save(update_fields=["is_active"])
        record(
            actor=user,
            action="periodical.reinstate" if active else "periodical.retire",
            obj=periodical,
            summary={"periodical": periodical.name},
            request=request,
        )
    return periodical


def delete_refusal(periodical: Periodical) -> str:
    """Why ``periodical`` cannot be deleted ("" when it can): its issues, or its adoptions."""
    issues = periodical.issues.count()
    if issues:
        return ngettext(
            "%(name)s has %(count)d issue and cannot be deleted; retire it instead.",
            "%(name)s has %(count)d issues and cannot be deleted; retire it instead.",
            issues,
        ) % {"name": periodical.name, "count": issues}
    adoptions = periodical.adoptions.count()
    if adoptions:
        return ngettext(
            "%(count)d item was adopted into %(name)s, so it cannot be deleted; retire it instead.",
            "%(count)d items were adopted into %(name)s, so it cannot be deleted; retire it "
            "instead.",
            adoptions,
        ) % {"name": periodical.name, "count": adoptions}
    return ""


@transaction.atomic
def delete_periodical(
    *, user: User, periodical: Periodical, request: HttpRequest | None = None
) -> None:
    """Delete a periodical that was never used; one with issues or adoptions is refused."""
    require_setup(user)
    periodical = Periodical.objects.select_for_update(no_key=True).get(pk=periodical.pk)
    refusal = delete_refusal(periodical)
    if refusal:
        raise ValidationError(refusal)
    name, pk = periodical.name, periodical.pk
    record(
        actor=user,
        action="periodical.delete",
        obj=periodical,
        summary={"periodical": name, "id": pk},
        request=request,
    )
    periodical.delete()


# --- distribution list and readers ------------------------------------------------------------


@dataclass(frozen=True)
class EntryData:
    group: str
    label: str
    person: Person | None
    user: User | None
    copies: int


def _clean_entry(data: EntryData) -> EntryData:
    errors: dict[str, str] = {}
    if data.group not in DistributionGroup.values:
        errors["group"] = _("Choose the group: 报, 送, 发 or 抄送.")
    label = data.label.strip()
    if not label:
        if data.person is not None:
            label = data.person.name
        elif data.user is not None:
            label = data.user.full_name or data.user.username
        else:
            errors["label"] = _("Name the recipient, or choose a person or a login.")
    if data.copies < 1:
        errors["copies"] = _("At least one copy.")
    if data.user is not None and not data.user.is_active:
        errors["user"] = _("This login is disabled.")
    if errors:
        raise ValidationError(errors)
    return EntryData(data.group, label, data.person, data.user, data.copies)


def _entry_summary(entry: DistributionEntry) -> dict[str, Any]:
    return {
        "group": entry.group,
        "label": entry.label,
        "person": entry.person_id,
        "user": entry.user_id,
        "copies": entry.copies,
    }


def _follow_readers(
    periodical: Periodical, *, gained: User | None, lost: User | None
) -> dict[str, list[str]]:
    """Keep readers in step with the list: a login gained is a reader; one lost, that no other
    entry names, no longer is. Returns what changed, for the audit event."""
    changed: dict[str, list[str]] = {}
    if lost is not None and lost != gained:
        still = any(entry_reader(e) == lost for e in distribution_entries(periodical))
        if not still and periodical.readers.filter(pk=lost.pk).exists():
            periodical.readers.remove(lost)
            changed["readers_removed"] = [lost.username]
    # Only a login newly on the list: one the chief took off by hand stays off on other edits.
    if gained is not None and gained != lost and gained.is_active:
        if not periodical.readers.filter(pk=gained.pk).exists():
            periodical.readers.add(gained)
            changed["readers_added"] = [gained.username]
    return changed


def _lock(periodical: Periodical) -> Periodical:
    return Periodical.objects.select_for_update(no_key=True).get(pk=periodical.pk)


@transaction.atomic
def add_distribution_entry(
    *,
    user: User,
    periodical: Periodical,
    data: EntryData,
    request: HttpRequest | None = None,
) -> DistributionEntry:
    """A recipient at the end of its group; its login, if any, becomes a reader."""
    require_setup(user)
    periodical = _lock(periodical)
    data = _clean_entry(data)
    last = periodical.distribution_entries.aggregate(m=Max("position"))["m"] or 0
    entry = DistributionEntry.objects.create(
        periodical=periodical,
        group=data.group,
        label=data.label,
        person=data.person,
        user=data.user,
        copies=data.copies,
        position=last + 1,
    )
    readers = _follow_readers(periodical, gained=entry_reader(entry), lost=None)
    record(
        actor=user,
        action="periodical.distribution_add",
        obj=periodical,
        summary={"periodical": periodical.name, **_entry_summary(entry), **readers},
        request=request,
    )
    return entry


@transaction.atomic
def update_distribution_entry(
    *,
    user: User,
    entry: DistributionEntry,
    data: EntryData,
    request: HttpRequest | None = None,
) -> DistributionEntry:
    require_setup(user)
    periodical = _lock(entry.periodical)
    entry = periodical.distribution_entries.select_related("person__user", "user").get(pk=entry.pk)
    data = _clean_entry(data)
    before, lost = _entry_summary(entry), entry_reader(entry)
    entry.group, entry.label, entry.copies = data.group, data.label, data.copies
    entry.person, entry.user = data.person, data.user
    entry.save()
    readers = _follow_readers(periodical, gained=entry_reader(entry), lost=lost)
    record(
        actor=user,
        action="periodical.distribution_update",
        obj=periodical,
        summary={
            "periodical": periodical.name,
            "before": before,
            "after": _entry_summary(entry),
            **readers,
        },
        request=request,
    )
    return entry


@transaction.atomic
def remove_distribution_entry(
    *, user: User, entry: DistributionEntry, request: HttpRequest | None = None
) -> None:
    """Take a recipient off the list; its login stops reading unless another entry names it."""
    require_setup(user)
    periodical = _lock(entry.periodical)
    entry = periodical.distribution_entries.select_related("person__user", "user").get(pk=entry.pk)
    summary, lost = _entry_summary(entry), entry_reader(entry)
    entry.delete()
    readers = _follow_readers(periodical, gained=None, lost=lost)
    record(
        actor=user,
        action="periodical.distribution_remove",
        obj=periodical,
        summary={"periodical": periodical.name, **summary, **readers},
        request=request,
    )


@transaction.atomic
def add_reader(
    *, user: User, periodical: Periodical, reader: User, request: HttpRequest | None = None
) -> None:
    require_setup(user)
    periodical = _lock(periodical)
    if not reader.is_active:
        raise ValidationError({"reader": _("This login is disabled.")})
    if periodical.readers.filter(pk=reader.pk).exists():
        raise ValidationError(
            {"reader": _("%(user)s already reads %(name)s.") % {"user": reader, "name": periodical}}
        )
    periodical.readers.add(reader)
    record(
        actor=user,
        action="periodical.reader_add",
        obj=periodical,
        summary={"periodical": periodical.name, "reader": reader.username},
        request=request,
    )


@transaction.atomic
def remove_reader(
    *, user: User, periodical: Periodical, reader: User, request: HttpRequest | None = None
) -> None:
    require_setup(user)
    periodical = _lock(periodical)
    if not periodical.readers.filter(pk=reader.pk).exists():
        raise ValidationError(
            _("%(user)s does not read %(name)s.") % {"user": reader, "name": periodical}
        )
    periodical.readers.remove(reader)
    record(
        actor=user,
        action="periodical.reader_remove",
        obj=periodical,
        summary={"periodical": periodical.name, "reader": reader.username},
        request=request,
    )


# --- sign-off routing -------------------------------------------------------------------------


@transaction.atomic
def set_routes(
    *, user: User, table: Mapping[str, str], request: HttpRequest | None = None
) -> dict[str, str]:
    """Set the signer role for each urgency given; ``submit`` and ``check`` route by it.

    Issues already waiting for a signature keep the signer they were sent to.
    """
    require_setup(user)
    errors = {}
    for urgency, role in table.items():
        if urgency not in Urgency.values:
            errors[urgency] = _("Unknown urgency.")
        elif role not in SIGNER_ROLES:
            errors[urgency] = _("Choose a leader who signs issues.")
    if errors:
        raise ValidationError(errors)
    before = routes()
    changes = {}
    for urgency, role in table.items():
        SignRoute.objects.update_or_create(urgency=urgency, defaults={"signer_role": role})
        if before.get(urgency) != role:
            changes[urgency] = [before.get(urgency), role]
    if changes:
        record(
            actor=user,
            action="periodical.routes",
            summary={"changes": changes},
            request=request,
        )
    return routes()
