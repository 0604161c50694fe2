"""The admin site (``admin.site``, through ``config.apps.AdminConfig``).

Its home page shows the waves panel (``config.admin_dashboard``) above the list of apps. Every
ModelAdmin registered on it, the project's and other apps' (users, groups, lock-outs, task results),
gets the shared presentation of ``surveys.admin_mixins``: titles, add buttons and "Add another"
links that name the model in the accusative, and yes/no icons with translated text.
"""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from surveys.admin_mixins import DeclinedTitlesMixin, YesNoIconsMixin

from .admin_dashboard import wave_rows


class SurveyAdminSite(admin.AdminSite):
    site_header = _("Cluster Readiness Survey")
    site_title = _("Cluster Readiness Survey")
    index_title = _("Administration")

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclinedTitlesMixin):
            admin_class = type(admin_class.__name__, (DeclinedTitlesMixin, YesNoIconsMixin, admin_class), {
                "__module__": admin_class.__module__, "__doc__": admin_class.__doc__,
                "__qualname__": admin_class.__qualname__})
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        return super().index(request, {"wave_rows": wave_rows(request.user), **(extra_context or {})})
