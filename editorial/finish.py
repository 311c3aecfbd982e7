"""The review workflow's finish action (WAGTAIL_FINISH_WORKFLOW_ACTION).

Kept free of imports: Wagtail imports it while its own models load.
"""


def publish_approved(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish what the redactie approved.

    Wagtail's default (`wagtail.workflows.publish_workflow_state`) publishes
    as the approving user and checks that user's page *publish* permission.
    Wagtail's Editors group approves "Controle door de redactie" but has no
    publish permission, so its approval would fail with
    PublishPagePermissionError. Approving the last task is the permission
    here: only members of the task's groups (or superusers) get the approve
    action, which Wagtail checks before calling this.

    An editor's approval is a review: the practice counts as checked today,
    so it is not "overdue" (nor its owner reminded) the day it goes live.
    """
    from .freshness import mark_reviewed

    page = workflow_state.content_object
    page.get_latest_revision().publish(user=user, skip_permission_checks=True)
    mark_reviewed([page.pk])
