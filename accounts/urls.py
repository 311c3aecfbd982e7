from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("account/", views.edit, name="edit"),
    path("account/gegevens/", views.export, name="export"),
    path("account/verwijderen/", views.delete, name="delete"),
    # A random id (Profile.public_id), never the account's number.
    path("<slug:public_id>/", views.profile, name="profile"),
]
