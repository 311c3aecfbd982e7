"""Which cached pages a community change makes stale, and nothing more.

A member's action must not empty the anonymous page cache, nor rebuild
pages it does not change. The community keeps these object versions
(core.cache.depends_on/bump):

- `question(pk)`: the question's own page (its answers, counts, badges);
- `practice(pk)`: the community part of a practice page, the list of
  questions about it (the `questions` fragment and the cached page);
- `LISTINGS`: the lists of questions read from the database: the community
  index with its filters (without text), the open questions of the region
  pages;
- `SEARCHED`: the lists that come from the search index: the community
  index searched with text (which also shows database counts, so it depends
  on both) and the community block of the search page.

The pages also show what the community does not own: a question page the
practices it is about, and the lists and question pages the themes. They
depend on those too (`model_name(PracticePage)`, `model_name(Theme)`, which
practices.caching bumps), so a renamed theme or an unpublished practice shows
at once.

Each service in `community.services` bumps what its change shows on, after
the commit. A "nuttig" vote changes one question page only; an edited answer
its question and the searched lists (its text is indexed, nothing in a list
shows it); a new answer its question, the practices it is about and both
kinds of lists. A profile save bumps only when a name or badge shown next to
posts changed, and the lists only when the member asked a question.
"""

from core.cache import bump_on_commit, depends_on, model_name
from practices.models import PracticePage, Theme

from .models import Answer, HelpfulVote, Question

LISTINGS = "community-listings"
SEARCHED = "community-searched"

# The profile fields shown next to a member's posts (community_tags.post_author).
SHOWN_WITH_POSTS = {"display_name", "lived_experience", "show_lived_experience"}


def question(pk):
    return f"community-question:{pk}"


def practice(pk):
    return f"community-practice:{pk}"


def practice_ids(question_ids):
    """The practices the questions are about (any state: a cached page may
    still show one that was unpublished since)."""
    return set(
        Question.practices.through.objects.filter(
            question_id__in=list(question_ids)
        ).values_list("practicepage_id", flat=True)
    )


def names(question_ids=(), practices=(), listings=False, searched=None):
    searched = listings if searched is None else searched
    return [
        *(question(pk) for pk in question_ids),
        *(practice(pk) for pk in practices),
        *([LISTINGS] if listings else []),
        *([SEARCHED] if searched else []),
    ]


def changed(
    question_ids=(),
    *,
    practices=None,
    listings=True,
    searched=None,
    extra_practices=(),
):
    """After the commit, make stale the pages of these questions, of the
    practices they are about (looked up now, unless given) and, when
    `listings`, the lists of questions (`searched`, the lists from the search
    index, follows `listings` unless given)."""
    question_ids = [pk for pk in question_ids if pk]
    if practices is None:
        practices = practice_ids(question_ids)
    practices = set(practices) | set(extra_practices)
    bump_on_commit(*names(question_ids, practices, listings, searched))


def member_changed(user, votes=False):
    """A member's name, photo or account changed: the pages that show them,
    i.e. the questions they asked or answered, the practices those questions
    are about, and the listings when they posted at all (with `votes`, also
    the questions whose "nuttig" counts include theirs). Returns the names
    to bump (the caller bumps them after its commit: look them up before a
    deletion that would unlink the posts)."""
    asked = set(Question.objects.filter(author=user).values_list("pk", flat=True))
    answered = set(
        Answer.objects.filter(author=user).values_list("question_id", flat=True)
    )
    if votes:
        answered |= set(
            HelpfulVote.objects.filter(user=user).values_list(
                "answer__question_id", flat=True
            )
        )
    if not asked and not answered:
        return []
    # The practice pages and the lists show askers only (question_item.html);
    # the search page's block shows no names.
    return names(
        asked | answered, practice_ids(asked), listings=bool(asked), searched=False
    )


def bump_member_on_commit(user, votes=False):
    """Look up now what shows the member, bump it after the commit."""
    bump_on_commit(*member_changed(user, votes=votes))


def question_names(pk):
    """What a question page shows: the question, its themes and the practices
    it is about."""
    return (question(pk), model_name(Theme), model_name(PracticePage))


def depend_on_question(pk):
    """Before reading a question page."""
    return depends_on(*question_names(pk))


def depend_on_practice(pk):
    return depends_on(practice(pk))


def depend_on_listings(searched=False):
    """Before reading a list of questions from the database; `searched`:
    a list from the search index (community.search). The lists show the
    questions' themes."""
    return depends_on(SEARCHED if searched else LISTINGS, model_name(Theme))


def depend_on_searched_listings():
    """The community index searched with text: the index picks, the database
    counts."""
    return depends_on(LISTINGS, SEARCHED, model_name(Theme))
