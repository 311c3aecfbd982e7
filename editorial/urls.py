from django.urls import path

from . import views

app_name = "editorial"
urlpatterns = [
    path("collecties/", views.collection_index, name="collections"),
    path("collecties/<slug:slug>/", views.collection_detail, name="collection"),
    path(
        "initiatief-actueel/<str:token>/",
        views.confirm_current,
        name="confirm_current",
    ),
]
