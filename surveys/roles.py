"""Roles are Django groups with permissions; views check the permissions.

- Interviewers record interviews in the waves they are assigned to.
- Coders code open answers.
- Researchers analyse waves, download data, edit codebooks and set final codes.
- Admins (superusers, or members of "Admins", who are staff) run waves in the admin:
  besides the role permissions, "Admins" has the admin-site permissions in
  ``ADMIN_SITE_PERMISSIONS``.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

INTERVIEWERS = "Interviewers"
CODERS = "Coders"
RESEARCHERS = "Researchers"
ADMINS = "Admins"

CONDUCT_INTERVIEWS = "surveys.conduct_interviews"
CODE_ANSWERS = "surveys.code_answers"
MANAGE_CODEBOOKS = "surveys.manage_codebooks"
ANALYSE_WAVES = "surveys.analyse_waves"

# group -> permission codenames (app "surveys"); used by the data migration.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    INTERVIEWERS: ["conduct_interviews"],
    CODERS: ["code_answers"],
    RESEARCHERS: ["analyse_waves", "manage_codebooks", "code_answers"],
    ADMINS: ["analyse_waves", "manage_codebooks", "code_answers", "conduct_interviews"],
}

# The admin-site permissions of "Admins" (model -> actions, app "surveys"): what it
# takes to build instruments and run waves in the admin. Responses are corrected, not
# created or deleted there; answers are only read. Applied by migration 0004.
ADMIN_SITE_PERMISSIONS: dict[str, list[str]] = {
    "instrument": ["view", "add", "change", "delete"],
    "section": ["view", "add", "change", "delete"],
    "question": ["view", "add", "change", "delete"],
    "scale": ["view", "add", "change", "delete"],
    "option": ["view", "add", "change", "delete"],
    "block": ["view", "add", "change", "delete"],
    "questionaddition": ["view"],  # the record of questions added to running waves
    "wave": ["view", "add", "change", "delete"],
    "waveoptionset": ["view", "add", "change", "delete"],
    "invitation": ["view", "add", "change", "delete"],
    "response": ["view", "change"],
    "answer": ["view"],
}


def admin_site_codenames() -> list[str]:
    """``ADMIN_SITE_PERMISSIONS`` as permission codenames ("change_wave", ...)."""
    return [f"{action}_{model}" for model, actions in ADMIN_SITE_PERMISSIONS.items() for action in actions]


def user_is_admin(user: AbstractBaseUser) -> bool:
    """Superusers and members of the Admins group."""
    return bool(user.is_superuser or user.groups.filter(name=ADMINS).exists())


def permission_required(perm: str) -> Callable:
    """Anonymous users are sent to log in; signed-in users without ``perm`` are refused
    (``PermissionDenied``: the 403 handler renders the message page)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
