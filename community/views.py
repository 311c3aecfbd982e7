"""The community pages: listing, question page, asking, answering, voting,
accepting, editing and reporting.

Reading never needs an account; every change is a POST with a CSRF token by
a logged-in member, and goes through one function in `community.services`.
A refusal there (suspended, locked, too fast) re-renders the form with what
was typed and the reason, with the status the service gave. A form sent
after the session expired keeps its text through the login
(core.keep_input); a form that creates something is done once however often
it is sent (community.once). Pages that anonymous visitors may get from the
page cache say what they show (community.caching) before reading it.
"""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.cache import prepare_fragments, remembered
from core.keep_input import as_initial, keeps_input, login_keeping_input, restore_input
from core.params import MAX_ID, positive_int
from practices.models import Adoption, PracticePage, Theme
from search.query import MAX_PAGE_SIZE, MAX_TEXT_LENGTH, SearchQuery
from search.service import search

from . import adoptions, caching, services
from .authors import with_author_badges
from .forms import AdoptionForm, AnswerForm, QuestionForm, ReportForm
from .models import Answer, HelpfulVote, Question
from .once import Repeated, once

PAGE_SIZE = 20


def _login(request, next_url=None):
    """Log in first; a POST's typed text is kept and shown again after."""
    return login_keeping_input(request, next_url)


def _refused(request, message, status, template="community/refused.html", **context):
    return render(request, template, {"message": message, **context}, status=status)


def _submit(request, form, save, success):
    """Validate a posted form and run `save(cleaned_data)`, which returns the
    address to go to, once per form token. Returns (redirect, None) after
    success or for a form sent again, or (None, status) to render the form
    again with what was typed: 400 when invalid, the refusal's status when a
    community rule says no (flood control, locks)."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        target = once(request, lambda: save(form.cleaned_data))
    except services.Refused as refused:
        form.add_error(None, refused.message)
        return None, refused.status
    except Repeated as repeated:
        if not repeated.url:
            form.add_error(
                None, _("This form could not be sent yet. Please send it again.")
            )
            return None, 400
        target = repeated.url  # a double click: where the first one went
    messages.success(request, success)
    return redirect(target), None


def _author_only(request, post):
    """Editing a post: log in first, only its author, not while suspended,
    not once the editors hid it. Returns the response that refuses, or None."""
    if not request.user.is_authenticated:
        return _login(request)
    if post.author_id is None or post.author_id != request.user.pk:
        raise PermissionDenied
    suspension = services.suspension_message(request.user)
    if suspension:
        return _refused(request, suspension, 403)
    if post.is_hidden:
        return _refused(
            request,
            _(
                "The editors have hidden this post, so it can no longer be "
                "changed. Write to the editors if you think this is a mistake."
            ),
            403,
        )
    return None


def _form_data(request):
    """What the form shows: the POST, else text kept through a login."""
    if request.method == "POST":
        return request.POST, None
    return None, as_initial(restore_input(request))


def _can_moderate(user):
    return user.is_authenticated and user.has_perm("community.moderate_posts")


# Listing ---------------------------------------------------------------------


def index(request):
    user = request.user
    themes = list(Theme.objects.order_by("name"))
    theme_slug = request.GET.get("thema", "")
    theme = next((t for t in themes if t.slug == theme_slug), None)
    unanswered = request.GET.get("onbeantwoord") == "1"
    mine = request.GET.get("mijn") == "1" and user.is_authenticated
    text = " ".join(request.GET.get("q", "").split())[:MAX_TEXT_LENGTH]
    if text:
        caching.depend_on_searched_listings()
    else:
        caching.depend_on_listings()

    questions = Question.objects.visible_to(user)
    if theme:
        questions = questions.filter(themes=theme)
    if unanswered:
        questions = questions.filter(answer_count=0)
    if mine:
        questions = questions.filter(author=user)
    capped = False
    if text:
        results = search(
            SearchQuery(
                text=text,
                kinds=("question",),
                filters={"thema": [theme.slug]} if theme else {},
                sort="relevance",
                page_size=MAX_PAGE_SIZE,
            )
        )
        ids = [hit.id for hit in results.hits]
        capped = results.total > len(ids)
        questions = questions.filter(pk__in=ids).order_by(
            Case(*(When(pk=pk, then=rank) for rank, pk in enumerate(ids)))
        )
    questions = with_author_badges(questions).prefetch_related("themes")
    page_obj = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "community/index.html",
        {
            "page_obj": page_obj,
            "themes": themes,
            "theme": theme,
            "theme_slug": theme_slug,
            "unknown_theme": bool(theme_slug) and theme is None,
            "unanswered": unanswered,
            "mine": mine,
            "text": text,
            "capped": capped,
            "filtered": bool(theme or unanswered or mine or text),
        },
    )


# The question page -----------------------------------------------------------


def _question_for(user, pk):
    return get_object_or_404(
        with_author_badges(Question.objects.visible_to(user)), pk=pk
    )


def _public_question(pk):
    """The question as every visitor sees it, kept until it changes
    (community.caching.question, which every change to it bumps): with the
    page's parts cached too, a visitor's question page reads nothing from
    the database. It lacks the author's badge, which only the cached "post"
    part shows (`_render_question` loads it when that part is drawn). A
    question not found is looked up again, never remembered as missing."""
    question = remembered(
        caching.question(pk), lambda: Question.objects.public().filter(pk=pk).first()
    )
    return question or get_object_or_404(Question.objects.public(), pk=pk)


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def question_detail(request, pk, slug):
    caching.depend_on_question(pk)
    if request.user.is_authenticated:
        question = _question_for(request.user, pk)
    else:
        question = _public_question(pk)
    if slug != question.slug and request.method != "POST":
        return HttpResponseRedirect(question.get_absolute_url(), status=301)
    if request.method == "POST" and not request.user.is_authenticated:
        return _login(request, question.get_absolute_url() + "#antwoord-geven")
    data, kept = (
        _form_data(request)
        if request.user.is_authenticated
        else (None, None)  # anonymous pages are cached: nothing personal
    )
    answer_form = AnswerForm(data, initial=kept)
    done, status = _submit(
        request,
        answer_form,
        lambda data: services.post_answer(
            question, request.user, data["body"]
        ).get_absolute_url(),
        _("Your answer has been posted."),
    )
    return done or _render_question(request, question, answer_form, status)


def _answers(question, user):
    """The answers `user` may see, the accepted one first, each with
    `voted` (whether `user` found it helpful)."""
    answers = list(
        with_author_badges(
            Answer.objects.visible_to(user).filter(question=question)
        ).order_by("created_at", "pk")
    )
    voted = set()
    if user.is_authenticated:
        voted = set(
            HelpfulVote.objects.filter(
                user=user, answer__question=question
            ).values_list("answer_id", flat=True)
        )
    accepted = next((a for a in answers if a.pk == question.accepted_answer_id), None)
    if accepted:
        answers = [accepted] + [a for a in answers if a is not accepted]
    for answer in answers:
        answer.voted = answer.pk in voted
    return answers


def _practices(request, question):
    """(practice, its URL) for the published practices the question is about."""
    return [
        (practice, practice.get_url(request))
        for practice in PracticePage.objects.reachable()
        .filter(questions=question)
        .order_by("title")
    ]


def _render_question(request, question, answer_form, status=200):
    """The question page. Visitors all see the same question and answers, so
    those are two parts kept in the cache (core.cache fragments, with the
    versions the page itself depends on): a visitor the page cache lets
    through (one with a session cookie) is served them without the answers,
    themes and practices being read again. A member's view is their own
    (votes, buttons) and is always drawn afresh."""
    user = request.user
    shared = not user.is_authenticated and status == 200
    key = f"question:{question.pk}" if shared else ""
    fragments = prepare_fragments(
        {"post": key and f"{key}:post", "answers": key and f"{key}:answers"},
        names=caching.question_names(question.pk),
    )
    if fragments["post"].html is None and not hasattr(question, "author_is_initiator"):
        question = _question_for(user, question.pk)  # drawn with its author's badge
    return render(
        request,
        "community/question.html",
        {
            "question": question,
            "fragments": fragments,
            "answers": SimpleLazyObject(lambda: _answers(question, user)),
            "answer_form": answer_form,
            "practices": SimpleLazyObject(lambda: _practices(request, question)),
            "is_asker": user.is_authenticated and user.pk == question.author_id,
            "can_moderate": _can_moderate(user),
            "suspension": services.suspension_message(user)
            if user.is_authenticated
            else None,
        },
        status=status,
    )


# Asking and editing ------------------------------------------------------------


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request):
    if not request.user.is_authenticated:
        return _login(request)
    suspension = services.suspension_message(request.user)
    if suspension:
        return _refused(request, suspension, 403)
    initial = {}
    practice_id = positive_int(request.GET.get("praktijk"))
    if practice_id:
        practice = PracticePage.objects.reachable().filter(pk=practice_id).first()
        if practice:
            initial = {
                "practices": [practice.pk],
                "themes": list(practice.themes.values_list("pk", flat=True)),
            }
    data, kept = _form_data(request)
    form = QuestionForm(data, initial=kept or initial)
    done, status = _submit(
        request,
        form,
        lambda data: services.ask_question(
            request.user,
            title=data["title"],
            body=data["body"],
            themes=data["themes"],
            practices=data["practices"],
        ).get_absolute_url(),
        _("Your question has been posted."),
    )
    return done or render(
        request,
        "community/question_form.html",
        {"form": form, "editing": False},
        status=status,
    )


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def edit_question(request, pk):
    question = _question_for(request.user, pk)
    refusal = _author_only(request, question)
    if refusal:
        return refusal
    data, kept = _form_data(request)
    form = QuestionForm(data, instance=question, initial=kept)
    done, status = _submit(
        request,
        form,
        lambda data: services.edit_question(
            question,
            request.user,
            title=data["title"],
            body=data["body"],
            themes=data["themes"],
            practices=data["practices"],
        ).get_absolute_url(),
        _("Your question has been changed."),
    )
    return done or render(
        request,
        "community/question_form.html",
        {"form": form, "editing": True, "question": question},
        status=status,
    )


def _answer_for(user, pk):
    answer = get_object_or_404(
        Answer.objects.visible_to(user).select_related("question"), pk=pk
    )
    if not answer.question.visible_to(user):
        raise Http404
    return answer


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def edit_answer(request, pk):
    answer = _answer_for(request.user, pk)
    refusal = _author_only(request, answer)
    if refusal:
        return refusal
    data, kept = _form_data(request)
    form = AnswerForm(data, instance=answer, initial=kept)
    done, status = _submit(
        request,
        form,
        lambda data: services.edit_answer(
            answer, request.user, data["body"]
        ).get_absolute_url(),
        _("Your answer has been changed."),
    )
    return done or render(
        request,
        "community/answer_form.html",
        {"form": form, "answer": answer, "question": answer.question},
        status=status,
    )


# Accepting and voting ------------------------------------------------------------


@require_POST
def accept(request, pk):
    answer = _answer_for(request.user, pk)
    if not request.user.is_authenticated:
        return _login(request, answer.question.get_absolute_url())
    if answer.question.author_id != request.user.pk:
        raise PermissionDenied
    # The state the button asked for: a double click does not undo itself.
    wanted = {"ja": True, "nee": False}.get(request.POST.get("aanvaard"))
    try:
        accepted = services.accept_answer(answer, request.user, wanted=wanted)
    except services.Refused as refused:
        return _refused(
            request, refused.message, refused.status, question=answer.question
        )
    messages.success(
        request,
        _("You accepted this answer.")
        if accepted
        else _("The answer is no longer marked as accepted."),
    )
    return redirect(answer.get_absolute_url())


@require_POST
def helpful(request, pk):
    answer = _answer_for(request.user, pk)
    if not request.user.is_authenticated:
        return _login(request, answer.get_absolute_url())
    if answer.author_id == request.user.pk:
        raise PermissionDenied
    # The state the button asked for: a double click does not undo itself.
    wanted = {"aan": True, "uit": False}.get(request.POST.get("stem"))
    try:
        voted = services.toggle_helpful(answer, request.user, wanted=wanted)
    except services.Refused as refused:
        return _refused(
            request, refused.message, refused.status, question=answer.question
        )
    messages.success(
        request,
        _("You marked this answer as helpful.")
        if voted
        else _("You no longer mark this answer as helpful."),
    )
    return redirect(answer.get_absolute_url())


# Reporting -----------------------------------------------------------------------


def _report(request, post, question):
    if not request.user.is_authenticated:
        return _login(request)
    suspension = services.suspension_message(request.user)
    if suspension:
        return _refused(request, suspension, 403, question=question)
    data, kept = _form_data(request)
    form = ReportForm(data, initial=kept)

    def save(data):
        services.report_post(
            post, request.user, reason=data["reason"], explanation=data["explanation"]
        )
        return post.get_absolute_url()

    done, status = _submit(
        request, form, save, _("Thank you. The editors will look at your report.")
    )
    return done or render(
        request,
        "community/report_form.html",
        {
            "form": form,
            "post": post,
            "question": question,
            "is_answer": isinstance(post, Answer),
        },
        status=status,
    )


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def report_question(request, pk):
    question = _question_for(request.user, pk)
    return _report(request, question, question)


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def report_answer(request, pk):
    answer = _answer_for(request.user, pk)
    return _report(request, answer, answer.question)


def question_redirect(request, pk):
    """/community/vragen/<pk>/ without the slug."""
    question = _question_for(request.user, pk)
    return HttpResponseRedirect(question.get_absolute_url(), status=301)


# Adoptions ("wij zijn hier ook mee aan de slag") ------------------------------


def _adoption_fields(data):
    return {name: data[name] for name in AdoptionForm.FIELDS}


def _member_may_record(request):
    """Log in first, not while suspended: the response that refuses, or None."""
    if not request.user.is_authenticated:
        return _login(request)
    suspension = services.suspension_message(request.user)
    if suspension:
        return _refused(request, suspension, 403)
    return None


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def adopt(request, practice_id):
    """Record that your organisation took up this practice, and see what you
    recorded about it before."""
    if practice_id > MAX_ID:  # a page's pk skips Django's range check (SQLite)
        raise Http404
    practice = get_object_or_404(PracticePage.objects.reachable(), pk=practice_id)
    refusal = _member_may_record(request)
    if refusal:
        return refusal
    data, kept = _form_data(request)
    form = AdoptionForm(data, initial=kept, practice=practice)

    def save(data):
        adoptions.record_adoption(request.user, practice, **_adoption_fields(data))
        return reverse("community:adopt", args=[practice.pk])

    done, status = _submit(
        request,
        form,
        save,
        _(
            "Thank you. The editors will check what you recorded; once they "
            "confirm it, it shows on the practice example."
        ),
    )
    mine = (
        Adoption.objects.filter(practice=practice, member=request.user)
        .select_related("region")
        .order_by("created_at")
    )
    return done or render(
        request,
        "community/adoption_form.html",
        {"form": form, "practice": practice, "mine": mine, "editing": False},
        status=status,
    )


def _own_adoption(request, pk):
    """The member's own adoption of a reachable practice (404 otherwise;
    another member's is refused)."""
    adoption = get_object_or_404(
        Adoption.objects.select_related("practice", "region").filter(
            practice__in=PracticePage.objects.reachable()
        ),
        pk=pk,
    )
    if adoption.member_id is None or adoption.member_id != request.user.pk:
        raise PermissionDenied
    return adoption


@keeps_input
@require_http_methods(["GET", "HEAD", "POST"])
def edit_adoption(request, pk):
    refusal = _member_may_record(request)
    if refusal:
        return refusal
    adoption = _own_adoption(request, pk)
    practice = adoption.practice
    data, kept = _form_data(request)
    # The form fills in its own copy: the service compares with what is stored.
    form = AdoptionForm(
        data, instance=copy.copy(adoption), initial=kept, practice=practice
    )

    def save(data):
        adoptions.edit_adoption(adoption, request.user, **_adoption_fields(data))
        return reverse("community:adopt", args=[practice.pk])

    done, status = _submit(
        request,
        form,
        save,
        _("Your changes have been saved."),
    )
    return done or render(
        request,
        "community/adoption_form.html",
        {"form": form, "practice": practice, "adoption": adoption, "editing": True},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw_adoption(request, pk):
    """Ask, then (POST) take back what you recorded."""
    refusal = _member_may_record(request)
    if refusal:
        return refusal
    adoption = _own_adoption(request, pk)
    practice = adoption.practice
    if request.method == "POST":
        try:
            adoptions.withdraw_adoption(adoption, request.user)
        except services.Refused as refused:
            return _refused(request, refused.message, refused.status)
        messages.success(request, _("What you recorded has been withdrawn."))
        return redirect("community:adopt", practice.pk)
    return render(
        request,
        "community/adoption_withdraw.html",
        {"adoption": adoption, "practice": practice},
    )
