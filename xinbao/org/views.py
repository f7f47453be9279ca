"""Placeholder views, replaced by the org screens."""

from django.http import HttpRequest, HttpResponse


def unit_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


person_list = unit_list
import_view = unit_list
