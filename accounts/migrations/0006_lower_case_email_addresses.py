from collections import Counter

from django.conf import settings
from django.db import migrations


def lower_case(apps, schema_editor):
    """Addresses typed in the admin in capitals are stored in lower case, as
    allauth stores them and as the admins do from now on (accounts.signals):
    a login then finds one account whatever its case. An address that would
    then equal another account's is left as it is (an editor sorts it out)."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    for model in (User, EmailAddress):
        rows = [
            (pk, email, email.strip().lower())
            for pk, email in model.objects.exclude(email="").values_list(
                "pk", "email"
            )
        ]
        count = Counter(lower for _pk, _email, lower in rows)
        for pk, email, lower in rows:
            if email != lower and count[lower] == 1:
                model.objects.filter(pk=pk).update(email=lower)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_profile_show_lived_experience"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.RunPython(lower_case, migrations.RunPython.noop),
    ]
