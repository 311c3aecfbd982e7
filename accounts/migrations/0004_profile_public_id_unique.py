import secrets

import accounts.models
from django.db import migrations, models
from django.db.models import Q


def fill_missing(apps, schema_editor):
    """Profiles made between 0003 and this migration (a worker still running
    the old code during a deploy) have no public address yet: they get one,
    or making the field unique and required would fail."""
    Profile = apps.get_model("accounts", "Profile")
    used = set(
        Profile.objects.exclude(public_id__isnull=True)
        .exclude(public_id="")
        .values_list("public_id", flat=True)
    )
    for profile in Profile.objects.filter(Q(public_id__isnull=True) | Q(public_id="")):
        public_id = secrets.token_hex(8)
        while public_id in used:
            public_id = secrets.token_hex(8)
        used.add(public_id)
        Profile.objects.filter(pk=profile.pk).update(public_id=public_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_fill_public_ids_and_names"),
    ]

    operations = [
        migrations.RunPython(fill_missing, migrations.RunPython.noop),
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
