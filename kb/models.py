"""The site's own pages: the home page and editor-written content pages."""

import hashlib

from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from community.authors import with_author_badges
from community.caching import depend_on_listings
from community.models import Question
from core.cache import depends_on, model_name, page_name, prepare_fragments
from editorial.models import Collection
from practices.models import (
    PracticeIndexPage,
    PracticePage,
    practices_with_card_data,
)
from search.query import SearchQuery
from search.service import search

BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


# How long a route found below the home page is remembered (see HomePage.route).
ROUTE_SECONDS = 600


class HomePage(Page):
    """The front door: search, the ways in (regions, questions, sharing an
    initiative), featured and newest practices, the newest questions and the
    counts per province."""

    intro = models.CharField(
        _("introduction"),
        max_length=300,
        blank=True,
        help_text=_("One sentence under the site name."),
    )
    # Six cards fill whole rows of one, two or three columns.
    newest_count = 6
    newest_questions_count = 5

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("featured_practices", label=_("featured practices"), max_num=6),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["practices.PracticeIndexPage", "kb.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Wagtail's route, remembered: a page below the home page is found
        with one query instead of two per level of the tree (two the first
        time, see `_route_by_address`).

        The page found is remembered with its place in the tree (its
        url_path) and used again only while it is live and still there:
        moving it, or renaming it or a page above it, changes its url_path,
        so a remembered route follows the page tree without a version that
        every publish would bump. Only plain routes to a page are remembered
        (no sub-routes with arguments).
        """
        if not path_components:
            return super().route(request, path_components)
        path = hashlib.sha256("/".join(path_components).encode()).hexdigest()
        key = f"route:{self.pk}:{path}"
        remembered = cache.get(key)
        if remembered is not None and len(remembered) == 3:
            model_label, pk, url_path = remembered
            page = apps.get_model(model_label).objects.filter(
                pk=pk, live=True, url_path=url_path
            )
            if page := page.first():
                return RouteResult(page)
        result = self._route_by_address(path_components) or super().route(
            request, path_components
        )
        page, args, kwargs = result
        if not args and not kwargs:
            cache.set(key, (page._meta.label, page.pk, page.url_path), ROUTE_SECONDS)
        return result

    def _route_by_address(self, path_components):
        """What Wagtail's route finds, in two queries: the pages on the way,
        by their url_path, then the last one's own fields. None (Wagtail
        routes) when a page is missing, or one on the way routes its own way
        (sub-routes), or the page is not live."""
        prefixes = [
            self.url_path + "/".join(path_components[:depth]) + "/"
            for depth in range(1, len(path_components) + 1)
        ]
        found = {
            page.url_path: page
            for page in Page.objects.filter(
                slug__in=path_components, path__startswith=self.path
            )  # by the slug's index; url_path has none
            if page.url_path in prefixes
        }
        if len(found) != len(prefixes):
            return None
        pages = [self, *(found[prefix] for prefix in prefixes)]
        if any(
            getattr(page.specific_class, "route", None) is not Page.route
            for page in pages[1:]
        ):
            return None
        if not pages[-1].live:
            return None
        page = pages[-1].specific
        page._cached_parent_obj = pages[-2]  # the breadcrumb, without a query
        return RouteResult(page)

    def get_context(self, request, *args, **kwargs):
        """The page's content is one cached part (templates/kb/home_page.html),
        drawn from `listing` only when the part is not in the cache: the
        practices' cards and their images are not looked up again on every
        request. The part depends on this page (its intro, the featured
        practices), every list of practices, the collections and the search
        index (the counts), and the community's lists of questions (read
        while it is drawn, see `newest_questions`); the site's structure
        besides (core.cache)."""
        context = super().get_context(request, *args, **kwargs)
        preview = getattr(request, "is_preview", False)  # a preview keeps nothing
        fragments = prepare_fragments(
            {"content": "" if preview else f"home:{self.cache_key}"},
            names=[
                page_name(self.pk),
                model_name(PracticePage),
                model_name(Collection),
            ],
        )
        context["fragments"] = fragments
        context["listing"] = SimpleLazyObject(self.listing)
        return context

    def listing(self):
        """What the home page lists: featured and newest practices, the
        newest questions, the count per province and in all, and the practice
        index."""
        live_practices = PracticePage.objects.reachable()
        featured_ids = [
            item.practice_id
            for item in self.featured_practices.all()
            if item.practice_id
        ]
        featured = {
            practice.pk: practice
            for practice in practices_with_card_data(
                live_practices.filter(pk__in=featured_ids)
            )
        }
        # The map counts what search finds, so a tile's number is what its
        # link shows; one browse search.
        browse = search(SearchQuery(page_size=1))
        return {
            "featured": [featured[pk] for pk in featured_ids if pk in featured],
            "newest": practices_with_card_data(
                live_practices.order_by("-first_published_at", "-pk")
            )[: self.newest_count],
            "newest_questions": self.newest_questions(),
            "province_counts": browse.facet("provincie"),
            "practice_total": browse.total,
            "practice_index": (
                self.get_children().type(PracticeIndexPage).live().specific().first()
            ),
        }

    def newest_questions(self):
        """The newest questions everyone may see, with their authors' badges.
        Read while the home page's part is drawn, so the part depends on the
        community's lists (community.caching), which asking, answering,
        hiding or a renamed asker make stale, as they do the community's own
        list."""
        depend_on_listings()
        questions = Question.objects.public().order_by("-created_at", "-pk")
        return list(with_author_badges(questions)[: self.newest_questions_count])


class HomeFeaturedPractice(Orderable):
    """A practice the editors put in the spotlight on the home page."""

    page = ParentalKey(
        HomePage, on_delete=models.CASCADE, related_name="featured_practices"
    )
    practice = models.ForeignKey(
        PracticePage,
        verbose_name=_("practice"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("practice")]


class StandardPage(Page):
    """A content page such as Over, Privacy or Toegankelijkheid."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(
        [
            (
                "paragraph",
                blocks.RichTextBlock(features=BODY_FEATURES, label=_("Text")),
            ),
            ("image", ImageBlock(label=_("Image"))),
            (
                "quote",
                blocks.StructBlock(
                    [
                        ("text", blocks.TextBlock(label=_("Quote"))),
                        ("source", blocks.CharBlock(required=False, label=_("Source"))),
                    ],
                    label=_("Quote"),
                    template="blocks/quote.html",
                ),
            ),
        ],
        verbose_name=_("body"),
        blank=True,
    )

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]

    parent_page_types = ["kb.HomePage", "kb.StandardPage"]
    subpage_types = ["kb.StandardPage"]

    class Meta:
        verbose_name = _("content page")

    def get_context(self, request, *args, **kwargs):
        """The cached page is rebuilt when this page is published again."""
        depends_on(page_name(self.pk))
        return super().get_context(request, *args, **kwargs)
