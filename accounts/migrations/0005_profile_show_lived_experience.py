from django.db import migrations, models


def keep_shown(apps, schema_editor):
    """Members who ticked the badge so far were told it is shown: it stays
    shown. From now on ticking it shows nothing until they also tick
    "show the expert by experience badge"."""
    Profile = apps.get_model("accounts", "Profile")
    Profile.objects.filter(lived_experience=True).update(show_lived_experience=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_profile_public_id_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="show_lived_experience",
            field=models.BooleanField(
                default=False, verbose_name="show the expert by experience badge"
            ),
        ),
        migrations.RunPython(keep_shown, migrations.RunPython.noop),
    ]
