"""The "Community" menu in the Wagtail admin, for the redactie.

Members with `community.moderate_posts` (the Editors and Moderators groups)
get the report queue with its actions, and read-only listings of questions,
answers and the copies of contact messages. Nobody edits or deletes posts
here: hiding keeps the text for the author and the record.
"""

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Case, Q, When
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.admin_display import yes_no_column
from practices.models import Adoption

from . import admin_views, adoptions
from .models import Answer, ContactMessage, Question

MODERATE = "community.moderate_posts"


class ModeratorsMayViewPolicy(BasePermissionPolicy):
    """Moderators may look (list and inspect); nobody adds, edits or deletes."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.has_perm(MODERATE)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        if "view" not in actions:
            return User.objects.none()
        permission = Permission.objects.filter(
            content_type__app_label="community", codename="moderate_posts"
        )
        return (
            User.objects.filter(is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(user_permissions__in=permission)
                | Q(groups__permissions__in=permission)
            )
            .distinct()
        )


for model in (Question, Answer, ContactMessage, Adoption):
    register_permission_policy(model, ModeratorsMayViewPolicy(model))


class ModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(MODERATE)


class ModerationViewSet(ViewSet):
    """The report queue and the actions on posts and members."""

    name = admin_views.NAMESPACE
    url_prefix = "community"
    icon = "warning"
    menu_label = _("Reported posts")
    menu_item_class = ModerationMenuItem

    def get_urlpatterns(self):
        return [
            path("meldingen/", admin_views.ReportQueueView.as_view(), name="reports"),
            path("<str:kind>/<int:pk>/", admin_views.PostView.as_view(), name="post"),
            path("<str:kind>/<int:pk>/verbergen/", admin_views.hide, name="hide"),
            path("<str:kind>/<int:pk>/tonen/", admin_views.restore, name="restore"),
            path("<str:kind>/<int:pk>/afwijzen/", admin_views.dismiss, name="dismiss"),
            path("vraag/<int:pk>/sluiten/", admin_views.lock, name="lock"),
            path("vraag/<int:pk>/openen/", admin_views.unlock, name="unlock"),
            path(
                "leden/<int:user_id>/schorsen/",
                admin_views.SuspendView.as_view(),
                name="suspend",
            ),
            path("leden/<int:user_id>/opheffen/", admin_views.lift, name="lift"),
            path(
                "overgenomen/<int:pk>/bevestigen/",
                admin_views.confirm_adoption,
                name="confirm_adoption",
            ),
            # Not ".../afwijzen/": "<kind>/<pk>/afwijzen/" above would match.
            path(
                "overgenomen/<int:pk>/weigeren/",
                admin_views.reject_adoption,
                name="reject_adoption",
            ),
        ]


class PostIndexView(IndexView):
    """A listing row links to the moderation page of its post as well."""

    kind = "vraag"

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListingMenuItem(
                _("Moderate"),
                url=reverse(
                    f"{admin_views.NAMESPACE}:post", args=[self.kind, instance.pk]
                ),
                icon_name="warning",
                priority=5,
            )
        )
        return buttons


class QuestionIndexView(PostIndexView):
    kind = "vraag"


class AnswerIndexView(PostIndexView):
    kind = "antwoord"


class ReadOnlyViewSet(ModelViewSet):
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None
    list_per_page = 30
    # The policy allows no add or edit view; the form is never shown.
    exclude_form_fields = []


class QuestionViewSet(ReadOnlyViewSet):
    model = Question
    icon = "help"
    url_prefix = "community/vragen"
    index_view_class = QuestionIndexView
    list_display = [
        "title",
        "author",
        "created_at",
        "answer_count",
        yes_no_column(Question, "is_hidden"),
        yes_no_column(Question, "is_locked"),
    ]
    list_filter = ["is_hidden", "is_locked", "themes"]
    search_fields = ["title", "body"]
    inspect_view_fields = [
        "title",
        "author",
        "created_at",
        "edited_at",
        "body",
        "themes",
        "practices",
        "answer_count",
        "accepted_answer",
        "is_hidden",
        "is_locked",
    ]


class AnswerViewSet(ReadOnlyViewSet):
    model = Answer
    icon = "comment"
    url_prefix = "community/antwoorden"
    index_view_class = AnswerIndexView
    list_display = [
        "__str__",
        "author",
        "created_at",
        "helpful_count",
        yes_no_column(Answer, "is_hidden"),
    ]
    list_filter = ["is_hidden"]
    search_fields = ["body"]
    inspect_view_fields = [
        "question",
        "author",
        "created_at",
        "edited_at",
        "body",
        "helpful_count",
        "is_hidden",
    ]


# Visitors' messages that wait for their sender's confirmation are nobody's
# business yet: the listing and the inspect page show sent ones.
SENT = {"status": ContactMessage.Status.SENT}


class ContactMessageIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(**SENT)


class ContactMessageInspectView(InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(ContactMessage, pk=self.pk, **SENT)


class ContactMessageViewSet(ReadOnlyViewSet):
    """Members' messages (their copy for the redactie) and visitors' (who
    wrote to whom and when, and the reports of abuse; community.relay)."""

    model = ContactMessage
    icon = "mail"
    url_prefix = "community/contactberichten"
    index_view_class = ContactMessageIndexView
    inspect_view_class = ContactMessageInspectView
    list_display = [
        "__str__",
        "practice",
        "contact_name",
        Column("sender_label", label=_("sender")),
        "created_at",
        "reported_at",
    ]
    search_fields = [
        "subject",
        "message",
        "contact_name",
        "sender_name",
        "sender_email",
    ]
    inspect_view_fields = [
        "practice",
        "contact_name",
        "sender",
        "sender_name",
        "sender_email",
        "subject",
        "message",
        "created_at",
        "confirmed_at",
        "reported_at",
        "report_note",
    ]


class AdoptionIndexView(IndexView):
    """Waiting ones first, newest first within each review state."""

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("practice", "region")
            .order_by(
                Case(When(review=Adoption.Review.PENDING, then=0), default=1),
                "-created_at",
            )
        )


class AdoptionInspectView(InspectView):
    """What the member recorded, with the buttons that confirm or reject it."""

    template_name = "community/admin/adoption_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["adoption"] = self.object
        return context


class AdoptionViewSet(ReadOnlyViewSet):
    """Adoptions members recorded ("wij zijn hier ook mee aan de slag"):
    the editors confirm them before they show (community.adoptions)."""

    model = Adoption
    icon = "doc-full-inverse"
    url_prefix = "community/overgenomen"
    index_view_class = AdoptionIndexView
    inspect_view_class = AdoptionInspectView
    list_display = [
        "organisation",
        "practice",
        "region",
        Column("status_label", label=_("status")),
        Column("review_label", label=_("review")),
        "created_at",
    ]
    list_filter = ["review", "status", "region"]
    # No form is shown (read-only); leaving the URL out spares building its
    # field with Django's old default scheme.
    exclude_form_fields = ["url"]
    search_fields = ["organisation", "note"]
    inspect_view_fields = [
        "practice",
        "organisation",
        "region",
        "status",
        "note",
        "own_practice",
        "url",
        "member",
        "created_at",
        "updated_at",
        "review",
        "reviewed_by",
        "reviewed_at",
    ]


class CommunityGroup(ModelViewSetGroup):
    menu_label = _("Community")
    menu_icon = "group"
    menu_order = 250
    items = (
        ModerationViewSet,
        QuestionViewSet,
        AnswerViewSet,
        ContactMessageViewSet,
        AdoptionViewSet,
    )


@hooks.register("register_admin_viewset")
def register_community_admin():
    return CommunityGroup()


@hooks.register("register_log_actions")
def register_adoption_actions(actions):
    actions.register_action(
        adoptions.CONFIRMED_ACTION, _("Confirm adoption"), _("Adoption confirmed")
    )
    actions.register_action(
        adoptions.REJECTED_ACTION, _("Reject adoption"), _("Adoption rejected")
    )
