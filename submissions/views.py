"""The public submission form and "Mijn initiatieven".

Every view needs a logged-in member and shows only the member's own
submissions and pages (anything else is a 404, also for editors: they review
in the admin). A POST that arrives after the session expired keeps what was
typed in the new session and sends the member to log in; the form shows it
again afterwards. Suspended members can see their list, but not send in or
change anything.
"""

import secrets

from wagtail.models import Page

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.keep_input import login_keeping_input, restore_input
from core.params import MAX_ID
from practices.models import Organisation, PracticePage

from . import services
from .forms import make_forms, raw_data
from .models import Submission, SubmissionFile


def _login_keeping_post(request):
    """Not logged in (any more): keep the typed text and go to the login
    (core.keep_input, the mechanism of every form that needs an account)."""
    return login_keeping_input(request, request.path)


def _restored(request):
    """What was typed before a login in between, once, as draft data."""
    kept = restore_input(
        request,
        _(
            "You were logged out before your form was saved. We kept what you "
            "typed: check it and save it. Files have to be chosen again."
        ),
    )
    return None if kept is None else raw_data(kept)


def _refused(request, message, status=403):
    return render(
        request, "submissions/refused.html", {"message": message}, status=status
    )


def member_view(view):
    """Logged-in members only; the login keeps a POST's typed text."""

    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _login_keeping_post(request)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _render_form(
    request,
    submission,
    practice_form,
    formsets,
    file_errors=None,
    status=200,
    extra_error=None,
):
    files = (
        list(submission.files.select_related("image", "document"))
        if submission.pk
        else []
    )
    file_errors = file_errors or {}
    posted_texts = request.POST if request.method == "POST" else {}
    for attached in files:
        attached.errors = file_errors.get(f"file-{attached.pk}-text", [])
    file_error_list = [
        (f"id_{name}", message)
        for name, messages_ in file_errors.items()
        for message in messages_
    ]
    context = {
        "submission": submission,
        "form": practice_form,
        "formsets": formsets,
        "org_formset": formsets["org"],
        "contact_formset": formsets["contact"],
        "link_formset": formsets["link"],
        "images": [f for f in files if f.is_image],
        "documents": [f for f in files if not f.is_image],
        "image_slots": _slots(
            "new_image",
            services.upload_slots(submission, "image"),
            posted_texts,
            file_errors,
        ),
        "document_slots": _slots(
            "new_document",
            services.upload_slots(submission, "document"),
            posted_texts,
            file_errors,
        ),
        "file_error_list": file_error_list,
        "extra_error": extra_error,
        "organisation_names": Organisation.objects.filter(is_confirmed=True)
        .order_by("name")
        .values_list("name", flat=True),
        "action_url": submission.get_absolute_url()
        if submission.pk
        else reverse("submissions:new"),
        "form_token": submission.form_token or secrets.token_urlsafe(24),
        "max_images": settings.SUBMISSIONS_MAX_IMAGES,
        "max_documents": settings.SUBMISSIONS_MAX_DOCUMENTS,
    }
    return render(request, "submissions/form.html", context, status=status)


def _slots(field, count, posted, file_errors):
    return [
        {
            "name": f"{field}_{index}",
            "text": posted.get(f"{field}_{index}_text", ""),
            "caption": posted.get(f"{field}_{index}_caption", ""),
            "errors": file_errors.get(f"{field}_{index}", []),
        }
        for index in range(count)
    ]


TOKEN_KEY = "form_token"


def _posted_token(post):
    """The form's idempotency token, when it is one we could have made."""
    token = post.get(TOKEN_KEY, "")
    if 16 <= len(token) <= 64 and all(c in TOKEN_CHARS for c in token):
        return token
    return ""


TOKEN_CHARS = frozenset(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
)


def _already_sent(request, submission):
    """A second POST of a form that was sent in already (a double click,
    Back and "Insturen" again, a parallel request): the same result as the
    first, nothing new."""
    messages.info(
        request,
        _(
            "This initiative has already been sent in; nothing was sent twice. "
            "You can follow its status here."
        ),
    )
    return _to_status(submission)


def _to_status(submission):
    """Where a sent-in submission's status shows: "Mijn initiatieven"."""
    return redirect("submissions:mine")


def _save_draft(request, submission):
    """Store what was posted as the draft, at most once per form.

    Returns the submission row to go on with, or None when that row was sent
    in already (by an earlier or parallel request). A new draft carries the
    form's token: a twin request either finds the row or trips over the
    unique constraint and then finds it; an existing draft is locked
    (select_for_update) and saved only while it is still a draft.
    """
    data = raw_data(request.POST)
    if submission.pk is None:
        submission.data = data
        try:
            with transaction.atomic():
                submission.save()
            return submission
        except IntegrityError:
            if not submission.form_token:
                raise
            submission = Submission.objects.get(
                owner=request.user, form_token=submission.form_token
            )
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .filter(pk=submission.pk, status=Submission.Status.DRAFT)
            .first()
        )
        if locked is None:
            return None
        locked.data = data
        locked.save()
    return locked


def _refused_send_in(
    request, submission, practice_form, formsets, file_errors, refusal
):
    """Flood control (services.SendInRefused): the draft (and every file) is
    saved; nothing is sent. 429 with when to try again."""
    response = _render_form(
        request,
        submission,
        practice_form,
        formsets,
        file_errors,
        status=429,
        extra_error=refusal.message,
    )
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _as_typed(request, submission, error):
    """The form again, as it was posted, with `error` above it (400)."""
    practice_form, formsets = make_forms(initial=raw_data(request.POST))
    return _render_form(
        request, submission, practice_form, formsets, status=400, extra_error=error
    )


def _handle_post(request, submission):
    """Save what was posted as the draft; on "Insturen" validate and send in."""
    sending = "send" in request.POST
    if submission.pk is None:
        token = _posted_token(request.POST)
        if sending and not token:
            # Without the form's token a repeated "Insturen" (a double click,
            # a retry) could not be recognised and would send in twice: the
            # form comes back as typed, with a fresh token, to send again.
            return _as_typed(
                request,
                submission,
                _(
                    "Your initiative has not been sent in: the form was "
                    "incomplete. Everything you typed is still here; files have "
                    "to be chosen again. Check it and click “Send in” again."
                ),
            )
        twin = (
            Submission.objects.filter(owner=request.user, form_token=token).first()
            if token
            else None
        )
        if twin is not None:
            submission = twin
        else:
            submission.form_token = token
            open_drafts = Submission.objects.filter(
                owner=request.user, status=Submission.Status.DRAFT
            ).count()
            if open_drafts >= settings.SUBMISSIONS_MAX_OPEN_DRAFTS:
                return _as_typed(
                    request,
                    submission,
                    _(
                        "You already have %(count)s drafts. Send one in or delete "
                        "one before you start a new one."
                    )
                    % {"count": open_drafts},
                )
    if not submission.is_draft:
        return _already_sent(request, submission)
    # The draft's row stays locked while the files are stored: a parallel
    # request with the same form (token) waits, then finds the upload
    # attached and does not attach it again.
    with transaction.atomic():
        saved = _save_draft(request, submission)
        if saved is None:
            return _already_sent(request, submission)
        submission = saved
        file_errors = services.apply_files(
            submission, request.POST, request.FILES, request=request
        )

    if not sending:
        if file_errors:
            practice_form, formsets = make_forms(initial=submission.data)
            messages.warning(
                request, _("Your draft has been saved, but not every file was added.")
            )
            return _render_form(
                request, submission, practice_form, formsets, file_errors, status=400
            )
        messages.success(
            request,
            _(
                "Your draft has been saved. You can come back to it at any time "
                "through “My initiatives”."
            ),
        )
        return redirect(submission.get_absolute_url())

    practice_form, formsets = make_forms(
        data=request.POST, keep_refs=services.kept_addresses(submission)
    )
    refusal = services.send_in_refusal(request.user)
    if refusal is not None:
        return _refused_send_in(
            request, submission, practice_form, formsets, file_errors, refusal
        )
    # Every form is validated, so every message shows at once.
    results = [practice_form.is_valid()] + [
        formset.is_valid() for formset in formsets.values()
    ]
    valid = all(results)
    file_errors.update(services.file_errors_for_submit(submission))
    if not valid or file_errors:
        messages.warning(
            request,
            _(
                "Your initiative has not been sent in yet. Your draft is saved; "
                "correct what is marked below and send it in again."
            ),
        )
        return _render_form(
            request, submission, practice_form, formsets, file_errors, status=400
        )
    was_update = submission.is_update
    try:
        # Counts the member's send-ins again under a lock (parallel requests).
        page = services.send_in(submission, practice_form, formsets, request.user)
    except services.SendInRefused as refusal:
        return _refused_send_in(
            request, submission, practice_form, formsets, file_errors, refusal
        )
    if page is None:
        return _already_sent(request, submission)
    if was_update:
        message = _(
            "Thank you! Your changes have been sent to the editors. The page "
            "stays as it is until they approve them."
        )
    else:
        message = _(
            "Thank you! Your initiative has been sent to the editors. You can "
            "follow its status here."
        )
    messages.success(request, message)
    return _to_status(submission)


@member_view
@require_http_methods(["GET", "POST"])
def new(request):
    refusal = services.suspension_message(request.user)
    if refusal:
        return _refused(request, refusal)
    submission = Submission(owner=request.user)
    if request.method == "POST":
        return _handle_post(request, submission)
    practice_form, formsets = make_forms(initial=_restored(request))
    return _render_form(request, submission, practice_form, formsets)


def _no_such_draft(request):
    """A draft that is not there (deleted, Back after deleting it, or someone
    else's: the same answer for each): a 404, but one that says what
    happened and leads to "Mijn initiatieven", not a dead end."""
    return render(request, "submissions/no_such_draft.html", status=404)


@member_view
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    submission = Submission.objects.filter(pk=pk, owner=request.user).first()
    if submission is None:
        return _no_such_draft(request)
    if not submission.is_draft:
        # Back after "Insturen", or the form sent again: its status, not a 404.
        return _already_sent(request, submission)
    refusal = services.suspension_message(request.user)
    if refusal:
        return _refused(request, refusal)
    if request.method == "POST":
        return _handle_post(request, submission)
    restored = _restored(request)
    practice_form, formsets = make_forms(
        initial=restored if restored is not None else submission.data
    )
    return _render_form(request, submission, practice_form, formsets)


@member_view
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    """Deleting a draft asks first: the form links here, and this page asks
    the question with a button (no JavaScript needed); its POST deletes."""
    submission = Submission.objects.filter(
        pk=pk, owner=request.user, status=Submission.Status.DRAFT
    ).first()
    if submission is None:
        return _no_such_draft(request)
    if request.method == "POST":
        submission.delete()
        messages.success(request, _("The draft has been deleted."))
        return redirect("submissions:mine")
    return render(
        request, "submissions/confirm_delete.html", {"submission": submission}
    )


@member_view
@require_POST
def propose_update(request, page_id):
    if page_id > MAX_ID:  # SQLite overflows on a page's pk (a parent link)
        raise Http404
    page = get_object_or_404(PracticePage, pk=page_id, owner=request.user)
    refusal = services.suspension_message(request.user)
    if refusal:
        return _refused(request, refusal)
    drafts = Submission.objects.filter(
        owner=request.user, page=page, status=Submission.Status.DRAFT
    )
    existing = drafts.first()
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: the request goes on
                existing = services.draft_from_page(page, request.user)
        except IntegrityError:
            # A parallel "Wijzigen" made the draft first (one open update
            # draft per practice and member): go on with that one.
            existing = drafts.first()
            if existing is None:
                raise
    return redirect(existing.get_absolute_url())


@member_view
@require_http_methods(["GET"])
def attached_file(request, pk, file_id):
    """An uploaded file, only for its owner (uploads are not public yet)."""
    attached = get_object_or_404(
        SubmissionFile.objects.select_related("submission"),
        pk=file_id,
        submission_id=pk,
        submission__owner=request.user,
    )
    if not attached.file:
        raise Http404
    response = FileResponse(
        attached.file.open("rb"),
        as_attachment=not attached.is_image,
        filename=attached.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@member_view
@require_http_methods(["GET"])
def mine(request):
    drafts = list(
        Submission.objects.filter(
            owner=request.user, status=Submission.Status.DRAFT
        ).order_by("-updated_at", "-pk")
    )
    update_drafts = {draft.page_id: draft for draft in drafts if draft.page_id}
    new_drafts = [draft for draft in drafts if not draft.page_id]
    # Base Page rows: Wagtail's prefetch of workflow states matches on the
    # base content type, which a PracticePage queryset does not.
    pages = (
        Page.objects.type(PracticePage)
        .filter(owner=request.user)
        .prefetch_workflow_states()
        .order_by("-latest_revision_created_at", "-pk")
    )
    practices = []
    for page in pages:
        key, label, comment = services.page_status(page)
        practices.append(
            {
                "page": page,
                "status": key,
                "label": label,
                "comment": comment,
                "draft": update_drafts.get(page.pk),
            }
        )
    return render(
        request,
        "submissions/mine.html",
        {
            "drafts": new_drafts,
            "practices": practices,
            "suspension": services.suspension_message(request.user),
            "draft_label": services.STATUS_LABELS["draft"],
        },
    )
