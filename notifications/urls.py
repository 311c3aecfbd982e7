from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("alles-gelezen/", views.mark_all_read, name="mark_all_read"),
    path("volgen/", views.follow, name="follow"),
    path("instellingen/", views.notification_settings, name="settings"),
    path("zoekopdrachten/volgen/", views.save_search, name="save_search"),
    path("zoekopdrachten/<int:pk>/naam/", views.rename_search, name="rename_search"),
    path(
        "zoekopdrachten/<int:pk>/verwijderen/",
        views.remove_search,
        name="remove_search",
    ),
    path("afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "afmelden-contactpersoon/<str:token>/",
        views.contact_opt_out,
        name="contact_opt_out",
    ),
]
