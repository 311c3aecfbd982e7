"""{% questions_about page as questions %}: the community's questions about
a practice, for the practice page."""

from django import template

from ..authors import with_author_badges
from ..caching import depend_on_practice
from ..models import Question

register = template.Library()


@register.simple_tag(takes_context=True)
def questions_about(context, practice, limit=10):
    """The questions this visitor may see about `practice`, latest activity
    first, with their authors' badges (one query, two when there are any).
    The part of the page that shows them depends on the practice's community
    version (community.caching), which a question about it, or an answer to
    one, bumps: a member's post rebuilds this list and nothing else."""
    depend_on_practice(practice.pk)  # read first: a post meanwhile makes it stale
    about = Question.practices.through.objects.filter(practicepage_id=practice.pk)
    if not about.exists():  # most practices: a cheap query instead of the list's
        return []
    questions = Question.objects.visible_to(context["request"].user).filter(
        practices=practice
    )
    return list(with_author_badges(questions)[:limit])
