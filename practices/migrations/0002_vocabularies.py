"""Loads the fixed vocabularies: provinces, care office regions and movements."""

from django.db import migrations

from practices import vocabularies


def load(apps, schema_editor):
    Province = apps.get_model("practices", "Province")
    CareOfficeRegion = apps.get_model("practices", "CareOfficeRegion")
    Movement = apps.get_model("practices", "Movement")
    provinces = {}
    for order, (slug, name) in enumerate(vocabularies.PROVINCES):
        provinces[slug], _ = Province.objects.update_or_create(
            slug=slug, defaults={"name": name, "sort_order": order}
        )
    for slug, name, province in vocabularies.CARE_OFFICE_REGIONS:
        CareOfficeRegion.objects.update_or_create(
            slug=slug, defaults={"name": name, "province": provinces[province]}
        )
    for order, (slug, name, description) in enumerate(vocabularies.MOVEMENTS):
        Movement.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
