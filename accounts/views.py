import json

from allauth.core import ratelimit

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from community.models import Answer, Question
from kb.cache import bump_version

from .export import export_member_data
from .forms import DeleteAccountForm, ProfileForm
from .services import delete_account
from .signals import delete_file_on_commit

# How many of a member's latest questions and answers their profile lists.
PROFILE_POSTS = 20


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def edit(request):
    profile = request.user.profile
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            with transaction.atomic():
                profile = form.save()
                if form.replaced_avatar_name:
                    delete_file_on_commit(
                        profile.avatar.storage, form.replaced_avatar_name
                    )
                # The name and photo show on public pages next to posts.
                transaction.on_commit(bump_version)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:edit")
    else:
        form = ProfileForm(instance=profile)
    return render(request, "accounts/edit.html", {"form": form, "profile": profile})


@never_cache
def profile(request, user_id):
    member = get_object_or_404(
        get_user_model().objects.select_related("profile", "profile__province"),
        pk=user_id,
        is_active=True,
    )
    is_self = request.user.is_authenticated and request.user.pk == member.pk
    questions = Question.objects.filter(author=member)
    answers = Answer.objects.filter(author=member).select_related("question")
    if not is_self:
        questions = questions.filter(is_hidden=False)
        answers = answers.filter(is_hidden=False, question__is_hidden=False)
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "member_profile": member.profile,
            "is_self": is_self,
            "questions": questions.order_by("-created_at", "-pk")[:PROFILE_POSTS],
            "question_count": questions.count(),
            "answers": answers.order_by("-created_at", "-pk")[:PROFILE_POSTS],
            "answer_count": answers.count(),
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
