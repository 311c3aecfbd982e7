"""Moderation in the Wagtail admin: the report queue and the actions on a
post (hide, restore, dismiss reports, close a question, suspend its author),
and confirming or rejecting what members recorded as adoptions.

Every view needs `community.moderate_posts`; every change is a POST that
goes through `community.services`, like the member actions on the site.
"""

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from practices.models import Adoption

from . import adoptions, services
from .forms import SuspendForm
from .models import Answer, Question, Report

NAMESPACE = "community_moderation"
KINDS = {"vraag": Question, "antwoord": Answer}


def url(name, *args):
    return reverse(f"{NAMESPACE}:{name}", args=args)


def kind_of(post):
    return "antwoord" if isinstance(post, Answer) else "vraag"


def moderator_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.has_perm("community.moderate_posts"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _post(kind, pk):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    queryset = model.objects.select_related("author__profile")
    if model is Answer:
        queryset = queryset.select_related("question")
    return get_object_or_404(queryset, pk=pk)


def _back(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Not redirect(): it would take a "next" without a slash for a view name.
        return HttpResponseRedirect(target)
    return redirect(fallback)


@method_decorator(moderator_required, name="dispatch")
class ReportQueueView(WagtailAdminTemplateMixin, TemplateView):
    """Reports, open ones first, each with an excerpt of the post."""

    template_name = "community/admin/report_queue.html"
    page_title = gettext_lazy("Reported posts")
    header_icon = "warning"
    per_page = 30

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show_all = self.request.GET.get("status") == "alle"
        reports = Report.objects.select_related(
            "question__author__profile",
            "answer__author__profile",
            "answer__question",
            "reporter__profile",
            "handled_by",
        ).annotate(
            open_first=Case(
                When(status=Report.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        if not show_all:
            reports = reports.filter(status=Report.Status.OPEN)
        reports = reports.order_by("open_first", "-created_at", "-pk")
        page_obj = Paginator(reports, self.per_page).get_page(self.request.GET.get("p"))
        for report in page_obj.object_list:
            report.kind = kind_of(report.post)
            report.moderate_url = url("post", report.kind, report.post.pk)
        context.update(
            page_obj=page_obj,
            show_all=show_all,
            open_count=Report.objects.filter(status=Report.Status.OPEN).count(),
        )
        return context


@method_decorator(moderator_required, name="dispatch")
class PostView(WagtailAdminTemplateMixin, TemplateView):
    """One post with its reports and every moderation action."""

    template_name = "community/admin/post.html"
    header_icon = "warning"

    def dispatch(self, request, kind, pk):
        self.kind = kind
        self.post = _post(kind, pk)
        return super().dispatch(request)

    def get_page_title(self):
        return _("Answer") if self.kind == "antwoord" else _("Question")

    def get_page_subtitle(self):
        question = self.post.question if self.kind == "antwoord" else self.post
        return question.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": url("reports"), "label": _("Reported posts")},
            {"url": "", "label": self.get_header_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.post
        field = "answer" if self.kind == "antwoord" else "question"
        author = post.author
        context.update(
            post=post,
            kind=self.kind,
            is_question=self.kind == "vraag",
            question=post.question if self.kind == "antwoord" else post,
            author=author,
            profile=getattr(author, "profile", None) if author else None,
            reports=Report.objects.filter(**{field: post}).select_related(
                "reporter__profile", "handled_by"
            ),
            has_open_reports=Report.objects.filter(
                status=Report.Status.OPEN, **{field: post}
            ).exists(),
            here=self.request.get_full_path(),
        )
        return context


def _action(service, message):
    @require_POST
    @moderator_required
    def view(request, kind, pk):
        post = _post(kind, pk)
        service(request, post)
        messages.success(request, message())
        return _back(request, url("post", kind, pk))

    return view


hide = _action(
    lambda request, post: services.hide_post(post, request.user),
    lambda: _("The post is hidden; its open reports are resolved."),
)
restore = _action(
    lambda request, post: services.restore_post(post, request.user),
    lambda: _("The post is visible again."),
)
dismiss = _action(
    lambda request, post: services.dismiss_reports(post, request.user),
    lambda: _("The open reports on this post are dismissed."),
)


def _question_action(locked, message):
    @require_POST
    @moderator_required
    def view(request, pk):
        question = get_object_or_404(Question, pk=pk)
        services.set_locked(question, locked, request.user)
        messages.success(request, message())
        return _back(request, url("post", "vraag", pk))

    return view


lock = _question_action(True, lambda: _("The question is closed for new answers."))
unlock = _question_action(False, lambda: _("The question takes answers again."))


@method_decorator(moderator_required, name="dispatch")
class SuspendView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "community/admin/suspend.html"
    header_icon = "user"
    page_title = gettext_lazy("Suspend member")

    def dispatch(self, request, user_id):
        self.member = get_object_or_404(
            get_user_model().objects.select_related("profile"), pk=user_id
        )
        self.form = SuspendForm(request.POST or None)
        return super().dispatch(request)

    def get_page_subtitle(self):
        return self.member.profile.display_name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": url("reports"), "label": _("Reported posts")},
            {"url": "", "label": self.get_header_title()},
        ]

    def post(self, request):
        if self.form.is_valid():
            services.suspend_member(
                self.member,
                days=self.form.cleaned_data["days"],
                reason=self.form.cleaned_data["reason"],
                moderator=request.user,
            )
            messages.success(
                request,
                _("%(name)s is suspended until %(date)s.")
                % {
                    "name": self.member.profile.display_name,
                    "date": formats.date_format(
                        timezone.localtime(self.member.profile.suspended_until),
                        "j F Y H:i",
                    ),
                },
            )
            return _back(request, url("reports"))
        return self.get(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            member=self.member,
            profile=self.member.profile,
            form=self.form,
            next=self.request.GET.get("next") or self.request.POST.get("next", ""),
        )
        return context


@require_POST
@moderator_required
def lift(request, user_id):
    member = get_object_or_404(get_user_model(), pk=user_id)
    services.lift_suspension(member, request.user)
    messages.success(
        request,
        _("The suspension of %(name)s is lifted.")
        % {"name": member.profile.display_name},
    )
    return _back(request, url("reports"))


# Adoptions ("wij zijn hier ook mee aan de slag") ------------------------------


def _adoption_review(confirm, message):
    @moderator_required
    @require_POST
    def view(request, pk):
        adoption = get_object_or_404(
            Adoption.objects.select_related("practice", "region"), pk=pk
        )
        adoptions.review_adoption(adoption, request.user, confirm=confirm)
        messages.success(request, message % {"organisation": adoption.organisation})
        return _back(request, reverse("adoption:inspect", args=[adoption.pk]))

    return view


confirm_adoption = _adoption_review(
    True, gettext_lazy("“%(organisation)s” is confirmed and shows on the practice.")
)
reject_adoption = _adoption_review(
    False, gettext_lazy("“%(organisation)s” is rejected and does not show.")
)
