"""The "Redactiecontrole" workflow: every page goes past the editors.

One task, approved by a member of the Editors or Moderators group, assigned
to the root page so that every practice (submitted by a member or edited in
the admin) follows it. It replaces Wagtail's default "Moderators approval".
"""

from django.db import migrations

WORKFLOW = "Redactiecontrole"
TASK = "Controle door de redactie"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    content_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK, active=True, content_type=content_type
        )
    task.groups.set(Group.objects.filter(name__in=["Editors", "Moderators"]))
    workflow, _ = Workflow.objects.get_or_create(
        name=WORKFLOW, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        WorkflowPage.objects.update_or_create(
            page=root, defaults={"workflow": workflow}
        )
    Workflow.objects.filter(name="Moderators approval").exclude(
        pk__in=WorkflowPage.objects.values("workflow")
    ).update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0004_region_sources_and_proposed_organisations"),
        ("wagtailcore", "0048_add_default_workflows"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
