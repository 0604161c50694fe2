"""The project's message page and the error handlers that render it.

Views raise ``Http404`` / ``PermissionDenied`` for missing objects and refused access; the
handlers below render ``message.html`` in the site's layout. ``PageNotFound`` and
``AccessDenied`` carry a title of their own when the default one would not say enough (for
example "Survey not found"); their message is the exception's text.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.translation import gettext as _


class PageNotFound(Http404):
    """A 404 with the title and message its page shows."""

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.title = title


class AccessDenied(PermissionDenied):
    """A 403 with the title and message its page shows."""

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.title = title


def message_page(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    """The project's one message page: a title, a sentence and a link to the start page."""
    return render(request, "message.html", {"title": title, "message": message}, status=status)


def _text(exception: Exception | None, default: str) -> str:
    """The exception's own message if it was raised with one (Django's resolver passes a dict)."""
    args = getattr(exception, "args", ())
    return str(args[0]) if args and isinstance(args[0], str) and args[0] else default


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return message_page(request, title=getattr(exception, "title", None) or _("Page not found"),
                        message=_text(exception, _("There is nothing at this address.")), status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return message_page(request, title=getattr(exception, "title", None) or _("Access denied"),
                        message=_text(exception, _("Your account does not have access to this page.")), status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from them.
    html = get_template("500.html").render({})
    return HttpResponse(html, status=500)


def staff_home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in member of staff lands (after logging in, and from the header): the home of
    their role. Admins go to the admin, researchers to the analyses, coders to their coding queue,
    interviewers to their interviews; anyone else to the start page. Anonymous visitors log in."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect

    from surveys import roles

    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_staff and roles.user_is_admin(user):
        return redirect("admin:index")
    for permission, home in ((roles.ANALYSE_WAVES, "analysis:index"), (roles.CODE_ANSWERS, "coding:home"),
                             (roles.CONDUCT_INTERVIEWS, "interviews:home")):
        if user.has_perm(permission):
            return redirect(home)
    return redirect("surveys:home")
