"""Members' accounts: allauth flows, profiles, photos, export and deletion."""

import io
import json
import re
import struct
import zlib
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from PIL import Image

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Profile
from community.models import Answer, ContactMessage, HelpfulVote, Question, Report
from notifications.models import Follow, Notification, OutgoingEmail
from practices.models import Province, Theme

from .factories_community import AnswerFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db

PASSWORD = "een-veilig-testwachtwoord"
User = get_user_model()


def image_upload(fmt="PNG", size=(800, 600), name="foto.png", mode="RGB", **save):
    buffer = io.BytesIO()
    Image.new(mode, size, "teal").save(buffer, format=fmt, **save)
    buffer.seek(0)
    buffer.name = name
    return buffer


def png_claiming(width, height):
    """A few hundred bytes of PNG whose header claims width × height pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )
    buffer = io.BytesIO(png)
    buffer.name = "bom.png"
    return buffer


def profile_data(**overrides):
    data = {
        "display_name": "Anna de Vries",
        "organisation": "Wijkteam Noord",
        "role": "Wijkverpleegkundige",
        "province": "",
        "bio": "Ik werk in de wijk.",
        "show_organisation": "on",
        "show_role": "on",
        "show_province": "on",
        "show_bio": "on",
        "show_avatar": "on",
        "email_frequency": "daily",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# Sign-up, verification, login, password reset


def test_sign_up_verify_by_email_and_get_logged_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": "  Jan   Jansen ",
                "email": "jan@example.org",
                "password1": "zeer-geheim-wachtwoord-42",
                "password2": "zeer-geheim-wachtwoord-42",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="jan@example.org")
    assert user.profile.display_name == "Jan Jansen"
    assert user.username.startswith("lid-")
    assert "jan" not in user.username
    assert not EmailAddress.objects.get(user=user).verified
    # Not logged in before the address is verified.
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jan@example.org"]
    assert message.subject.startswith("[Vindplaats] ")
    assert "Vindplaats" in message.body
    assert "Jan Jansen" in message.body  # the display name, never the username
    assert user.username not in message.body
    link = re.search(r"http://testserver(/account/confirm-email/\S+/)", message.body)
    assert link, message.body

    # The link shows a page (GET confirms nothing); the POST confirms.
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_requires_a_display_name(client):
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "   ",
            "email": "zonder@example.org",
            "password1": "zeer-geheim-wachtwoord-42",
            "password2": "zeer-geheim-wachtwoord-42",
        },
    )
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert 'href="#id_display_name"' in response.content.decode()
    assert not User.objects.filter(email="zonder@example.org").exists()


def test_login_page_uses_the_site_layout(client):
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<header" in html and "site-header" in html
    assert html.count("<h1") == 1
    label = r'<label class="[^"]*\bform-field__label\b[^"]*" for="id_login">'
    assert re.search(label, html)


def test_login_with_email_and_wrong_password(client):
    member = MemberFactory(email="lid@example.org")
    response = client.post(
        reverse("account_login"), {"login": "lid@example.org", "password": "fout"}
    )
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("account_login"), {"login": "lid@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_logout_is_a_post(client):
    member = MemberFactory()
    client.force_login(member)
    client.get(reverse("account_logout"))
    assert client.session.get("_auth_user_id") == str(member.pk)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_sign_up_works_while_the_mail_server_is_down(
    client, django_capture_on_commit_callbacks
):
    """The verification email waits in the outbox and is sent later."""
    with (
        mock.patch(
            "notifications.mail.EmailMultiAlternatives.send",
            side_effect=ConnectionRefusedError("SMTP server down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("account_signup"),
            {
                "display_name": "Jan Jansen",
                "email": "jan@example.org",
                "password1": "zeer-geheim-wachtwoord-42",
                "password2": "zeer-geheim-wachtwoord-42",
            },
        )
    assert response.status_code == 302
    assert mail.outbox == []
    waiting = OutgoingEmail.objects.get(to="jan@example.org")
    assert waiting.status == OutgoingEmail.Status.PENDING
    # The link is made when the email is sent, never stored (issue 14).
    assert "/account/confirm-email/" not in waiting.body

    OutgoingEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    call_command("send_pending_emails", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [["jan@example.org"]]
    assert mail.outbox[0].subject.startswith("[Vindplaats] ")
    assert "/account/confirm-email/" in mail.outbox[0].body


def test_a_filled_in_honeypot_refuses_the_sign_up_and_keeps_the_values(client):
    form = client.get(reverse("account_signup")).content.decode()
    assert 'name="website"' in form and 'tabindex="-1"' in form
    assert 'class="form-field form-field--trap" aria-hidden="true"' in form

    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Spam Bot",
            "email": "bot@example.org",
            "password1": "zeer-geheim-wachtwoord-42",
            "password2": "zeer-geheim-wachtwoord-42",
            "website": "https://spam.example.com",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="bot@example.org").exists()
    html = response.content.decode()
    assert gettext(
        "This form looks filled in by a program. Leave the field "
        "“Leave this field empty” empty and send it again."
    ) in html.replace("&#x27;", "'").replace("&quot;", '"')
    assert 'value="bot@example.org"' in html and 'value="Spam Bot"' in html


def test_a_filled_in_honeypot_sends_no_password_reset(client):
    MemberFactory(email="vergeten@example.org")
    response = client.post(
        reverse("account_reset_password"),
        {"email": "vergeten@example.org", "website": "x"},
    )
    assert response.status_code == 200
    assert OutgoingEmail.objects.filter(to="vergeten@example.org").count() == 0


def test_password_reset_sends_a_link(client, django_capture_on_commit_callbacks):
    MemberFactory(email="vergeten@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_reset_password"), {"email": "vergeten@example.org"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://testserver(/account/password/reset/key/\S+/)", mail.outbox[0].body
    )
    assert link
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()


def test_password_change_page_renders_for_a_member(client):
    client.force_login(MemberFactory())
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("accounts:edit") in html
    assert html.count("<h1") == 1


def test_change_password(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "nieuw-geheim-wachtwoord-7",
            "password2": "nieuw-geheim-wachtwoord-7",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("nieuw-geheim-wachtwoord-7")


def test_change_email_after_verifying_the_new_address(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory(email="oud@example.org")
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "nieuw@example.org"}
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["nieuw@example.org"]
    member.refresh_from_db()
    assert member.email == "oud@example.org"  # until the new one is verified
    link = re.search(
        r"http://testserver(/account/confirm-email/\S+/)", mail.outbox[-1].body
    )
    client.post(link.group(1))
    member.refresh_from_db()
    assert member.email == "nieuw@example.org"
    assert list(
        EmailAddress.objects.filter(user=member).values_list("email", flat=True)
    ) == ["nieuw@example.org"]


def test_email_page_renders_the_members_own_address(client):
    member = MemberFactory(email="eigen@example.org")
    client.force_login(member)
    response = client.get(reverse("account_email"))
    assert response.status_code == 200
    assert "eigen@example.org" in response.content.decode()


# Profile editing and the avatar


def test_anonymous_visitors_are_sent_to_login(client):
    for name in ("accounts:edit", "accounts:export", "accounts:delete"):
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        response = client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_edit_profile(client):
    member = MemberFactory()
    province = Province.objects.order_by("pk").first()
    client.force_login(member)
    assert client.get(reverse("accounts:edit")).status_code == 200
    response = client.post(
        reverse("accounts:edit"),
        profile_data(province=province.pk, lived_experience="on", show_bio=None),
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.display_name == "Anna de Vries"
    assert profile.province == province
    assert profile.lived_experience
    assert not profile.show_bio
    assert profile.email_frequency == Profile.EmailFrequency.DAILY


def test_valid_avatar_is_resized_reencoded_and_stripped(client):
    member = MemberFactory()
    client.force_login(member)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    exif[0x010F] = "Camera van Anna"
    upload = image_upload("JPEG", size=(1200, 800), name="vakantie.jpg", exif=exif)
    response = client.post(reverse("accounts:edit"), profile_data(avatar=upload))
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.avatar.name.startswith("avatars/")
    assert "vakantie" not in profile.avatar.name
    with profile.avatar.open("rb") as stored:
        image = Image.open(stored)
        image.load()
    assert image.format == "JPEG"
    assert max(image.size) <= 400
    assert image.size == (267, 400)  # turned upright by the EXIF orientation
    assert not image.getexif()
    assert "icc_profile" not in image.info


def test_transparent_png_becomes_webp(client):
    member = MemberFactory()
    client.force_login(member)
    upload = image_upload("PNG", size=(500, 500), mode="RGBA")
    client.post(reverse("accounts:edit"), profile_data(avatar=upload))
    profile = Profile.objects.get(user=member)
    with profile.avatar.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "WEBP"
        assert image.size == (400, 400)


def test_replacing_and_removing_the_avatar_deletes_the_old_file(
    client, django_capture_on_commit_callbacks
):
    member = MemberFactory()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:edit"), profile_data(avatar=image_upload()))
    first = Profile.objects.get(user=member).avatar
    storage, first_name = first.storage, first.name
    assert storage.exists(first_name)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:edit"), profile_data(avatar=image_upload()))
    second_name = Profile.objects.get(user=member).avatar.name
    assert second_name != first_name
    assert not storage.exists(first_name)
    assert storage.exists(second_name)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:edit"), profile_data(remove_avatar="on"))
    assert not Profile.objects.get(user=member).avatar
    assert not storage.exists(second_name)


def assert_avatar_refused(client, member, upload, message):
    response = client.post(
        reverse("accounts:edit"),
        profile_data(display_name="Nieuwe naam", organisation="Getypt", avatar=upload),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_avatar"' in html
    assert message in html
    # What the member typed is still in the form, and nothing was saved.
    assert 'value="Nieuwe naam"' in html
    assert 'value="Getypt"' in html
    profile = Profile.objects.get(user=member)
    assert profile.display_name != "Nieuwe naam"
    assert not profile.avatar


def test_avatar_that_is_not_an_image_is_refused(client):
    member = MemberFactory()
    client.force_login(member)
    upload = io.BytesIO(b"GIF89a nep, eigenlijk tekst")
    upload.name = "foto.png"
    assert_avatar_refused(
        client, member, upload, gettext("Choose a JPEG, PNG or WebP image.")
    )


def test_avatar_in_another_image_format_is_refused(client):
    member = MemberFactory()
    client.force_login(member)
    upload = image_upload("GIF", name="foto.jpg")
    assert_avatar_refused(
        client, member, upload, gettext("Choose a JPEG, PNG or WebP image.")
    )


@override_settings(AVATAR_MAX_BYTES=1000)
def test_too_large_avatar_file_is_refused_before_decoding(client, monkeypatch):
    member = MemberFactory()
    client.force_login(member)

    def must_not_open(*args, **kwargs):
        raise AssertionError("Pillow opened a file that was too large")

    monkeypatch.setattr("core.images.Image.open", must_not_open)
    upload = io.BytesIO(b"\xff" * 2000)
    upload.name = "groot.jpg"
    assert_avatar_refused(client, member, upload, "1000")


def test_decompression_bomb_is_refused(client):
    member = MemberFactory()
    client.force_login(member)
    # 100,000 × 100,000 pixels would need tens of gigabytes once decoded.
    assert_avatar_refused(
        client,
        member,
        png_claiming(100_000, 100_000),
        gettext("This image has too many pixels. Choose a smaller image."),
    )


@override_settings(AVATAR_MAX_PIXELS=10_000)
def test_image_over_the_pixel_limit_is_refused(client):
    member = MemberFactory()
    client.force_login(member)
    assert_avatar_refused(
        client,
        member,
        image_upload(size=(200, 200)),
        gettext("This image has too many pixels. Choose a smaller image."),
    )


def test_suspended_member_sees_when_the_suspension_ends(client):
    member = MemberFactory()
    member.profile.suspended_until = timezone.now() + timezone.timedelta(days=3)
    member.profile.save()
    client.force_login(member)
    html = client.get(reverse("accounts:edit")).content.decode()
    assert 'id="suspension-notice"' in html
    until = timezone.localtime(member.profile.suspended_until)
    assert str(until.year) in html and f"{until:%H:%M}" in html

    member.profile.suspended_until = timezone.now() - timezone.timedelta(days=1)
    member.profile.save()
    assert (
        'id="suspension-notice"'
        not in client.get(reverse("accounts:edit")).content.decode()
    )


# Public profile


def test_public_profile_shows_only_chosen_fields_and_never_the_email(client):
    member = MemberFactory(email="geheim-adres@example.org", display_name="Anna")
    profile = member.profile
    profile.organisation = "Wijkteam Noord"
    profile.role = "Praktijkondersteuner"
    profile.bio = "Over mij"
    profile.province = Province.objects.order_by("pk").first()
    profile.lived_experience = True
    profile.show_lived_experience = True
    profile.show_role = True
    profile.show_province = True
    profile.save()
    visible = QuestionFactory(author=member, title="Zichtbare vraag van Anna")
    hidden = QuestionFactory(
        author=member, title="Verborgen vraag van Anna", is_hidden=True
    )
    AnswerFactory(author=member, question=visible)

    url = profile.get_absolute_url()
    assert url == reverse("accounts:profile", args=[profile.public_id])
    for viewer in (None, MemberFactory()):
        if viewer:
            client.force_login(viewer)
        html = client.get(url).content.decode()
        assert "Anna" in html
        assert "Praktijkondersteuner" in html
        assert profile.province.name in html
        assert "badge--lived-experience" in html
        assert "Wijkteam Noord" not in html
        assert "Over mij" not in html
        assert "geheim-adres" not in html
        assert member.username not in html
        assert visible.title in html
        assert hidden.title not in html

    client.force_login(member)
    html = client.get(url).content.decode()
    assert hidden.title in html
    assert "geheim-adres" not in html


def test_profile_of_an_inactive_or_unknown_member_is_not_found(client):
    member = MemberFactory()
    member.is_active = False
    member.save()
    QuestionFactory(author=member)
    assert client.get(member.profile.get_absolute_url()).status_code == 404
    assert client.get(reverse("accounts:profile", args=["0" * 16])).status_code == 404


def test_profile_page_query_count_does_not_grow_with_posts(client):
    member = MemberFactory()
    url = member.profile.get_absolute_url()
    AnswerFactory(author=member, question=QuestionFactory(author=member))
    client.get(url)  # warm the site's menu cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        AnswerFactory(author=member, question=QuestionFactory(author=member))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


# Export


def member_with_everything(email):
    member = MemberFactory(email=email)
    question = QuestionFactory(author=member, title=f"Vraag van {email}")
    answer = AnswerFactory(author=member, body=f"Antwoord van {email}")
    HelpfulVote.objects.create(answer=AnswerFactory(), user=member)
    Report.objects.create(question=QuestionFactory(), reporter=member, reason="spam")
    Follow.objects.create(user=member, theme=Theme.objects.order_by("pk").first())
    Notification.objects.create(
        user=member, event="new_answer", message=f"Melding voor {email}", url="/"
    )
    ContactMessage.objects.create(
        sender=member,
        contact_name="Piet",
        subject=f"Bericht van {email}",
        message="Hoi",
    )
    return member, question, answer


def test_export_contains_own_data_and_nothing_of_others(client):
    member, question, answer = member_with_everything("ik@example.org")
    other, *_ = member_with_everything("ander@example.org")
    client.force_login(member)
    assert client.get(reverse("accounts:export")).status_code == 200
    response = client.post(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    raw = response.content.decode()
    data = json.loads(raw)
    assert data["account"]["email"] == "ik@example.org"
    assert data["email_addresses"] == [
        {"email": "ik@example.org", "verified": True, "primary": True}
    ]
    assert data["profile"]["display_name"] == member.profile.display_name
    assert [q["title"] for q in data["questions"]] == [question.title]
    assert [a["text"] for a in data["answers"]] == [answer.body]
    assert len(data["helpful_votes"]) == 1
    assert len(data["reports"]) == 1
    assert [f["type"] for f in data["follows"]] == ["theme"]
    assert [n["message"] for n in data["notifications"]] == [
        "Melding voor ik@example.org"
    ]
    assert [m["subject"] for m in data["contact_messages"]] == [
        "Bericht van ik@example.org"
    ]
    assert "ander@example.org" not in raw
    assert other.profile.display_name not in raw


# Deletion


def test_delete_account_needs_the_password(client):
    member = MemberFactory()
    client.force_login(member)
    response = client.post(reverse("accounts:delete"), {"password": "fout"})
    assert response.status_code == 200
    assert gettext("That is not your password.") in response.content.decode()
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_account_password_guessing_is_rate_limited(client):
    member = MemberFactory()
    client.force_login(member)
    statuses = [
        client.post(reverse("accounts:delete"), {"password": "fout"}).status_code
        for _ in range(12)
    ]
    assert statuses[0] == 200
    assert statuses[-1] == 429
    # Even the right password is not checked while the limit holds.
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 429
    assert User.objects.filter(pk=member.pk).exists()


def test_delete_account_keeps_posts_anonymous_and_removes_personal_data(
    client, django_capture_on_commit_callbacks
):
    member, question, answer = member_with_everything("weg@example.org")
    voted = HelpfulVote.objects.get(user=member).answer
    Answer.objects.filter(pk=voted.pk).update(helpful_count=1)
    client.force_login(member)
    client.post(reverse("accounts:edit"), profile_data(avatar=image_upload()))
    avatar = Profile.objects.get(user=member).avatar
    storage, avatar_name = avatar.storage, avatar.name
    assert storage.exists(avatar_name)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session

    assert not User.objects.filter(pk=member.pk).exists()
    assert not EmailAddress.objects.filter(email="weg@example.org").exists()
    assert not Profile.objects.filter(user_id=member.pk).exists()
    assert not Follow.objects.filter(user_id=member.pk).exists()
    assert not Notification.objects.filter(user_id=member.pk).exists()
    assert not HelpfulVote.objects.filter(user_id=member.pk).exists()
    assert not storage.exists(avatar_name)
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.author is None
    assert answer.author is None
    voted.refresh_from_db()
    assert voted.helpful_count == 0

    home = client.get("/")
    messages = [str(m) for m in home.context["messages"]]
    assert (
        gettext(
            "Your account has been deleted. Your questions and answers now show as "
            "posted by a deleted member."
        )
        in messages
    )


def test_staff_accounts_cannot_be_deleted_here(client):
    admin = MemberFactory(is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 403
    assert User.objects.filter(pk=admin.pk).exists()


def test_question_factory_still_works_without_author():
    # Posts of deleted members keep rendering their body.
    question = QuestionFactory(author=None)
    assert Question.objects.get(pk=question.pk).author is None
