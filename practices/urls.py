from django.urls import path

from . import regions

app_name = "practices"
urlpatterns = [
    path("regio/", regions.region_index, name="regions"),
    path("regio/<slug:slug>/", regions.region_detail, name="region"),
]
