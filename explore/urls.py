from django.urls import path

from . import compare, exports, gaps, regions, views

urlpatterns = [
    path("zoeken/", views.search_page, name="search"),
    path("zoeken/suggesties/", views.search_suggestions, name="search_suggestions"),
    path("api/v1/practices/", views.practices_api, name="api_practices"),
    path("api/v1/practices.csv", exports.practices_csv, name="api_practices_csv"),
    path("api/v1/practices.xlsx", exports.practices_xlsx, name="api_practices_xlsx"),
    path(
        "feeds/praktijkvoorbeelden.atom", views.PracticesFeed(), name="feed_practices"
    ),
    path("regio/", regions.region_index, name="regions"),
    path("regio/<slug:slug>/", regions.region_detail, name="region"),
    path("vergelijk/", compare.compare, name="compare"),
    path("witte-vlekken/", gaps.gaps, name="gaps"),
    path("witte-vlekken/nog-niets/", gaps.gap_detail, name="gaps_empty"),
    path("witte-vlekken.csv", gaps.gaps_csv, name="gaps_csv"),
    path("witte-vlekken.xlsx", gaps.gaps_xlsx, name="gaps_xlsx"),
]
