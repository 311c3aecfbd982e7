from django.db import migrations, models


class Migration(migrations.Migration):
    """Profiles get a random public address, and show nothing until ticked.

    The address is added empty here, filled in 0003 and made unique in 0004
    (Django's recipe for a unique field on existing rows).
    """

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.AlterField(
            model_name="profile",
            name="show_avatar",
            field=models.BooleanField(
                default=False, verbose_name="show my profile photo"
            ),
        ),
        migrations.AlterField(
            model_name="profile",
            name="show_bio",
            field=models.BooleanField(
                default=False, verbose_name="show what I wrote about myself"
            ),
        ),
        migrations.AlterField(
            model_name="profile",
            name="show_organisation",
            field=models.BooleanField(default=False, verbose_name="show my organisation"),
        ),
        migrations.AlterField(
            model_name="profile",
            name="show_province",
            field=models.BooleanField(default=False, verbose_name="show my province"),
        ),
        migrations.AlterField(
            model_name="profile",
            name="show_role",
            field=models.BooleanField(default=False, verbose_name="show my role"),
        ),
    ]
