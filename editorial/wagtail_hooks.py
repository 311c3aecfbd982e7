"""The "Redactie" menu, the dashboard panel and the organisation bulk action.

Menu "Redactie" (for editors): collections (a snippet), practices due for a
check (a report, also under Reports), organisations proposed by members,
and merging themes or organisations. The merge screens need change and
delete permission on that vocabulary; the report needs page edit or publish
permission; collections follow the snippet's own permissions.
"""

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from practices.models import Organisation, Theme

from . import admin_views
from .models import Collection

NAMESPACE = admin_views.NAMESPACE
MENU_HOOK = "register_editorial_menu_item"


class CollectionViewSet(SnippetViewSet):
    model = Collection
    icon = "list-ul"
    menu_label = _("Collections")
    list_display = ["title", "slug"]
    search_fields = ["title"]
    ordering = ["title"]


class EditorialViewSetGroup(SnippetViewSetGroup):
    items = (CollectionViewSet,)
    menu_icon = "edit"
    menu_label = _("Editorial")
    menu_name = "editorial"
    menu_order = 150
    submenu_hook = MENU_HOOK


register_snippet(EditorialViewSetGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path(
            "samenvoegen/<str:kind>/",
            admin_views.MergeView.as_view(),
            name="merge",
        ),
        path(
            "te-controleren/",
            admin_views.StalePracticesView.as_view(),
            name="stale",
        ),
        path(
            "te-controleren/resultaten/",
            admin_views.StalePracticesView.as_view(results_only=True),
            name="stale_results",
        ),
        path(
            "te-controleren/gecontroleerd/",
            admin_views.mark_reviewed,
            name="mark_reviewed",
        ),
    ]
    return [path("redactie/", include((urls, NAMESPACE), namespace=NAMESPACE))]


class StaleMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_review(request.user)


class MergeMenuItem(MenuItem):
    def __init__(self, *args, model, **kwargs):
        self.model = model
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return admin_views.can_merge(request.user, self.model)


class ProposedOrganisationsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("practices.change_organisation")


@hooks.register(MENU_HOOK)
def stale_menu_item():
    return StaleMenuItem(
        _("Practices due for a check"),
        reverse(f"{NAMESPACE}:stale"),
        name="stale-practices",
        icon_name="time",
        order=200,
    )


@hooks.register("register_reports_menu_item")
def stale_report_menu_item():
    return StaleMenuItem(
        _("Practices due for a check"),
        reverse(f"{NAMESPACE}:stale"),
        name="stale-practices",
        icon_name="time",
        order=1150,
    )


@hooks.register(MENU_HOOK)
def proposed_organisations_menu_item():
    return ProposedOrganisationsMenuItem(
        _("Proposed organisations"),
        reverse(Organisation.snippet_viewset.get_url_name("list"))
        + "?is_confirmed=false",
        name="proposed-organisations",
        icon_name="group",
        order=300,
    )


@hooks.register(MENU_HOOK)
def merge_themes_menu_item():
    return MergeMenuItem(
        _("Merge themes"),
        reverse(f"{NAMESPACE}:merge", args=["thema"]),
        model=Theme,
        name="merge-themes",
        icon_name="resubmit",
        order=400,
    )


@hooks.register(MENU_HOOK)
def merge_organisations_menu_item():
    return MergeMenuItem(
        _("Merge organisations"),
        reverse(f"{NAMESPACE}:merge", args=["organisatie"]),
        model=Organisation,
        name="merge-organisations",
        icon_name="resubmit",
        order=500,
    )


# Dashboard ----------------------------------------------------------------


class EditorialPanel(Component):
    """Pending reviews, stale practices, open reports, new members, proposed
    organisations and adoptions to confirm, each linked to where the editors
    handle them."""

    name = "editorial"
    order = 50
    template_name = "editorial/admin/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        counts = admin_views.dashboard_counts()
        can_moderate = user.has_perm("community.moderate_posts")
        can_see_users = user.has_perm("auth.change_user") or user.has_perm(
            "auth.view_user"
        )
        organisations = reverse(Organisation.snippet_viewset.get_url_name("list"))
        items = [
            {
                "id": "dashboard-pending-reviews",
                "count": counts["pending_reviews"],
                "label": ngettext(
                    "practice waits for review",
                    "practices wait for review",
                    counts["pending_reviews"],
                ),
                "url": reverse("wagtailadmin_reports:workflow"),
            },
            {
                "id": "dashboard-stale-practices",
                "count": counts["stale_practices"],
                "label": ngettext(
                    "practice is due for a check",
                    "practices are due for a check",
                    counts["stale_practices"],
                ),
                "url": reverse(f"{NAMESPACE}:stale"),
            },
            {
                "id": "dashboard-open-reports",
                "count": counts["open_reports"],
                "label": ngettext(
                    "open report of a post",
                    "open reports of posts",
                    counts["open_reports"],
                ),
                "url": reverse("community_moderation:reports") if can_moderate else "",
            },
            {
                "id": "dashboard-new-members",
                "count": counts["new_members"],
                "label": ngettext(
                    "new member this week",
                    "new members this week",
                    counts["new_members"],
                ),
                "url": reverse("wagtailusers_users:index") if can_see_users else "",
            },
            {
                "id": "dashboard-proposed-organisations",
                "count": counts["unconfirmed_organisations"],
                "label": ngettext(
                    "proposed organisation to confirm",
                    "proposed organisations to confirm",
                    counts["unconfirmed_organisations"],
                ),
                "url": organisations + "?is_confirmed=false",
            },
            {
                "id": "dashboard-pending-adoptions",
                "count": counts["pending_adoptions"],
                "label": ngettext(
                    "adoption to confirm",
                    "adoptions to confirm",
                    counts["pending_adoptions"],
                ),
                "url": (
                    reverse("adoption:index") + "?review=pending"
                    if can_moderate
                    else ""
                ),
            },
        ]
        return {"items": items}


@hooks.register("construct_homepage_panels")
def add_editorial_panel(request, panels):
    if admin_views.can_review(request.user):
        panels.insert(0, EditorialPanel(request))


# Organisations proposed by members ---------------------------------------


class ConfirmOrganisationsBulkAction(SnippetBulkAction):
    """Select proposed organisations in the listing and confirm them."""

    display_name = _("Confirm")
    action_type = "confirm"
    aria_label = _("Confirm the selected organisations")
    template_name = "editorial/admin/confirm_organisations.html"
    action_priority = 20
    models = [Organisation]

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", obj
        )

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        confirmed = Organisation.objects.filter(
            pk__in=[obj.pk for obj in objects], is_confirmed=False
        )
        # Saved one by one so the search index and page cache follow
        # (post_save receivers of the vocabulary).
        count = 0
        for organisation in confirmed:
            organisation.is_confirmed = True
            organisation.save(update_fields=["is_confirmed"])
            count += 1
        return count, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d organisation confirmed.",
            "%(count)d organisations confirmed.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


hooks.register("register_bulk_action", ConfirmOrganisationsBulkAction)
