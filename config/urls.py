from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("analysis/", include("analysis.urls")),
    path("interviews/", include("surveys.interviews.urls")),
    path("coding/", include("surveys.coding.urls")),
    path("", include("surveys.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
