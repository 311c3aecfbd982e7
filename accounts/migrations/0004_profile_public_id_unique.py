import accounts.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_fill_public_ids_and_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="public_id",
            field=models.CharField(
                default=accounts.models.new_public_id,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
    ]
