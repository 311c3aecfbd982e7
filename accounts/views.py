import json

from allauth.core import ratelimit

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from community.caching import SHOWN_WITH_POSTS, bump_member_on_commit
from community.models import Answer, Question
from core.files import delete_file_on_commit
from core.flood import check_profile_save
from core.keep_input import as_initial, keeps_input, login_keeping_input, restore_input

from .export import export_member_data
from .forms import DeleteAccountForm, ProfileForm
from .models import Profile
from .services import delete_account

# How many of a member's latest questions and answers their profile lists.
PROFILE_POSTS = 20


@keeps_input
@never_cache
@require_http_methods(["GET", "POST"])
def edit(request):
    if not request.user.is_authenticated:
        # What was typed (the bio) is kept through the login (core.keep_input).
        return login_keeping_input(request)
    profile = request.user.profile
    status = 200
    if request.method == "POST":
        form = ProfileForm(
            request.POST, request.FILES, instance=profile, request=request
        )
        refusal = check_profile_save(request.user) if form.is_valid() else None
        if refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        elif form.is_valid():
            with transaction.atomic():
                profile = form.save()
                if form.replaced_avatar_name:
                    delete_file_on_commit(
                        profile.avatar.storage, form.replaced_avatar_name
                    )
                # The name and the badge show on public pages next to posts:
                # those pages (not the whole page cache) are rebuilt, only
                # when one of them changed.
                if SHOWN_WITH_POSTS & set(form.changed_data):
                    bump_member_on_commit(profile.user)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:edit")
    else:
        form = ProfileForm(instance=profile, initial=as_initial(restore_input(request)))
    return render(
        request, "accounts/edit.html", {"form": form, "profile": profile}, status=status
    )


@never_cache
def profile(request, public_id):
    """A member's public page, at a random address (Profile.public_id).

    Others find it only when there is something public to see: a question or
    answer that is not hidden, or a detail the member chose to show. The
    member always sees their own page.
    """
    member_profile = get_object_or_404(
        Profile.objects.select_related("user", "province"),
        public_id=public_id,
        user__is_active=True,
    )
    member = member_profile.user
    is_self = request.user.is_authenticated and request.user.pk == member.pk
    questions = Question.objects.filter(author=member)
    answers = Answer.objects.filter(author=member).select_related("question")
    visible_questions = questions.filter(is_hidden=False)
    visible_answers = answers.filter(is_hidden=False, question__is_hidden=False)
    if not is_self:
        questions, answers = visible_questions, visible_answers
    question_count = questions.count()
    answer_count = answers.count()
    public = member_profile.has_public_details() or (
        (question_count or answer_count)
        if not is_self
        else (visible_questions.exists() or visible_answers.exists())
    )
    if not (is_self or public):
        raise Http404
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "member_profile": member_profile,
            "is_self": is_self,
            "hidden_from_others": not public,
            "questions": questions.order_by("-created_at", "-pk")[:PROFILE_POSTS],
            "question_count": question_count,
            "answers": answers.order_by("-created_at", "-pk")[:PROFILE_POSTS],
            "answer_count": answer_count,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export(request):
    if request.method == "POST":
        data = export_member_data(request.user)
        filename = f"vindplaats-gegevens-{timezone.localdate():%Y-%m-%d}.json"
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "accounts/export.html")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delete(request):
    user = request.user
    if user.is_staff or user.is_superuser:
        return render(request, "accounts/delete.html", {"staff": True}, status=403)
    form = DeleteAccountForm(user)
    rate_limited = False
    if request.method == "POST":
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            rate_limited = True
        else:
            form = DeleteAccountForm(user, request.POST)
            if form.is_valid():
                delete_account(user)
                logout(request)
                messages.success(
                    request,
                    _(
                        "Your account has been deleted. Your questions and "
                        "answers now show as posted by a deleted member."
                    ),
                )
                return redirect("/")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "rate_limited": rate_limited},
        status=429 if rate_limited else 200,
    )
