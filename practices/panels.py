"""Admin panels of the practice editor that show rather than edit."""

from wagtail.admin.panels import Panel

# Who may set a practice's level (the Editors group has it: migration 0009).
MATURITY_PERMISSION = "practices.assess_maturity"


class MaturityEvidencePanel(Panel):
    """What a practice's level rests on, beside the fields that set it: the
    evidence the initiators gave lives in other tabs (the results section,
    the links they marked as an evaluation), so the editor deciding on a
    level reads it here without leaving the tab."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "practices/admin/maturity_evidence.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context["page"] = page
            context["evidence_links"] = [
                link for link in page.links.all() if link.is_evidence
            ]
            return context
