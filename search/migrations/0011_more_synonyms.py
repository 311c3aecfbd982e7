"""More seeded synonyms: the older abbreviation of specialist
ouderengeneeskunde, advance care planning, and staff."""

from django.db import migrations

from core.cache import bump_after_migration

SEED = [
    (
        "SOG",
        "specialist ouderengeneeskunde, specialisten ouderengeneeskunde",
        "de oudere afkorting",
    ),
    ("", "ACP, advance care planning, proactieve zorgplanning", ""),
    ("", "personeel, medewerkers, zorgpersoneel, zorgmedewerkers", ""),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.bulk_create(
        Synonym(abbreviation=abbreviation, terms=terms, note=note)
        for abbreviation, terms, note in SEED
    )
    # A running site may keep the list in a shared cache (search.synonyms).
    bump_after_migration("search-synonyms")


def unseed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for abbreviation, terms, _note in SEED:
        Synonym.objects.filter(abbreviation=abbreviation, terms=terms).delete()
    bump_after_migration("search-synonyms")


class Migration(migrations.Migration):
    dependencies = [("search", "0010_seed_synonyms")]

    operations = [migrations.RunPython(seed, unseed)]
