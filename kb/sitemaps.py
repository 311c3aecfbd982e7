"""sitemap.xml: Wagtail's live, public pages plus the public non-Wagtail pages."""

from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticViewSitemap(Sitemap):
    """Listings that are views, not Wagtail pages."""

    changefreq = "daily"

    def items(self):
        return ["community:index", "practices:regions", "editorial:collections"]

    def location(self, item):
        return reverse(item)


class QuestionSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        from community.models import Question

        return Question.objects.public().only("pk", "title", "last_activity_at")

    def lastmod(self, question):
        return question.last_activity_at


class RegionSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        from practices.models import CareOfficeRegion

        return CareOfficeRegion.objects.order_by("name").only("slug")

    def location(self, region):
        return reverse("practices:region", args=[region.slug])


class CollectionSitemap(Sitemap):
    """Collections the collection index shows: those with a live practice."""

    changefreq = "weekly"

    def items(self):
        from editorial.models import Collection
        from practices.models import PracticePage

        live_ids = PracticePage.objects.live().public().values("pk")
        return (
            Collection.objects.filter(items__practice__in=live_ids)
            .distinct()
            .order_by("title")
            .only("slug", "title")
        )


SITEMAPS = {
    "pages": WagtailSitemap,
    "views": StaticViewSitemap(),
    "questions": QuestionSitemap(),
    "regions": RegionSitemap(),
    "collections": CollectionSitemap(),
}
