"""sitemap.xml: Wagtail's live, public pages plus the public non-Wagtail pages.

Every location starts with the configured base URL (core.site_url: SITE_URL,
or without one the host the sitemap was asked on, `sitemap` below), never
with the hostname of Wagtail's Site record ("localhost" in the demo).
"""

from urllib.parse import urlsplit

from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.urls import reverse

from community.models import Question
from core.site_url import base_url, links_for, site_url
from editorial.models import Collection
from practices.models import CareOfficeRegion, PracticePage


class Sitemap(DjangoSitemap):
    """A sitemap whose locations start with the configured base URL."""

    def get_urls(self, page=1, site=None, protocol=None):
        base = urlsplit(base_url())
        return self._urls(page, base.scheme, base.netloc + base.path)


class PageSitemap(WagtailSitemap):
    """Wagtail's live, public pages, at their paths on the base URL."""

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url_info in urls:
            url_info["location"] = site_url(url_info["location"])
        return urls


class StaticViewSitemap(Sitemap):
    """Listings that are views, not Wagtail pages."""

    changefreq = "daily"

    def items(self):
        return ["community:index", "regions", "editorial:collections"]

    def location(self, item):
        return reverse(item)


class QuestionSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return Question.objects.public().only("pk", "title", "last_activity_at")

    def lastmod(self, question):
        return question.last_activity_at


class RegionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return CareOfficeRegion.objects.order_by("name").only("slug")

    def location(self, region):
        return reverse("region", args=[region.slug])


class CollectionSitemap(Sitemap):
    """Collections the collection index shows: those with a live practice."""

    changefreq = "weekly"

    def items(self):
        live_ids = PracticePage.objects.reachable().values("pk")
        return (
            Collection.objects.filter(items__practice__in=live_ids)
            .distinct()
            .order_by("title")
            .only("slug", "title")
        )


SITEMAPS = {
    "pages": PageSitemap,
    "views": StaticViewSitemap(),
    "questions": QuestionSitemap(),
    "regions": RegionSitemap(),
    "collections": CollectionSitemap(),
}


def sitemap(request):
    """Wagtail's sitemap view, its locations on the base URL for this request."""
    with links_for(request):
        return wagtail_sitemap(request, sitemaps=SITEMAPS)
