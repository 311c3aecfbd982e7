"""The first synonyms: Dutch healthcare abbreviations and the words the
practices use for the same thing. The redactie (Wagtail's Editors and
Moderators groups) keeps them from here on, in the "Synoniemen" snippet.

Each entry is (abbreviation, terms, note). An empty abbreviation makes the
terms one group of equivalents; otherwise the abbreviation finds the terms,
one way (for abbreviations that are also ordinary words, such as "hap" and
"so", or that stand for one of several things).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from core.cache import bump_after_migration

SEED = [
    # One way: the abbreviation finds what it stands for, not back.
    ("ELV", "eerstelijnsverblijf, eerstelijnsverblijven, eerstelijnsbed", ""),
    ("GRZ", "geriatrische revalidatie, geriatrische revalidatiezorg", ""),
    ("HAP", "huisartsenpost, huisartsenposten", "'hap' is ook een gewoon woord"),
    ("SO", "specialist ouderengeneeskunde, specialisten ouderengeneeskunde", ""),
    (
        "VVT",
        "verpleging verzorging thuiszorg, verpleeghuis, verpleeghuizen, thuiszorg",
        "de sector: verpleeghuizen en thuiszorg",
    ),
    ("GLI", "gecombineerde leefstijlinterventie, leefstijlinterventie", ""),
    ("RAV", "regionale ambulancevoorziening, ambulancedienst, ambulancezorg", ""),
    ("alzheimer", "dementie", "een vorm van dementie"),
    ("dokter", "huisarts, arts", "hoe bezoekers het zeggen"),
    # Groups: each term finds the others.
    ("", "SEH, spoedeisende hulp", ""),
    ("", "POH, praktijkondersteuner, praktijkondersteuning", ""),
    ("", "POH-GGZ, praktijkondersteuner GGZ", ""),
    ("", "Wmo, Wet maatschappelijke ondersteuning", ""),
    ("", "Wlz, Wet langdurige zorg", ""),
    ("", "Zvw, Zorgverzekeringswet", ""),
    ("", "GGZ, geestelijke gezondheidszorg", ""),
    ("", "GGD, gemeentelijke gezondheidsdienst", ""),
    ("", "JGZ, jeugdgezondheidszorg", ""),
    ("", "CJG, Centrum voor Jeugd en Gezin", ""),
    ("", "IZA, Integraal Zorgakkoord", ""),
    ("", "GALA, Gezond en Actief Leven Akkoord", ""),
    ("", "WOZO, Wonen Ondersteuning en Zorg voor Ouderen", ""),
    ("", "ROAZ, Regionaal Overleg Acute Zorgketen", ""),
    ("", "MDO, multidisciplinair overleg", ""),
    ("", "PGB, persoonsgebonden budget", ""),
    ("", "NAH, niet-aangeboren hersenletsel", ""),
    ("", "LVB, licht verstandelijke beperking", ""),
    ("", "CVA, beroerte, herseninfarct", ""),
    ("", "COPD, chronische longziekte, chronisch obstructieve longziekte", ""),
    ("", "SPV, sociaal psychiatrisch verpleegkundige", ""),
    ("", "zzp, zzp'er, zzp'ers, zelfstandige zonder personeel", ""),
    (
        "",
        "beeldbellen, videobellen, beeldconsult, videoconsult, e-consult, "
        "beeldbelgesprek",
        "",
    ),
    ("", "e-health, ehealth, digitale zorg, zorg op afstand, telezorg", ""),
    ("", "telemonitoring, thuismonitoring, monitoring op afstand", ""),
    ("", "wijkverpleging, wijkverpleegkundige, wijkverpleegkundigen", ""),
    ("", "mantelzorg, mantelzorger, mantelzorgers, informele zorg", ""),
    ("", "valpreventie, valrisico, valincidenten, vallen voorkomen", ""),
    ("", "eenzaamheid, sociaal isolement", ""),
    ("", "ziekenhuisopname, ziekenhuisopnames, opname in het ziekenhuis", ""),
    ("", "heropname, heropnames, opnieuw opgenomen", ""),
    ("", "respijtzorg, logeeropvang, logeerhuis", ""),
    ("", "casemanager, casemanagement, casemanagers", ""),
    ("", "palliatieve zorg, terminale zorg, zorg in de laatste levensfase", ""),
    ("", "transferpunt, transferbureau", ""),
    ("", "anderhalvelijnszorg, anderhalvelijns, anderhalve lijn", ""),
    ("", "medicatiebeoordeling, medicatiereview", ""),
    ("", "wijkteam, sociaal wijkteam, buurtteam", ""),
    ("", "welzijnswerk, sociaal werk", ""),
    ("", "zorgverzekeraar, zorgverzekeraars, verzekeraar", ""),
    ("", "fysiotherapeut, fysiotherapie, fysio", ""),
    ("", "ouderen, senioren", ""),
    ("", "dagbesteding, dagopvang", ""),
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="search",
        codename__in=["add_synonym", "change_synonym", "delete_synonym"],
    )
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*permissions)


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
    dependencies = [
        ("search", "0009_synonyms"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
