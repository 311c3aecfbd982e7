"""How a question is found: its indexable representation and index updates.

Only questions the editors have not hidden are indexable. A question's
document holds its own text and the text of its visible answers, so an answer
that names the solution makes the question findable. The services in
`community.services` schedule an update after every change (asked, edited,
answered, hidden, restored); the receivers below cover deletion. Index
changes make stale only the cached lists of questions (community.caching),
not the whole page cache.
"""

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save, pre_delete

from core.cache import bump
from practices.facets import FACETS_BY_KEY
from practices.models import Theme
from practices.search import indexable_practices, plain_text
from search.documents import Document, DocumentType
from search.service import schedule_update

from . import caching
from .models import Answer, Question

KIND = "question"
SUMMARY_LENGTH = 240


def indexable_questions():
    return Question.objects.public()


def with_related(queryset):
    return queryset.prefetch_related(
        "themes",
        Prefetch(
            "practices",
            queryset=indexable_practices().prefetch_related("provinces"),
        ),
        Prefetch(
            "answers",
            queryset=Answer.objects.public().only("question_id", "body_html"),
            to_attr="visible_answers",
        ),
    )


def summary(text, length=SUMMARY_LENGTH):
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"


def question_document(question):
    themes = list(question.themes.all())
    provinces = {
        province.slug: province.name
        for practice in question.practices.all()
        for province in practice.provinces.all()
    }
    question_text = plain_text(question.body_html)
    answers = getattr(question, "visible_answers", None)
    if answers is None:
        answers = Answer.objects.public().filter(question=question)
    return Document(
        kind=KIND,
        id=question.pk,
        title=question.title,
        url=question.get_absolute_url(),
        summary=summary(question_text),
        body=" ".join(
            [question_text, *(plain_text(answer.body_html) for answer in answers)]
        ),
        keywords=" ".join(
            [theme.name for theme in themes]
            + [practice.title for practice in question.practices.all()]
        ),
        published_at=question.created_at,
        updated_at=question.last_activity_at,
        facets={
            "thema": [theme.slug for theme in themes],
            "provincie": sorted(provinces),
        },
    )


QUESTION_DOCUMENTS = DocumentType(
    kind=KIND,
    model=Question,
    indexable=indexable_questions,
    to_document=question_document,
    prefetch=with_related,
    url=lambda question: question.get_absolute_url(),
    # What the index shows of questions: the lists that come from it (text
    # search); the services bump the database lists themselves.
    pages_changed=lambda ids: bump(caching.SEARCHED),
    # The practice facets a question's document holds (question_document).
    facets=[FACETS_BY_KEY["thema"].spec, FACETS_BY_KEY["provincie"].spec],
)


def _question_deleting(sender, instance, **kwargs):
    # Its links to practices go before post_delete: note them now.
    instance._practice_ids = caching.practice_ids([instance.pk])


def _question_deleted(sender, instance, **kwargs):
    schedule_update(KIND, [instance.pk])
    caching.changed([instance.pk], practices=getattr(instance, "_practice_ids", set()))


def _answer_deleted(sender, instance, **kwargs):
    schedule_update(KIND, [instance.question_id])
    caching.changed([instance.question_id])


def _theme_changed(sender, instance, **kwargs):
    """A renamed theme changes the keywords of its questions."""
    schedule_update(KIND, instance.questions.values_list("pk", flat=True))


def connect_signals():
    pre_delete.connect(_question_deleting, sender=Question, dispatch_uid="q-deleting")
    post_delete.connect(_question_deleted, sender=Question, dispatch_uid="q-deleted")
    post_delete.connect(_answer_deleted, sender=Answer, dispatch_uid="a-deleted")
    post_save.connect(_theme_changed, sender=Theme, dispatch_uid="q-theme-changed")
