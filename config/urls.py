from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from config.views import staff_home

urlpatterns = [
    # browsers ask for /favicon.ico on pages that name no icon (the admin's): no 404 in the console
    path("favicon.ico", lambda request: redirect(static("favicon.svg"), permanent=True)),
    # The admin's login page shows "Forgotten your password?" when this name exists;
    # it leads to the same reset pages as /accounts/password_reset/.
    path("admin/password_reset/", auth_views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # login, logout, password_change, password_reset (+ done/confirm/complete): the
    # templates are in templates/registration/; logins are throttled by django-axes.
    path("accounts/home/", staff_home, name="staff_home"),  # each role's home, after logging in
    path("accounts/", include("django.contrib.auth.urls")),
    path("analysis/", include("analysis.urls")),
    path("interviews/", include("surveys.interviews.urls")),
    path("coding/", include("surveys.coding.urls")),
    path("fieldwork/", include("surveys.fieldwork.urls")),
    path("", include("surveys.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
