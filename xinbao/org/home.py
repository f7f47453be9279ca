"""Home-page section of org: what a new office still lacks, for the system administrator."""

from __future__ import annotations

from xinbao.accounts.models import Role, User
from xinbao.lib.home import Section, register
from xinbao.lib.readiness import missing_steps


@register(10)
def setup_steps(user: User) -> Section | None:
    if user.role != Role.SYSTEM_ADMIN:
        return None
    # The calendar has its own section, with the detail of each year.
    steps = [s for s in missing_steps() if not s.key.startswith("calendar_")]
    return Section("org/partials/_home_setup.html", {"setup_steps": steps})
