from django.urls import path

from . import views

app_name = "coding"

urlpatterns = [
    path("", views.coding_home, name="home"),
    path("codebooks/", views.codebook_index, name="codebooks"),
    path("codebooks/<int:pk>/", views.codebook_detail, name="codebook"),
    path("codebooks/<int:pk>/design/", views.codebook_design, name="codebook_design"),
    path("codebooks/<int:pk>/add/", views.category_add, name="category_add"),
    path("codebooks/<int:pk>/categories/<int:category_pk>/", views.category_edit, name="category_edit"),
    path("codebooks/<int:pk>/merge/", views.category_merge, name="merge"),
    path("w/<slug:slug>/<slug:question>/next/", views.coding_next, name="next"),
    path("w/<slug:slug>/<slug:question>/consensus/", views.consensus_list, name="consensus"),
    path("w/<slug:slug>/<slug:question>/<uuid:uuid>/", views.coding_unit, name="unit"),
    path("w/<slug:slug>/<slug:question>/<uuid:uuid>/consensus/", views.consensus_unit, name="consensus_unit"),
]
