from django.urls import path

from . import views

app_name = "submissions"
urlpatterns = [
    path("deel-jouw-initiatief/", views.new, name="new"),
    path("mijn-initiatieven/", views.mine, name="mine"),
    path("mijn-initiatieven/concept/<int:pk>/", views.edit, name="edit"),
    path(
        "mijn-initiatieven/concept/<int:pk>/verwijderen/",
        views.delete,
        name="delete",
    ),
    path(
        "mijn-initiatieven/concept/<int:pk>/bestanden/<int:file_id>/",
        views.attached_file,
        name="file",
    ),
    path(
        "mijn-initiatieven/praktijk/<int:page_id>/wijzigen/",
        views.propose_update,
        name="update",
    ),
]
