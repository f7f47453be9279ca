"""Placeholder views, replaced by the notification pages."""

from django.http import HttpRequest, HttpResponse


def centre(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


bell = read = preferences = ack = deliveries = delivery_detail = delivery_retry = centre
calls = call_record = template_preview = centre
