"""The redactie's screens in the Wagtail admin: merging taxonomy values and
the report of practices due for a check."""

import datetime

import django_filters
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import WorkflowState
from wagtail.permission_policies.pages import PagePermissionPolicy

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from community.models import Report
from core.params import positive_int
from core.site_url import site_url
from notifications.models import Follow
from practices.models import (
    Adoption,
    Organisation,
    PracticeOrganisation,
    PracticePage,
    Theme,
)

from . import freshness
from .merge import MergeError, candidates, merge

NAMESPACE = "editorial_admin"

KINDS = {"thema": Theme, "organisatie": Organisation}


def can_merge(user, model):
    label = model._meta.app_label
    name = model._meta.model_name
    return user.has_perm(f"{label}.change_{name}") and user.has_perm(
        f"{label}.delete_{name}"
    )


# Merging ------------------------------------------------------------------


class MergeForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("Merge this value"),
        help_text=gettext_lazy("It disappears; everything that used it moves over."),
    )
    target = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("into this value"),
        help_text=gettext_lazy("It stays, with its name and slug."),
    )

    def __init__(self, model, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = candidates(model)
        for name in ("source", "target"):
            self.fields[name].queryset = choices
            self.fields[name].label_from_instance = self.label
        self.fields["source"].empty_label = _("Choose the value to merge")
        self.fields["target"].empty_label = _("Choose the value to keep")

    @staticmethod
    def label(value):
        return ngettext(
            "%(name)s (%(slug)s, %(count)d practice)",
            "%(name)s (%(slug)s, %(count)d practices)",
            value.practice_count,
        ) % {"name": value.name, "slug": value.slug, "count": value.practice_count}

    def clean(self):
        cleaned = super().clean()
        source, target = cleaned.get("source"), cleaned.get("target")
        if source and target and source.pk == target.pk:
            raise forms.ValidationError(
                _("Choose two different values: a value cannot be merged into itself.")
            )
        return cleaned


def preview(model, source, target):
    """What the merge will do, for the confirmation step."""
    if model is Organisation:
        links = PracticeOrganisation.objects
        source_pages = set(
            links.filter(organisation=source).values_list("page_id", flat=True)
        )
        both = links.filter(organisation=target, page_id__in=source_pages).count()
        return {"practices": len(source_pages), "both": both}
    source_pages = set(source.practices.values_list("pk", flat=True))
    return {
        "practices": len(source_pages),
        "both": target.practices.filter(pk__in=source_pages).count(),
        "questions": source.questions.count(),
        "follows": Follow.objects.filter(theme=source).count(),
    }


class MergeView(WagtailAdminTemplateMixin, TemplateView):
    """Pick a source and a target, see what moves, confirm."""

    template_name = "editorial/admin/merge.html"
    header_icon = "resubmit"

    def dispatch(self, request, kind):
        self.kind = kind
        self.model = KINDS.get(kind)
        if self.model is None:
            raise Http404
        if not can_merge(request.user, self.model):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else (request.GET or None)
        self.form = MergeForm(self.model, data)
        return super().dispatch(request)

    def get_page_title(self):
        if self.model is Theme:
            return _("Merge themes")
        return _("Merge organisations")

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": self.listing_url(), "label": self.model._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def listing_url(self):
        return reverse(self.model.snippet_viewset.get_url_name("list"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        context["kind"] = self.kind
        context["is_theme"] = self.model is Theme
        context["listing_url"] = self.listing_url()
        if self.form.is_bound and self.form.is_valid():
            context["preview"] = preview(
                self.model,
                self.form.cleaned_data["source"],
                self.form.cleaned_data["target"],
            )
            context["source"] = self.form.cleaned_data["source"]
            context["target"] = self.form.cleaned_data["target"]
        return context

    def post(self, request):
        if request.POST.get("confirm") != "1" or not self.form.is_valid():
            return self.get(request)
        source = self.form.cleaned_data["source"]
        target = self.form.cleaned_data["target"]
        source_name = source.name
        try:
            result = merge(source, target)
        except MergeError:
            messages.error(
                request,
                _("The merge could not be done: one of the values changed meanwhile."),
            )
            return redirect(request.path)
        messages.success(
            request,
            ngettext(
                "“%(source)s” was merged into “%(target)s”; %(count)d practice moved.",
                "“%(source)s” was merged into “%(target)s”; %(count)d practices moved.",
                len(result.practice_ids),
            )
            % {
                "source": source_name,
                "target": target.name,
                "count": len(result.practice_ids),
            },
        )
        return redirect(self.listing_url())


# Freshness report ---------------------------------------------------------


class StaleFilterSet(WagtailFilterSet):
    phase = django_filters.ChoiceFilter(
        label=gettext_lazy("Phase"), choices=PracticePage.Phase.choices
    )

    class Meta:
        model = PracticePage
        fields = ["phase"]


def can_review(user):
    return PagePermissionPolicy().user_has_any_permission(user, ["change", "publish"])


class StalePracticesView(ReportView):
    """Live practices not checked for twelve months, oldest check first.

    Its CSV export holds titles and members' display names: no cell is read
    as a formula (core.csvexport makes every SpreadsheetExportMixin CSV safe).
    """

    template_name = "editorial/admin/stale_report.html"
    results_template_name = "editorial/admin/stale_report_results.html"
    page_title = gettext_lazy("Practices due for a check")
    header_icon = "time"
    index_url_name = f"{NAMESPACE}:stale"
    index_results_url_name = f"{NAMESPACE}:stale_results"
    filterset_class = StaleFilterSet
    model = PracticePage
    list_export = ["title", "last_reviewed_at", "phase", "owner_name", "url"]
    export_headings = {
        "title": gettext_lazy("Title"),
        "last_reviewed_at": gettext_lazy("Last reviewed"),
        "phase": gettext_lazy("Phase"),
        "owner_name": gettext_lazy("Owner"),
        "url": gettext_lazy("Web address"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not can_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def permission_policy(self):
        return None  # checked in dispatch() against the page permissions

    def get_queryset(self):
        editable = PagePermissionPolicy().instances_user_has_any_permission_for(
            self.request.user, ["change", "publish"]
        )
        return (
            freshness.stale_practices()
            .filter(pk__in=editable.values("pk"))
            .select_related("owner", "owner__profile")
        )

    def decorate_paginated_queryset(self, object_list):
        for practice in object_list:
            practice.owner_name = owner_name(practice.owner)
        return object_list

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cutoff"] = freshness.stale_cutoff()
        context["today"] = timezone.localdate()
        return context

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        row["owner_name"] = owner_name(item.owner)
        row["url"] = site_url(item.url) if item.url else ""
        return row


def owner_name(user):
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (
        (profile.display_name if profile else "")
        or user.get_full_name()
        or user.get_username()
    )


@require_POST
def mark_reviewed(request):
    """ "Mark as reviewed today" for the practices ticked in the report."""
    ids = [pk for pk in map(positive_int, request.POST.getlist("page")) if pk]
    pages = PracticePage.objects.filter(pk__in=ids)
    policy = PagePermissionPolicy()
    allowed = policy.instances_user_has_any_permission_for(
        request.user, ["change", "publish"]
    ).filter(pk__in=pages.values("pk"))
    allowed_ids = list(allowed.values_list("pk", flat=True))
    if not allowed_ids:
        raise PermissionDenied
    count = freshness.mark_reviewed(allowed_ids)
    messages.success(
        request,
        ngettext(
            "%(count)d practice marked as reviewed today.",
            "%(count)d practices marked as reviewed today.",
            count,
        )
        % {"count": count},
    )
    return redirect(reverse(f"{NAMESPACE}:stale"))


# Dashboard ----------------------------------------------------------------


def dashboard_counts():
    """The numbers of the dashboard panel, one query each."""
    week_ago = timezone.now() - datetime.timedelta(days=7)
    return {
        "pending_reviews": WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS
        ).count(),
        "stale_practices": freshness.stale_practices().count(),
        "open_reports": Report.objects.filter(status=Report.Status.OPEN).count(),
        "new_members": get_user_model()
        .objects.filter(date_joined__gte=week_ago, is_active=True)
        .count(),
        "unconfirmed_organisations": Organisation.objects.filter(
            is_confirmed=False
        ).count(),
        # "Wij zijn hier ook mee aan de slag": what members recorded.
        "pending_adoptions": Adoption.objects.pending().count(),
    }
