"""The "Zoektermen" report in the admin: what visitors search for, and what
found nothing, with one click to add a synonym (search.terms)."""

from urllib.parse import urlencode

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.views.snippets import CreateView

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from . import terms
from .models import Synonym

# Who may add synonyms may read what was searched for.
REPORT_PERMISSION = "search.add_synonym"


class SearchTermsReport(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Search terms")
    header_icon = "search"
    template_name = "search/admin/search_terms.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        terms.flush()  # this process's latest counts too
        most, nothing = terms.report()
        add_url = reverse(Synonym.snippet_viewset.get_url_name("add"))
        for term in nothing:
            term.add_synonym_url = f"{add_url}?{urlencode({'zoekterm': term.text})}"
        return super().get_context_data(
            most_searched=most, found_nothing=nothing, days=terms.REPORT_DAYS, **kwargs
        )


class SynonymCreateView(CreateView):
    """The snippet's add form, from the report's link with the text that
    found nothing as the one-way rule's source: the editor adds the words
    it should find."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance() or Synonym()
        source = self.request.GET.get("zoekterm", "")
        instance.abbreviation = source[
            : Synonym._meta.get_field("abbreviation").max_length
        ]
        return instance
