"""`load_demo_data`: complete, spread over every facet, idempotent."""

import io
import json
from pathlib import Path

import pytest

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from practices.models import (
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticeContact,
    PracticePage,
    Province,
    TargetGroup,
    Theme,
)

pytestmark = pytest.mark.django_db
DEMO = Path(settings.BASE_DIR) / "fixtures" / "demo"


def test_demo_data_has_at_least_120_live_practices():
    assert PracticePage.objects.live().count() >= 120


@pytest.mark.parametrize(
    ("model", "relation"),
    [
        (Province, "provinces"),
        (CareOfficeRegion, "care_office_regions"),
        (Theme, "themes"),
        (Movement, "movements"),
        (TargetGroup, "target_groups"),
    ],
)
def test_every_facet_value_has_practices(model, relation):
    live = PracticePage.objects.live()
    empty = [
        value.name
        for value in model.objects.all()
        if not live.filter(**{relation: value}).exists()
    ]
    assert empty == []


def test_every_phase_and_organisation_type_occurs():
    live = PracticePage.objects.live()
    phases = set(live.values_list("phase", flat=True))
    assert phases == set(PracticePage.Phase.values)
    types = set(
        Organisation.objects.filter(practice_links__isnull=False).values_list(
            "organisation_type", flat=True
        )
    )
    assert types == set(Organisation.Type.values)


@pytest.mark.parametrize(
    ("slug", "province", "region"),
    [
        ("havenue-rotterdam", "zuid-holland", "rotterdam"),
        ("anderhalvelijnscentrum-sunenz", "fryslan", "friesland"),
        ("regionaal-transferpunt-salland", "overijssel", "midden-ijssel"),
        ("gedeeld-regiobeeld-midden-holland", "zuid-holland", "midden-holland"),
        ("hartzorgnetwerk-zuidoost-brabant", "noord-brabant", "zuidoost-brabant"),
        ("acute-zorgafdeling-aafje", "zuid-holland", "rotterdam"),
        ("spoedafdeling-groenhuysen", "noord-brabant", "west-brabant"),
        ("apop-lumc", "zuid-holland", "zuid-holland-noord"),
        ("beter-samen-in-noord", "noord-holland", "amsterdam"),
        ("gezond-texel-2030", "noord-holland", "noord-holland-noord"),
        ("proeftuin-ruwaard-oss", "noord-brabant", "noordoost-brabant"),
        ("mooi-maasvallei", "noord-brabant", "noordoost-brabant"),
        ("domeinoverstijgend-werken-ede", "gelderland", "arnhem"),
        ("domeinoverstijgend-werken-dongen", "noord-brabant", "midden-brabant"),
        ("domeinoverstijgend-werken-hollandscheveld", "drenthe", "drenthe"),
    ],
)
def test_real_initiatives_are_present_in_the_right_place(slug, province, region):
    practice = PracticePage.objects.live().get(slug=slug)
    assert practice.provinces.filter(slug=province).exists()
    assert practice.care_office_regions.filter(slug=region).exists()


def test_fictional_content_is_marked_and_contacts_use_example_org():
    real = {
        item["slug"]
        for item in json.loads((DEMO / "practices" / "real.json").read_text())
    }
    fictional = PracticePage.objects.live().exclude(slug__in=real)
    for practice in fictional.prefetch_related("practice_organisations__organisation"):
        names = [
            link.organisation.name for link in practice.practice_organisations.all()
        ]
        assert names and all(name.endswith("(voorbeeld)") for name in names), (
            practice.slug
        )
    domains = {
        email.split("@")[1]
        for email in PracticeContact.objects.values_list("email", flat=True)
    }
    assert domains == {"example.org"}


def test_practices_have_hero_images_with_alt_text():
    without = PracticePage.objects.live().filter(hero_image__isnull=True)
    assert not without.exists()
    practice = PracticePage.objects.live().first()
    assert practice.hero_image.description


def test_loading_twice_changes_nothing():
    counts = (
        PracticePage.objects.count(),
        Organisation.objects.count(),
        Theme.objects.count(),
    )
    out = io.StringIO()
    call_command("load_demo_data", "--no-progress", stdout=out)
    assert (
        PracticePage.objects.count(),
        Organisation.objects.count(),
        Theme.objects.count(),
    ) == counts
    assert "0 praktijkvoorbeelden toegevoegd" in out.getvalue()


def test_a_crash_mid_import_leaves_no_half_made_practice(monkeypatch):
    """Each practice is created in its own transaction: a crash halfway
    through one leaves the others whole and that one absent, and the next
    run adds what is missing."""
    from wagtail.models import Page

    slugs = ["havenue-rotterdam", "anderhalvelijnscentrum-sunenz"]
    for page in PracticePage.objects.filter(slug__in=slugs):
        page.delete()
    real_save_revision = PracticePage.save_revision
    calls = []

    def crash_on_the_second(page, *args, **kwargs):
        calls.append(page.slug)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_save_revision(page, *args, **kwargs)

    monkeypatch.setattr(PracticePage, "save_revision", crash_on_the_second)
    with pytest.raises(RuntimeError, match="power cut"):
        call_command("load_demo_data", "--no-progress", stdout=io.StringIO())

    first, second = calls
    assert PracticePage.objects.get(slug=first).live
    assert not PracticePage.objects.filter(slug=second).exists()
    assert all(problems == [] for problems in Page.find_problems())

    monkeypatch.setattr(PracticePage, "save_revision", real_save_revision)
    call_command("load_demo_data", "--no-progress", stdout=io.StringIO())
    assert PracticePage.objects.filter(slug__in=slugs, live=True).count() == 2


def test_editor_account_can_use_the_admin_with_the_printed_password(client):
    out = io.StringIO()
    call_command(
        "load_demo_data", "--no-progress", "--reset-editor-password", stdout=out
    )
    password = out.getvalue().split("wachtwoord '")[1].split("'")[0]
    assert len(password) >= 12
    editor = get_user_model().objects.get(username="redactie")
    assert not editor.is_superuser
    assert editor.groups.filter(name="Editors").exists()
    assert client.login(username="redactie", password=password)
    assert client.get("/admin/").status_code == 200


def test_weak_editor_password_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("DEMO_EDITOR_PASSWORD", "welkom")
    with pytest.raises(CommandError, match="te zwak"):
        call_command(
            "load_demo_data",
            "--no-progress",
            "--reset-editor-password",
            stdout=io.StringIO(),
        )


def test_demo_files_are_valid():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(DEMO / "validate.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
