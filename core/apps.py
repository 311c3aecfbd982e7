from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Helpers every app shares: the page cache, sanitising, images, text and
    parameter parsing, forms, middleware. No models, and no import of a
    project app: everything else may import this, this imports nothing of
    ours."""

    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from .csvexport import protect_spreadsheet_exports

        # Wagtail's report and listing CSVs write no formulas (core.csvexport).
        protect_spreadsheet_exports()
