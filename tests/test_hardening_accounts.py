"""Issue 14, accounts: login lockout, one password reset, sign-up without
enumeration, client addresses, profiles that cannot be walked, suspended
members' profiles and members' names in the admin."""

import json
import subprocess
import sys
from unittest import mock

import pytest
from allauth.account.adapter import get_adapter
from wagtail.admin.utils import get_user_display_name

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Profile
from tests.factories import EditorFactory, PracticePageFactory, UserFactory

from .factories_community import AnswerFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db

PASSWORD = "een-veilig-testwachtwoord"
User = get_user_model()

# The same site, as a browser or an attacker may name it. The test settings
# allow every host (ALLOWED_HOSTS = ["*"]), as production allows its own names
# with and without port, case or trailing dot.
HOSTS = ["127.0.0.1:8000", "LOCALHOST", "localhost.", "localhost:8001", "testserver"]


# --- Item 2: the per-account lockout ignores the Host header ----------------


def test_site_login_lockout_is_per_account_whatever_the_host(client):
    member = MemberFactory(email="slot@example.org")
    logins = [" Slot@Example.org", "SLOT@example.org ", "slot@example.org"]
    for number, host in enumerate(HOSTS):
        response = client.post(
            reverse("account_login"),
            {"login": logins[number % len(logins)], "password": "fout"},
            HTTP_HOST=host,
            REMOTE_ADDR=f"192.0.2.{number + 1}",
        )
        assert response.status_code == 200
    # Five failures from five hosts (and addresses): the account is locked,
    # the right password included, on yet another host.
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        HTTP_HOST="LocalHost:8443",
        REMOTE_ADDR="192.0.2.99",
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200
    assert "Te veel" in response.content.decode()


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_login_lockout_is_per_account_whatever_the_host(client, path):
    staff = EditorFactory(is_staff=True, username="Redacteur-Slot")
    names = [staff.username, staff.username.upper(), f" {staff.username.lower()} "]
    for number, host in enumerate(HOSTS):
        response = client.post(
            path,
            {"username": names[number % len(names)], "password": "fout"},
            HTTP_HOST=host,
            REMOTE_ADDR=f"198.51.100.{number + 1}",
        )
        assert response.status_code == 200
    response = client.post(
        path,
        {"username": staff.username, "password": PASSWORD},
        HTTP_HOST="localhost.:9000",
        REMOTE_ADDR="198.51.100.99",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_login_lockout_counts_username_and_address_as_one_account(client):
    staff = EditorFactory(
        is_staff=True, username="redacteur-twee", email="Twee@Example.org"
    )
    names = ["redacteur-twee", "twee@example.org", "TWEE@EXAMPLE.ORG"]
    for number in range(5):
        client.post(
            "/admin/login/",
            {"username": names[number % len(names)], "password": "fout"},
            REMOTE_ADDR=f"203.0.113.{number + 1}",
        )
    response = client.post(
        "/admin/login/",
        {"username": staff.username, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.99",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- Item 3: one password reset, allauth's ---------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/admin/password_reset/confirm/MQ/abc-def/",
        "/django-admin/password_reset/",
    ],
)
def test_admin_password_reset_sends_nothing_and_leads_to_allauth(
    client, path, django_capture_on_commit_callbacks
):
    editor = EditorFactory(email="redactie-reset@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"email": editor.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password")
    assert mail.outbox == []
    assert client.get(path).status_code == 302


@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_login_pages_link_to_the_one_password_reset(client, path):
    html = client.get(path).content.decode()
    link = (
        "/admin/password_reset/"
        if path.startswith("/admin/")
        else "/django-admin/password_reset/"
    )
    assert f'href="{link}"' in html
    assert client.get(link)["Location"] == reverse("account_reset_password")


def reset(client, email, captured):
    with captured(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email})
    sent = [message for message in mail.outbox if message.to == [email]]
    return response, sent


def test_password_reset_answers_every_address_alike_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    editor = EditorFactory(email="redacteur@example.org")
    member = MemberFactory(email="lid@example.org")
    answers = {}
    for email in (editor.email, member.email, "niemand@example.org"):
        response, sent = reset(client, email, django_capture_on_commit_callbacks)
        answers[email] = (response.status_code, response["Location"])
        # One mail each, through the outbox: a reset link or "no account".
        assert len(sent) == 1
        assert editor.username not in sent[0].body
        assert member.username not in sent[0].body
    assert len(set(answers.values())) == 1, answers


# --- Item 4: sign-up does the same work for a new or a known address -------


def sign_up(client, email, captured):
    before = len(mail.outbox)
    with (
        mock.patch.object(
            MD5PasswordHasher,
            "encode",
            autospec=True,
            side_effect=MD5PasswordHasher.encode,
        ) as encode,
        captured(execute=True),
    ):
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": "Nieuw Lid",
                "email": email,
                "password1": "zeer-geheim-wachtwoord-42",
                "password2": "zeer-geheim-wachtwoord-42",
            },
        )
    client.logout()
    return response, encode.call_count, len(mail.outbox) - before


def test_sign_up_hashes_and_mails_alike_for_new_and_known_addresses(
    client, django_capture_on_commit_callbacks
):
    MemberFactory(email="bestaat@example.org")
    new = sign_up(client, "nieuw@example.org", django_capture_on_commit_callbacks)
    known = sign_up(client, "bestaat@example.org", django_capture_on_commit_callbacks)
    new_response, new_hashes, new_mails = new
    known_response, known_hashes, known_mails = known
    assert (new_response.status_code, new_response["Location"]) == (
        known_response.status_code,
        known_response["Location"],
    )
    assert new_hashes == known_hashes == 1
    assert new_mails == known_mails == 1
    assert User.objects.filter(email="bestaat@example.org").count() == 1


# --- Item 12: X-Forwarded-For is not trusted by default ---------------------


def production_setting(name):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps(getattr(settings, {name!r}, None)))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "kb.settings.production",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-tests",
        "ALLOWED_HOSTS": "vindplaats.example.org",
        "SITE_URL": "https://vindplaats.example.org",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_spoofed_forwarded_for_does_not_change_the_client_address(client):
    proxies = production_setting("ALLAUTH_TRUSTED_PROXY_COUNT") or 0
    assert proxies == 0
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=proxies):
        request = RequestFactory().post(
            "/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.77"
        )
        assert get_adapter().get_client_ip(request) == "203.0.113.5"
        # Ten failed logins under ten made-up addresses: the one real
        # address is blocked all the same.
        for number in range(10):
            response = client.post(
                "/admin/login/",
                {"username": f"gok-{number}", "password": "fout"},
                REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{number + 1}",
            )
            assert response.status_code == 200
        response = client.post(
            "/admin/login/",
            {"username": "gok-laatste", "password": "fout"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR="192.0.2.200",
        )
        assert response.status_code == 429


# --- Item 14: profiles cannot be walked, show nothing unasked, no usernames -


def test_profiles_have_random_addresses_and_numbered_ones_are_gone(client):
    first = MemberFactory()
    second = MemberFactory()
    for member in (first, second):
        QuestionFactory(author=member)
    first_url = first.profile.get_absolute_url()
    second_url = second.profile.get_absolute_url()
    assert first_url != second_url
    for member, url in ((first, first_url), (second, second_url)):
        code = url.rstrip("/").rsplit("/", 1)[-1]
        assert len(code) == 16 and str(member.pk) != code
        assert client.get(url).status_code == 200
        assert client.get(f"/leden/{member.pk}/").status_code == 404


def test_new_profiles_show_nothing_until_ticked(client):
    member = MemberFactory(display_name="Fenna Visser")
    profile = member.profile
    assert not any(
        [
            profile.show_organisation,
            profile.show_role,
            profile.show_province,
            profile.show_bio,
            profile.show_avatar,
        ]
    )
    profile.organisation = "Wijkteam Zuid"
    profile.role = "Casemanager dementie"
    profile.bio = "Ik help mantelzorgers."
    profile.save()
    QuestionFactory(author=member)
    html = client.get(profile.get_absolute_url()).content.decode()
    assert "Fenna Visser" in html
    for private in ("Wijkteam Zuid", "Casemanager dementie", "Ik help mantelzorgers."):
        assert private not in html


def test_a_profile_with_nothing_public_is_not_found_by_others(client):
    member = MemberFactory()
    profile = member.profile
    profile.role = "Huisarts"
    profile.save()
    url = profile.get_absolute_url()
    other = MemberFactory()

    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(url).status_code == 404
    # Only a hidden post: still nothing public.
    QuestionFactory(author=member, is_hidden=True)
    assert client.get(url).status_code == 404
    # The member sees their own page, and why others do not.
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="profile-hidden"' in response.content.decode()

    # Choosing to show something opens it.
    client.force_login(other)
    profile.show_role = True
    profile.save()
    assert client.get(url).status_code == 200
    # So does a visible post.
    profile.show_role = False
    profile.save()
    assert client.get(url).status_code == 404
    AnswerFactory(author=member)
    assert client.get(url).status_code == 200


def test_an_account_made_in_the_admin_never_shows_its_username(client):
    made = User.objects.create_user("jdevries-login", "jdv@example.org", PASSWORD)
    name = made.profile.display_name
    assert name and "jdevries" not in name.lower()
    assert name.startswith(gettext("Member %(code)s").split(" ")[0])
    question = QuestionFactory(author=made, title="Een vraag uit de admin")
    for url in (question.get_absolute_url(), made.profile.get_absolute_url()):
        html = client.get(url).content.decode()
        assert name in html
        assert "jdevries-login" not in html
    # Made with a name: that name.
    named = User.objects.create_user(
        "kbakker", "kb@example.org", PASSWORD, first_name="Karin", last_name="Bakker"
    )
    assert named.profile.display_name == "Karin Bakker"


# --- Item 15: a suspended member cannot change their public profile --------


def test_suspended_member_cannot_change_the_public_profile(client):
    member = MemberFactory(display_name="Geschorst Lid")
    profile = member.profile
    profile.suspended_until = timezone.now() + timezone.timedelta(days=3)
    profile.bio = "Oude tekst"
    profile.save()
    client.force_login(member)

    page = client.get(reverse("accounts:edit")).content.decode()
    assert 'id="suspension-profile-locked"' in page
    assert 'name="display_name"' in page and "disabled" in page

    client.post(
        reverse("accounts:edit"),
        {
            "display_name": "Reclame Voor Iets",
            "bio": "Koop nu!",
            "role": "Verkoper",
            "show_bio": "on",
            "show_role": "on",
            "email_frequency": "never",
        },
    )
    profile.refresh_from_db()
    assert profile.display_name == "Geschorst Lid"
    assert profile.bio == "Oude tekst"
    assert profile.role == ""
    assert not profile.show_bio and not profile.show_role
    # The notification emails stay theirs to choose.
    assert profile.email_frequency == Profile.EmailFrequency.NEVER


# --- Item 23: the admin calls members by their display name ----------------


def test_the_admin_shows_members_by_display_name(client):
    member = MemberFactory(display_name="Fatima el Amrani")
    assert get_user_display_name(member) == "Fatima el Amrani"
    page = PracticePageFactory()
    page.save_revision(user=member, log_action=True)
    editor = EditorFactory()
    client.force_login(editor)
    html = client.get(
        reverse("wagtailadmin_pages:history", args=[page.pk])
    ).content.decode()
    assert "Fatima el Amrani" in html
    assert member.username not in html

    # A new display name follows everywhere.
    profile = Profile.objects.get(user=member)
    profile.display_name = "Fatima Amrani"
    profile.save()
    member.refresh_from_db()
    assert get_user_display_name(member) == "Fatima Amrani"


def test_an_emptied_admin_name_falls_back_to_the_display_name():
    member = MemberFactory(display_name="Sanne de Wit")
    member.first_name = member.last_name = ""
    member.save()
    member.refresh_from_db()
    assert get_user_display_name(member) == "Sanne de Wit"
    assert UserFactory().get_full_name()  # no account without a name


# --- Item 5 (avatars): decoding uploaded images is rate-limited -------------


def _png(name):
    import io

    from PIL import Image

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "orange").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_avatar_uploads_count_against_the_image_rate_and_keep_the_rest(client):
    member = MemberFactory(display_name="Fotograaf")
    client.force_login(member)
    limits = {**settings.ACCOUNT_RATE_LIMITS, "image_upload": "1/h/user"}
    with override_settings(ACCOUNT_RATE_LIMITS=limits):
        first = client.post(
            reverse("accounts:edit"),
            {
                "display_name": "Fotograaf",
                "email_frequency": "never",
                "avatar": _png("a.png"),
            },
        )
        assert first.status_code == 302
        member.profile.refresh_from_db()
        assert member.profile.avatar
        kept = member.profile.avatar.name

        second = client.post(
            reverse("accounts:edit"),
            {
                "display_name": "Nieuwe Naam",
                "email_frequency": "never",
                "avatar": _png("b.png"),
            },
        )
    # Refused with the form shown again: what was typed is still in it.
    assert second.status_code == 200
    assert "Nieuwe Naam" in second.content.decode()
    assert "avatar" in second.context["form"].errors
    member.profile.refresh_from_db()
    assert member.profile.avatar.name == kept


# --- Review: no login username anywhere in either admin ---------------------

USERNAME = "lid-deadbeef0001"


def test_no_admin_listing_or_inspect_page_shows_a_members_username(client):
    from community.models import ContactMessage

    member = MemberFactory(
        username=USERNAME, email="zichtbaar@example.org", display_name="Zichtbare Naam"
    )
    question = QuestionFactory(author=member)
    answer = AnswerFactory(author=member, question=question)
    message = ContactMessage.objects.create(
        sender=member, contact_name="Piet", subject="Een vraag", message="Hoi"
    )
    # What prints a user names them; logging in still uses the username.
    assert str(member) == "Zichtbare Naam"
    assert member.get_username() == USERNAME
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)
    urls = [
        "/admin/community/vragen/",
        f"/admin/community/vragen/inspect/{question.pk}/",
        "/admin/community/antwoorden/",
        f"/admin/community/antwoorden/inspect/{answer.pk}/",
        "/admin/community/contactberichten/",
        f"/admin/community/contactberichten/inspect/{message.pk}/",
        "/admin/users/",
        "/django-admin/auth/user/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert USERNAME not in html, url
        assert "Zichtbare Naam" in html, url
    # The users' listing gives the address instead of the username.
    assert "zichtbaar@example.org" in client.get("/admin/users/").content.decode()
    # A search by username still finds the member.
    found = client.get("/admin/users/", {"q": USERNAME}).content.decode()
    assert "Zichtbare Naam" in found


# --- Review: Wagtail's account page changes no password and no address ------


def test_the_admin_account_page_changes_neither_password_nor_address(client):
    editor = EditorFactory(email="redactie@example.org")
    client.force_login(editor)
    page = client.get("/admin/account/").content.decode()
    assert "old_password" not in page
    assert 'name="name_email-email"' not in page
    # It leads to the site's own pages, where allauth does both.
    assert f'href="{reverse("account_change_password")}"' in page
    assert f'href="{reverse("account_email")}"' in page
    for old in ["fout"] * 3 + [PASSWORD]:
        client.post(
            "/admin/account/",
            {
                "password-old_password": old,
                "password-new_password1": "Nieuw-wachtwoord-123!",
                "password-new_password2": "Nieuw-wachtwoord-123!",
                "name_email-first_name": "Redactie",
                "name_email-last_name": "Hoofd",
                "name_email-email": "ander@example.org",
                "locale-preferred_language": "nl",
                "locale-current_time_zone": "",
                "theme-theme": "system",
                "theme-density": "default",
                "theme-contrast": "system",
            },
        )
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)
    assert not editor.check_password("Nieuw-wachtwoord-123!")
    assert editor.email == "redactie@example.org"


# --- Review: one name, both ways ---------------------------------------------


def test_a_name_changed_in_the_admin_becomes_the_display_name(client):
    member = MemberFactory(display_name="Oude Naam")
    member.refresh_from_db()
    member.first_name, member.last_name = "Nieuwe", "Naam van Lid"
    member.save()
    assert Profile.objects.get(user=member).display_name == "Nieuwe Naam van Lid"
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Nieuwe", "Naam van Lid")

    # An editor renaming themselves on Wagtail's account page.
    editor = EditorFactory()
    client.force_login(editor)
    response = client.post(
        "/admin/account/",
        {
            "name_email-first_name": "Karin",
            "name_email-last_name": "Bakker",
            "locale-preferred_language": "nl",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
        },
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=editor).display_name == "Karin Bakker"


def _migration(name):
    import importlib

    return importlib.import_module(f"accounts.migrations.{name}")


def test_migration_0003_keeps_the_names_of_staff():
    from django.apps import apps

    editor = EditorFactory(is_staff=True, first_name="Karin", last_name="Bakker")
    member = MemberFactory()
    Profile.objects.filter(user=editor).update(display_name="Redactie Karin")
    Profile.objects.filter(user=member).update(display_name="Sanne de Wit")
    User.objects.filter(pk=member.pk).update(first_name="Iets", last_name="Anders")

    _migration("0003_fill_public_ids_and_names").fill(apps, None)

    editor.refresh_from_db()
    member.refresh_from_db()
    assert (editor.first_name, editor.last_name) == ("Karin", "Bakker")
    assert (member.first_name, member.last_name) == ("Sanne", "de Wit")


def test_migration_0004_gives_profiles_made_meanwhile_a_public_id():
    from django.apps import apps

    # (The unique index of the current schema allows one empty id; before
    # 0004 there is none.)
    member = MemberFactory()
    Profile.objects.filter(user=member).update(public_id="")

    _migration("0004_profile_public_id_unique").fill_missing(apps, None)

    public_id = Profile.objects.get(user=member).public_id
    assert len(public_id) == 16
    assert Profile.objects.filter(public_id=public_id).count() == 1


# --- Review: accounts that share a login share one count ----------------------


def test_accounts_sharing_an_address_share_one_failed_login_count(client):
    from allauth.account.models import EmailAddress

    from accounts.adapter import login_attempts_key

    member = MemberFactory(email="eigen@example.org")
    EmailAddress.objects.create(
        user=member, email="gedeeld@example.org", verified=False, primary=False
    )
    # The same address typed in the admin for another account.
    other = User.objects.create_user("ander-login", "Gedeeld@Example.org", PASSWORD)
    assert other.email == "gedeeld@example.org"
    keys = {
        login_attempts_key(login)
        for login in (
            "eigen@example.org",
            "GEDEELD@example.org",
            "ander-login",
            member.username,
        )
    }
    assert len(keys) == 1

    # Three failures with the member's own address and two with the shared
    # one: the member's account is locked.
    for number, login in enumerate(
        ["eigen@example.org"] * 3 + ["gedeeld@example.org"] * 2
    ):
        client.post(
            reverse("account_login"),
            {"login": login, "password": "fout"},
            REMOTE_ADDR=f"192.0.2.{number + 10}",
        )
    client.post(
        reverse("account_login"),
        {"login": "eigen@example.org", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.99",
    )
    assert "_auth_user_id" not in client.session


def test_migration_0006_lower_cases_addresses_that_collide_with_none():
    from allauth.account.models import EmailAddress

    from django.apps import apps

    single = MemberFactory(email="enkel@example.org")
    twice_a = UserFactory(email="dubbel@example.org")
    twice_b = UserFactory(email="x@example.org")
    User.objects.filter(pk=single.pk).update(email="Enkel@Example.org")
    EmailAddress.objects.filter(user=single).update(email="Enkel@Example.org")
    User.objects.filter(pk=twice_b.pk).update(email="DUBBEL@example.org")

    _migration("0006_lower_case_email_addresses").lower_case(apps, None)

    single.refresh_from_db()
    twice_b.refresh_from_db()
    assert single.email == "enkel@example.org"
    assert EmailAddress.objects.get(user=single).email == "enkel@example.org"
    assert twice_b.email == "DUBBEL@example.org"
    assert User.objects.filter(pk=twice_a.pk, email="dubbel@example.org").exists()


# --- Review: the expert by experience badge is shown only when chosen ---------


def test_the_expert_by_experience_badge_shows_only_when_chosen(client):
    member = MemberFactory(display_name="Ingrid Ervaring")
    client.force_login(member)
    response = client.post(
        reverse("accounts:edit"),
        {
            "display_name": "Ingrid Ervaring",
            "lived_experience": "on",
            "email_frequency": "never",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.lived_experience and not profile.show_lived_experience
    question = QuestionFactory(author=member)
    client.logout()
    for url in (question.get_absolute_url(), profile.get_absolute_url()):
        assert "badge--lived-experience" not in client.get(url).content.decode()

    shown = MemberFactory(display_name="Open Ervaring")
    shown.profile.lived_experience = shown.profile.show_lived_experience = True
    shown.profile.save()
    other = QuestionFactory(author=shown)
    for url in (other.get_absolute_url(), shown.profile.get_absolute_url()):
        assert "badge--lived-experience" in client.get(url).content.decode()


# --- Re-review: one-word names save in the admin -----------------------------


def test_a_one_word_name_saves_in_the_admin_without_inventing_a_surname(client):
    member = MemberFactory(display_name="Jantje")
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("wagtailusers_users:edit", args=[member.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name != "groups"
    }
    data["is_active"] = ""  # the editor deactivates the member
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert not member.is_active
    assert member.profile.display_name == "Jantje"

    editor = EditorFactory()
    editor.profile.display_name = "Redactie"
    editor.profile.save()
    client.force_login(editor)
    response = client.post(
        "/admin/account/",
        {
            "name_email-first_name": "Redactie",
            "name_email-last_name": "",
            "locale-preferred_language": "nl",
            "locale-current_time_zone": "",
            "theme-theme": "dark",
            "theme-density": "default",
            "theme-contrast": "system",
        },
    )
    assert response.status_code == 302
