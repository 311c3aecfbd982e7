from django.db import migrations, models
from django.utils import timezone


def mark_accepted(apps, schema_editor):
    """Answers accepted already told their people then: not again."""
    Answer = apps.get_model("community", "Answer")
    Question = apps.get_model("community", "Question")
    accepted = Question.objects.exclude(accepted_answer=None).values(
        "accepted_answer_id"
    )
    Answer.objects.filter(pk__in=accepted).update(first_accepted_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_usedformtoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="first_accepted_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first accepted"
            ),
        ),
        migrations.RunPython(mark_accepted, migrations.RunPython.noop),
    ]
