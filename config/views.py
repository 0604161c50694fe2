"""Friendly error pages in the site's layout."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "surveys/unavailable.html", {
        "title": _("Page not found"), "message": _("There is nothing at this address."),
    }, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from them.
    html = get_template("500.html").render({})
    return HttpResponse(html, status=500)
