"""Who signs an issue: sign-off routing as data, and the direct route (首接直报).

The routing table (:class:`~xinbao.periodicals.models.SignRoute`) maps the urgency of an issue's
most urgent item to the role that signs it; a periodical may instead name a fixed signer. An
issue holding major emergency information may be sent by any office role straight to the
principal leader, skipping the section check.
"""

from __future__ import annotations

from collections.abc import Iterable

from xinbao.accounts.models import Role, User
from xinbao.items.models import Urgency
from xinbao.periodicals.models import Issue, SignerRule, SignRoute

#: Urgencies from the least to the most urgent, as ``xinbao.items.models.Urgency`` orders them.
URGENCY_ORDER: tuple[str, ...] = tuple(u.value for u in Urgency)
#: Roles that sign issues at all.
SIGNER_ROLES = frozenset({Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER})
#: Office roles that may send major emergency information straight to the top signer.
DIRECT_ROUTE_ROLES = frozenset({Role.EDITOR, Role.DUTY_OFFICER, Role.SECTION_CHIEF})
#: The signer of the direct route, and the fallback when the table has no row for an urgency:
#: an unknown case goes to the highest signer rather than slipping past them.
TOP_SIGNER = Role.PRINCIPAL_LEADER


def most_urgent(urgencies: Iterable[str]) -> str:
    """The most urgent of ``urgencies`` (routine for none, so an empty issue routes normally)."""
    ranked = [URGENCY_ORDER.index(u) for u in urgencies if u in URGENCY_ORDER]
    return URGENCY_ORDER[max(ranked)] if ranked else Urgency.ROUTINE.value


def issue_urgencies(issue: Issue) -> list[str]:
    return list(issue.entries.values_list("item__urgency", flat=True))


def signer_for_urgency(urgency: str) -> str:
    route = SignRoute.objects.filter(urgency=urgency).first()
    return route.signer_role if route is not None else TOP_SIGNER.value


def required_signer(issue: Issue) -> str:
    """The role that must sign ``issue``: the direct route's, the periodical's fixed rule, or
    the routing table's for the most urgent item."""
    if issue.direct_route:
        return TOP_SIGNER.value
    rule = issue.periodical.signer_rule
    if rule == SignerRule.LEADER_IN_CHARGE:
        return Role.LEADER_IN_CHARGE.value
    if rule == SignerRule.PRINCIPAL_LEADER:
        return Role.PRINCIPAL_LEADER.value
    return signer_for_urgency(most_urgent(issue_urgencies(issue)))


def may_sign(user: User, issue: Issue) -> bool:
    """Only a user holding the issue's signer role signs it."""
    role = issue.signer_role or required_signer(issue)
    return user.is_active and user.role == role


def direct_route_open(issue: Issue) -> bool:
    """The direct route is open to an issue that holds major emergency information."""
    return issue.entries.filter(item__urgency=Urgency.MAJOR_EMERGENCY).exists()


def signer_label(role: str) -> str:
    """The role's name for people ("Principal leader"), or the raw value if unknown."""
    try:
        return str(Role(role).label)
    except ValueError:
        return role
