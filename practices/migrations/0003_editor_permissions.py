"""Lets Wagtail's Editors and Moderators groups manage the taxonomies.

The editor-managed vocabularies (themes, organisations, target groups) can be
added, changed and deleted; the fixed ones (provinces, regions, movements) can
only be renamed.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGED = ["theme", "organisation", "targetgroup"]
FIXED = ["province", "careofficeregion", "movement"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("practices")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model in MANAGED for action in ("add", "change", "delete")]
    codenames += [f"change_{model}" for model in FIXED]
    permissions = Permission.objects.filter(
        content_type__app_label="practices", codename__in=codenames
    )
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0002_vocabularies"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
