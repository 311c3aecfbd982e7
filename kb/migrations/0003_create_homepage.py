"""Replaces Wagtail's welcome page with the Vindplaats home page."""

from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("kb", "HomePage")

    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="kb")
    locale = Locale.objects.order_by("pk").first()
    home = HomePage.objects.create(
        title="Vindplaats",
        draft_title="Vindplaats",
        seo_title="Vindplaats: praktijkvoorbeelden De Juiste Zorg op de Juiste Plek",
        intro="Praktijkvoorbeelden van De Juiste Zorg op de Juiste Plek: vind, "
        "vergelijk en leer van elkaar.",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
    )
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", root_page=home, is_default_site=True, site_name="Vindplaats"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
