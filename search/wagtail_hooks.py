"""The redactie's synonyms ("Synoniemen") in the admin menu, and the
"Zoektermen" report beside them."""

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .admin_views import REPORT_PERMISSION, SearchTermsReport, SynonymCreateView
from .models import Synonym


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "list-ul"
    menu_label = _("Synonyms")
    menu_name = "synonyms"
    menu_order = 290
    add_to_admin_menu = True
    list_display = ["__str__", "abbreviation", "note"]
    search_fields = ["abbreviation", "terms"]
    search_backend_name = None  # the ORM: synonyms are not in any index
    list_per_page = 100
    add_view_class = SynonymCreateView


register_snippet(SynonymViewSet)


class SearchTermsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REPORT_PERMISSION)


@hooks.register("register_admin_urls")
def register_search_terms_url():
    return [
        path("zoektermen/", SearchTermsReport.as_view(), name="search_terms"),
    ]


@hooks.register("register_reports_menu_item")
def register_search_terms_menu_item():
    return SearchTermsMenuItem(
        _("Search terms"),
        reverse("search_terms"),
        name="search-terms",
        icon_name="search",
        order=650,
    )
