from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("", views.wave_list, name="index"),
    path("compare/", views.compare, name="compare"),
    path("check-percentages/", views.check_percentages, name="check_percentages"),
    path("w/<slug:slug>/", views.wave_report, name="report"),
    path("w/<slug:slug>/download/<slug:name>.<str:fmt>", views.download, name="download"),
]
