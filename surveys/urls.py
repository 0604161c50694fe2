from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.wave_entry, name="wave_entry"),
    path("w/<slug:slug>/resume/<str:token>/", views.wave_resume, name="resume"),
    path("w/<slug:slug>/page/<int:step>/", views.response_step, name="step"),
    path("w/<slug:slug>/review/", views.response_review, name="review"),
    path("w/<slug:slug>/saved/", views.response_saved, name="saved"),
    path("w/<slug:slug>/saved/e-mail/", views.response_saved_email, name="saved_email"),
    path("w/<slug:slug>/thanks/", views.response_thanks, name="thanks"),
    path("i/<str:token>/", views.invitation_entry, name="invitation"),
    path("w/<slug:slug>/preview/", views.wave_preview, name="preview"),
    path("w/<slug:slug>/preview/page/<int:step>/", views.wave_preview_step, name="preview_step"),
    path("w/<slug:slug>/preview/review/", views.wave_preview_review, name="preview_review"),
]
