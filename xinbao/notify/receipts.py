"""Placeholder for the SMS delivery-receipt callback."""

from django.http import HttpRequest, HttpResponse


def sms_status(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
