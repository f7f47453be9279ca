"""The panel collection adds to an incident's page: the posts attached to it."""

from __future__ import annotations

from xinbao.accounts.models import User
from xinbao.incidents.models import Incident
from xinbao.lib.panels import Panel, register
from xinbao.monitor.access import can_read
from xinbao.monitor.models import PostIncident


@register(kind="incident", order=50)
def attached_posts(user: User, incident: Incident) -> Panel | None:
    """The posts attached to the incident, newest attachment first; none, no panel. Whoever
    sees the incident sees their titles (public web content); readers of posts get links."""
    links = list(PostIncident.objects.filter(incident=incident).select_related("post__source"))
    if not links:
        return None
    return Panel(
        "monitor/partials/_incident_posts.html", {"links": links, "can_read": can_read(user)}
    )
