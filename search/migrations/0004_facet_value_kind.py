from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0003_pending_index_update")]

    operations = [
        migrations.RemoveIndex(
            model_name="searchfacetvalue",
            name="search_sear_facet_9aaa57_idx",
        ),
        migrations.AddField(
            model_name="searchfacetvalue",
            name="kind",
            # Every document indexed before this migration is a practice.
            field=models.CharField(default="practice", max_length=32),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="searchfacetvalue",
            index=models.Index(
                fields=["kind", "facet", "value", "document"],
                name="search_sear_kind_017b72_idx",
            ),
        ),
    ]
