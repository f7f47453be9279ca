"""Who may do what with periodicals, issues and instructions; permission-checked getters.

The information section (editors, section chiefs) and the duty officer see every issue; leaders
see what has reached them (from awaiting signature on); a reader sees the distributed issues of
the periodicals they read; a reporter sees only the instructions addressed to their unit. A
user who may not see an object gets ``Http404``, never a hint that it exists.
"""

from __future__ import annotations

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from xinbao.accounts.models import Role, User
from xinbao.lib.labels import Sensitivity
from xinbao.periodicals.models import (
    Instruction,
    Issue,
    IssueItem,
    IssueState,
    Periodical,
)
from xinbao.periodicals.routing import DIRECT_ROUTE_ROLES, SIGNER_ROLES

#: Who compiles issues, checks, distributes and archives them, and closes instructions.
COMPILER_ROLES = frozenset({Role.EDITOR, Role.SECTION_CHIEF})
#: Who sees every issue: the compilers and, for the direct route, the duty officer.
ISSUE_STAFF_ROLES = COMPILER_ROLES | DIRECT_ROUTE_ROLES
#: Who sees the whole instruction ledger.
LEDGER_ROLES = ISSUE_STAFF_ROLES | SIGNER_ROLES
#: States a leader may see an issue in: it has reached them or gone past them.
LEADER_STATES = (
    IssueState.AWAITING_SIGNATURE,
    IssueState.SIGNED,
    IssueState.DISTRIBUTED,
    IssueState.ARCHIVED,
)
#: States a reader sees in the reading room.
READING_STATES = (IssueState.DISTRIBUTED, IssueState.ARCHIVED)
_NOT_READING = tuple(s for s in IssueState if s not in READING_STATES)


def can_compile(user: User) -> bool:
    return user.role in COMPILER_ROLES


def is_issue_staff(user: User) -> bool:
    return user.role in ISSUE_STAFF_ROLES


def is_signer(user: User) -> bool:
    return user.role in SIGNER_ROLES


def can_see_ledger(user: User) -> bool:
    return user.role in LEDGER_ROLES


def visible_periodicals(user: User) -> QuerySet[Periodical]:
    if is_issue_staff(user):
        return Periodical.objects.all()
    return Periodical.objects.none()


def access_periodical(user: User, pk: int) -> Periodical:
    try:
        return visible_periodicals(user).get(pk=pk)
    except Periodical.DoesNotExist:
        raise Http404 from None


def within_clearance(qs: QuerySet[Issue], user: User) -> QuerySet[Issue]:
    """The issues of ``qs`` whose label (:func:`issue_label`) is within ``user``'s clearance."""
    level = user.clearance_level
    return qs.exclude(entries__item__sensitivity__gt=level).exclude(
        entries__pictures__attachment__sensitivity__gt=level
    )


def issue_label(issue: Issue) -> Sensitivity:
    """An issue carries the highest label of its items and of the pictures chosen for it."""
    found = issue.entries.aggregate(
        item=Max("item__sensitivity"), picture=Max("pictures__attachment__sensitivity")
    )
    return Sensitivity(max([v for v in found.values() if v is not None], default=1))


def reading_issues(user: User) -> QuerySet[Issue]:
    """Distributed issues of the periodicals ``user`` reads, within their clearance."""
    # The readers as EXISTS per issue, not a join: the join made the databases start from the
    # reader's periodicals and test the clearance of every issue they ever had before sorting;
    # this way the newest-first list walks ``issue_reading_order`` and stops after a page.
    reads = Exists(
        Periodical.readers.through.objects.filter(
            periodical_id=OuterRef("periodical_id"), user_id=user.pk
        )
    )
    # The states as "none of the others" (the same set): a state index would otherwise be
    # chosen for the IN list, and every issue ever distributed read and sorted.
    qs = Issue.objects.filter(reads).exclude(state__in=_NOT_READING)
    return within_clearance(qs, user)


def visible_issues(user: User) -> QuerySet[Issue]:
    """Issues ``user`` may open, never one labelled above their clearance."""
    qs = within_clearance(Issue.objects.all(), user)
    if is_issue_staff(user):
        return qs
    reads = Q(periodical__readers=user, state__in=READING_STATES)
    if is_signer(user):
        return qs.filter(Q(state__in=LEADER_STATES) | reads).distinct()
    return qs.filter(reads).distinct()


def access_issue(user: User, pk: int) -> Issue:
    try:
        return visible_issues(user).select_related("periodical").get(pk=pk)
    except Issue.DoesNotExist:
        raise Http404 from None


def access_staff_issue(user: User, pk: int) -> Issue:
    """An issue on the section's pages (compiling, checking): staff only, others 404."""
    if not is_issue_staff(user):
        raise Http404
    return access_issue(user, pk)


def access_signer_issue(user: User, pk: int) -> Issue:
    """An issue on the leaders' phone pages: leaders only, from awaiting signature on."""
    if not is_signer(user):
        raise Http404
    qs = within_clearance(Issue.objects.filter(state__in=LEADER_STATES), user)
    try:
        return qs.select_related("periodical").get(pk=pk)
    except Issue.DoesNotExist:
        raise Http404 from None


def access_reading(user: User, pk: int) -> Issue:
    try:
        return reading_issues(user).select_related("periodical").get(pk=pk)
    except Issue.DoesNotExist:
        raise Http404 from None


def access_entry(issue: Issue, pk: int) -> IssueItem:
    try:
        return issue.entries.select_related("item", "item__unit").get(pk=pk)
    except IssueItem.DoesNotExist:
        raise Http404 from None


def visible_instructions(user: User) -> QuerySet[Instruction]:
    """The office sees the whole ledger; a reporter sees what was sent to their unit."""
    if can_see_ledger(user):
        return Instruction.objects.all()
    if user.is_reporter and user.unit_id is not None:
        return Instruction.objects.filter(units=user.unit_id).distinct()
    return Instruction.objects.none()


def access_instruction(user: User, pk: int) -> Instruction:
    try:
        return visible_instructions(user).select_related("leader", "item", "issue").get(pk=pk)
    except Instruction.DoesNotExist:
        raise Http404 from None
