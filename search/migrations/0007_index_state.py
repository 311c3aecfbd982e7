import uuid

from django.db import migrations, models


def create_states(apps, schema_editor):
    """A token for every kind already in the index, so its columns are kept
    from the first search on."""
    documents = apps.get_model("search", "SearchDocument")
    states = apps.get_model("search", "SearchIndexState")
    kinds = documents.objects.values_list("kind", flat=True).distinct()
    states.objects.bulk_create(
        states(kind=kind, token=uuid.uuid4().hex) for kind in kinds
    )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_facet_value_by_document"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchIndexState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("kind", models.CharField(max_length=32, unique=True)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(create_states, migrations.RunPython.noop),
    ]
