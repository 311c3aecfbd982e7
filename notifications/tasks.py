"""Background tasks of the notifications app (django-tasks).

They run on the "background" backend: the database queue worked through by
`manage.py db_worker --backend background` (started by `make run`), or
whatever queue TASK_BACKEND names in a larger deployment.
"""

from django_tasks import task

from .mail import deliver


@task(backend="background")
def send_outgoing_email(email_id):
    """Send one outbox row; a failure is recorded on the row and retried."""
    return deliver(email_id)
