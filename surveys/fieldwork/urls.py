from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.wave_list, name="index"),
    path("w/<slug:slug>/", views.dashboard, name="dashboard"),
    path("w/<slug:slug>/messages/", views.compose, name="compose"),
    path("w/<slug:slug>/invitations/", views.invitation_list, name="invitations"),
    path("w/<slug:slug>/retry/", views.retry_failed, name="retry"),
    path("w/<slug:slug>/partial-responses.csv", views.partial_csv, name="partial_csv"),
    path("w/<slug:slug>/jobs/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("opt-out/<str:token>/", views.opt_out, name="opt_out"),
]
