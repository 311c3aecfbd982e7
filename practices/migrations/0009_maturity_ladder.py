"""The maturity ladder and the werkzame elementen (issue 18, part 4): the
level the redactie assigns with its reason and date, the evidence the
initiators give, and the permission to set a level, granted to the Editors
group."""

import wagtail.fields
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    app_config = apps.get_app_config("practices")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="practices", codename="assess_maturity"
    ).first()
    if permission is not None:
        for group in Group.objects.filter(name="Editors"):
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0008_contact_email_upper_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="practicepage",
            options={
                "permissions": [
                    ("assess_maturity", "Can set the level of a practice")
                ],
                "verbose_name": "practice",
                "verbose_name_plural": "practices",
            },
        ),
        migrations.AddField(
            model_name="practicelink",
            name="is_evidence",
            field=models.BooleanField(
                default=False,
                help_text="This link is an evaluation or a measurement of the results.",
                verbose_name="evaluation or measurement",
            ),
        ),
        migrations.AddField(
            model_name="practicepage",
            name="evaluation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("nog-niet", "Not evaluated yet"),
                    ("eigen", "Evaluated by ourselves"),
                    ("onafhankelijk", "Evaluated independently"),
                ],
                help_text="Has the practice been evaluated, and by whom?",
                max_length=16,
                verbose_name="evaluation",
            ),
        ),
        migrations.AddField(
            model_name="practicepage",
            name="evaluation_description",
            field=models.TextField(
                blank=True,
                help_text=(
                    "How the results were measured or evaluated, and what came "
                    "out, with figures."
                ),
                verbose_name="how it was evaluated",
            ),
        ),
        migrations.AddField(
            model_name="practicepage",
            name="maturity_assessed_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="level assessed on"
            ),
        ),
        migrations.AddField(
            model_name="practicepage",
            name="maturity_level",
            field=models.CharField(
                blank=True,
                choices=[
                    ("lokaal-initiatief", "Local initiative"),
                    ("veelbelovend", "Promising"),
                    ("goede-praktijk", "Good practice"),
                ],
                help_text=(
                    "Leave empty while the editors have not assessed the practice."
                ),
                max_length=20,
                verbose_name="level",
            ),
        ),
        migrations.AddField(
            model_name="practicepage",
            name="maturity_reason",
            field=models.TextField(
                blank=True,
                help_text="Why this level: shown with the level on the practice page.",
                verbose_name="reason for the level",
            ),
        ),
        migrations.AddField(
            model_name="practicepage",
            name="werkzame_elementen",
            field=wagtail.fields.RichTextField(
                blank=True,
                help_text=(
                    "The werkzame elementen: what makes this approach work, "
                    "in a few lines."
                ),
                verbose_name="what makes it work",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
