from django.urls import path

from . import views

app_name = "interviews"

urlpatterns = [
    path("", views.interview_home, name="home"),
    path("w/<slug:slug>/", views.wave_interviews, name="wave"),
    path("w/<slug:slug>/start/", views.interview_start, name="start"),
    path("record/<uuid:uuid>/", views.interview_edit, name="edit"),
    path("record/<uuid:uuid>/autosave/", views.interview_autosave, name="autosave"),
    path("record/<uuid:uuid>/complete/", views.interview_complete, name="complete"),
    path("record/<uuid:uuid>/correct/<slug:question>/", views.answer_correct, name="correct"),
    path("record/<uuid:uuid>/history/", views.interview_history, name="history"),
]
