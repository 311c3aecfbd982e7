"""Background tasks of the notifications app (django-tasks).

They run on the "background" backend: the database queue worked through by
`manage.py db_worker --backend background` (started by `make run`), or
whatever queue TASK_BACKEND names in a larger deployment.
"""

from django_tasks import task

from . import saved
from .mail import deliver


@task(backend="background")
def send_outgoing_email(email_id):
    """Send one outbox row; a failure is recorded on the row and retried."""
    return deliver(email_id)


@task(backend="background")
def match_saved_searches(practice_id, actor_id=None):
    """Tell the members whose saved search a published practice newly matches."""
    return len(saved.match_practice(practice_id, actor_id))


@task(backend="background", priority=-10)
def remember_saved_search_matches(saved_id):
    """Note what a just saved search finds already (not news to its member)."""
    return saved.remember_current(saved_id)


@task(backend="background", priority=-10)
def refresh_saved_search_keys():
    """Work out every saved search's keys again (the synonyms changed)."""
    saved.refresh_keys()
