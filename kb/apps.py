from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = _("Site")

    def ready(self):
        from .cache import connect_invalidation
        from .csvexport import protect_spreadsheet_exports

        connect_invalidation()
        # Wagtail's report and listing CSVs write no formulas (kb.csvexport).
        protect_spreadsheet_exports()
