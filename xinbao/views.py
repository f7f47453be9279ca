"""The home page: what needs the user's action, per role.

Each app contributes its sections (``xinbao/<app>/home.py``, registered with ``xinbao.lib.home``);
this page only puts them in order, so it imports no app.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from xinbao.lib.home import sections_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # Each section sees its own context only (no context processors: the page's layout has
    # already run them once).
    sections = [render_to_string(s.template, dict(s.context)) for s in sections_for(request.user)]
    return render(request, "home.html", {"sections": sections})
