"""The redactie's synonyms ("Synoniemen") in the admin menu."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from django.utils.translation import gettext_lazy as _

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


register_snippet(SynonymViewSet)
