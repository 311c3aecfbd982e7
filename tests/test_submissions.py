""" "Deel jouw initiatief": the public submission form and "Mijn initiatieven"."""

import datetime
import io
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import WorkflowState

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from notifications.models import Follow, Notification
from practices.models import (
    Movement,
    Organisation,
    PracticePage,
    Province,
    Theme,
)
from submissions.models import Submission, SubmissionFile
from submissions.richtext import markdown_to_richtext, richtext_to_markdown
from submissions.services import suspension_message

from .factories import EditorFactory, OrganisationFactory, PracticePageFactory
from .factories_community import MemberFactory

pytestmark = pytest.mark.django_db

NEW_URL = reverse("submissions:new")
MINE_URL = reverse("submissions:mine")


def jpeg_with_gps(name="foto.jpg", size=(640, 480)):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (5.0, 7.0, 10.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_upload(name="foto.png", size=(300, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }


def valid_post(**overrides):
    organisation = Organisation.objects.filter(is_confirmed=True).order_by("pk")[0]
    data = {
        "title": "Wijkteam op afroep Zeeland",
        "summary": "Een wijkteam dat 's nachts langskomt in plaats van de ambulance.",
        "problem": "Te veel ritten naar de **spoedeisende hulp**.\n\nTweede alinea.",
        "goal": "Zorg thuis houden.",
        "approach": "- nachtdienst\n- vaste wijkverpleegkundigen",
        "results": "",
        "lessons": "",
        "next_steps": "",
        "funding": "",
        "phase": "pilot",
        "start_year": "2022",
        "provinces": [str(Province.objects.get(slug="zeeland").pk)],
        "themes": [str(Theme.objects.order_by("pk")[0].pk)],
        "movements": [str(Movement.objects.get(slug="verplaatsen").pk)],
        **management("org", 2),
        "org-0-name": organisation.name.upper(),
        "org-0-role": "initiatiefnemer",
        "org-0-organisation_type": "",
        "org-1-name": "Stichting Nieuwe Buren Zorg",
        "org-1-role": "partner",
        "org-1-organisation_type": "welzijn",
        **management("contact", 1),
        "contact-0-name": "Fatima el Amrani",
        "contact-0-role": "Projectleider",
        "contact-0-organisation": "Stichting Nieuwe Buren Zorg",
        "contact-0-email": "fatima@example.org",
        "contact-0-consent": "on",
        **management("link", 1),
        "link-0-title": "Projectsite",
        "link-0-url": "https://example.org/wijkteam",
        # A new form carries its idempotency token (a fresh one per form).
        "form_token": secrets.token_urlsafe(24),
        "send": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member)
    return member


def send_new(client, **overrides):
    return client.post(NEW_URL, valid_post(**overrides))


# Happy path --------------------------------------------------------------


def test_sending_in_creates_an_unpublished_practice_in_review(client, member):
    response = send_new(
        client,
        new_image_0=jpeg_with_gps(),
        new_image_0_text="Wijkverpleegkundige op huisbezoek",
        new_document_0=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%test\n"),
        new_document_0_text="Projectplan",
    )
    assert response.status_code == 302
    assert response["Location"] == MINE_URL

    page = PracticePage.objects.get(title="Wijkteam op afroep Zeeland")
    assert page.owner == member
    assert not page.live
    assert page.first_published_at is None
    assert page.get_parent().specific_class.__name__ == "PracticeIndexPage"
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Redactiecontrole"
    assert state.requested_by == member
    assert page.current_workflow_task_state.revision == page.latest_revision

    latest = page.get_latest_revision_as_object()
    assert "<b>spoedeisende hulp</b>" in latest.problem
    assert "<li>nachtdienst</li>" in latest.approach
    assert [c.email for c in latest.contacts.all()] == ["fatima@example.org"]
    assert [link.url for link in latest.links.all()] == ["https://example.org/wijkteam"]
    roles = {
        link.organisation.name: link.role
        for link in latest.practice_organisations.all()
    }
    assert roles["Stichting Nieuwe Buren Zorg"] == "partner"
    assert list(roles.values()).count("initiatiefnemer") == 1
    # The existing organisation was recognised despite the different case.
    proposed = Organisation.objects.get(name="Stichting Nieuwe Buren Zorg")
    assert not proposed.is_confirmed
    assert proposed.proposed_by == member
    assert proposed.organisation_type == "welzijn"

    gallery = list(latest.gallery_images.all())
    assert len(gallery) == 1
    image = gallery[0].image
    assert image.description == "Wijkverpleegkundige op huisbezoek"
    assert image.collection.name == "Inzendingen"
    assert latest.hero_image == image
    with image.open_file() as handle:
        stored = Image.open(handle)
        exif = stored.getexif()
        assert 0x8825 not in exif
        assert not stored.info.get("exif")
        # The orientation was applied to the pixels: 640×480 turned upright.
        assert stored.size == (480, 640)
    document = latest.documents.get()
    assert document.title == "Projectplan"
    assert document.document.file_extension == "pdf"

    submission = Submission.objects.get(owner=member)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.page_id == page.pk
    # The upload now lives in Wagtail only.
    assert all(not attached.file for attached in submission.files.all())

    mine = client.get(MINE_URL)
    assert mine.status_code == 200
    assert gettext("Submitted – waiting for the editors") in mine.content.decode()


def test_member_cannot_publish_or_reach_the_admin(client, member):
    send_new(client)
    page = PracticePage.objects.get(title="Wijkteam op afroep Zeeland")
    assert not page.permissions_for_user(member).can_publish()
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert (
            "/admin/login/" in response["Location"] or "login" in response["Location"]
        )
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code in (302, 403)


def test_story_text_never_becomes_raw_html():
    html = markdown_to_richtext(
        "Hallo <script>alert(1)</script> en <b>vet</b>\n\n## Kop\n\n"
        "[klik](javascript:alert(1)) https://example.org"
    )
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "<h2" not in html
    assert "javascript:" not in html
    assert '<a href="https://example.org">' in html
    assert richtext_to_markdown("<p>A <b>b</b></p><ul><li>x</li><li>y</li></ul>") == (
        "A **b**\n\n- x\n- y"
    )


# Validation keeps everything ---------------------------------------------


def test_every_validation_error_keeps_what_was_typed(client, member):
    response = send_new(
        client,
        title="",
        summary="Mijn samenvatting blijft staan",
        problem="Aanleiding die ik typte",
        goal="",
        start_year="1800",
        provinces=[],
        **{
            "org-1-organisation_type": "",
            "contact-0-email": "geen-adres",
            "contact-0-consent": "",
            "link-0-url": "niet een adres",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for typed in (
        "Mijn samenvatting blijft staan",
        "Aanleiding die ik typte",
        "1800",
        "Stichting Nieuwe Buren Zorg",
        "Fatima el Amrani",
        "geen-adres",
        "niet een adres",
        "Projectsite",
    ):
        assert typed in html
    for message in (
        gettext("Fill in the name of the initiative."),
        gettext("Fill in this part of the story."),
        gettext("Choose at least one."),
        gettext("Ask the contact person for permission and tick this box."),
        gettext("Fill in a valid email address."),
    ):
        assert message in html
    assert 'id="error-summary"' in html
    assert (
        "is not in our list yet" in html
        or gettext(
            "“%(name)s” is not in our list yet: choose what kind of organisation it "
            "is, so the editors can add it."
        )
        % {"name": "Stichting Nieuwe Buren Zorg"}
        in html
    )
    assert not PracticePage.objects.filter(summary__startswith="Mijn samenv").exists()
    # The typed text is also kept as a draft.
    draft = Submission.objects.get(owner=member)
    assert draft.status == Submission.Status.DRAFT
    assert draft.data["fields"]["summary"] == "Mijn samenvatting blijft staan"
    assert f'action="{draft.get_absolute_url()}"' in html


def test_a_too_long_web_address_is_an_error_on_its_field(client, member):
    long_url = "https://example.org/" + "a" * 200
    response = send_new(client, **{"link-0-url": long_url})
    assert response.status_code == 400
    html = response.content.decode()
    assert long_url in html  # kept, to shorten
    assert "200" in html  # the message names the limit
    assert not PracticePage.objects.filter(title="Wijkteam op afroep Zeeland").exists()


def test_an_image_without_description_stays_attached(client, member):
    response = send_new(client, new_image_0=png_upload())
    assert response.status_code == 400
    draft = Submission.objects.get(owner=member)
    attached = draft.files.get()
    html = response.content.decode()
    assert f'name="file-{attached.pk}-text"' in html
    assert (
        gettext("Describe what the image shows, for people who cannot see it.") in html
    )
    # Filling in the description sends it in without uploading again.
    response = client.post(
        draft.get_absolute_url(),
        valid_post(**{f"file-{attached.pk}-text": "Een oranje vlak"}),
    )
    assert response.status_code == 302
    page = PracticePage.objects.get(owner=member)
    assert page.get_latest_revision_as_object().gallery_images.count() == 1


# Drafts -----------------------------------------------------------------


def test_draft_is_saved_without_validation_and_resumed(client, member):
    response = client.post(
        NEW_URL,
        {
            "title": "Half af",
            "problem": "Nog niet klaar",
            "start_year": "twintig",
            **management("org", 1),
            "org-0-name": "Nieuwe organisatie in wording",
            **management("contact", 1),
            "contact-0-name": "Jan",
            **management("link", 0),
            "new_document_0": SimpleUploadedFile("data.csv", b"a;b\n1;2\n"),
            "save": "1",
        },
    )
    draft = Submission.objects.get(owner=member)
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert not PracticePage.objects.filter(title="Half af").exists()
    assert draft.files.get().original_name == "data.csv"

    html = client.get(draft.get_absolute_url()).content.decode()
    for typed in (
        "Half af",
        "Nog niet klaar",
        "twintig",
        "Nieuwe organisatie in wording",
    ):
        assert typed in html
    assert 'name="file-' in html and "data.csv" in html

    mine = client.get(MINE_URL).content.decode()
    assert "Half af" in mine

    # Removing the file and deleting the draft.
    attached = draft.files.get()
    client.post(
        draft.get_absolute_url(),
        {**management("org", 0), f"file-{attached.pk}-remove": "1", "save": "1"},
    )
    assert not draft.files.exists()
    client.post(reverse("submissions:delete", args=[draft.pk]))
    assert not Submission.objects.filter(pk=draft.pk).exists()


def test_control_characters_in_a_draft_are_dropped_not_a_server_error(client, member):
    """PostgreSQL keeps no NUL in text or JSON; nobody types one either."""
    response = client.post(
        NEW_URL,
        {
            "title": "Half\x00 af",
            "problem": "Nog\x00 niet\x07 klaar\nTweede regel",
            **management("org", 0),
            "new_document_0": SimpleUploadedFile("da\x00ta.csv", b"a;b\n1;2\n"),
            "new_document_0_text": "Cij\x00fers",
            "save": "1",
        },
    )
    assert response.status_code == 302
    draft = Submission.objects.get(owner=member)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "Half af" in html
    assert "Nog niet klaar\nTweede regel" in html
    attached = draft.files.get()
    assert (attached.original_name, attached.text) == ("data.csv", "Cijfers")


@override_settings(SUBMISSIONS_MAX_OPEN_DRAFTS=1)
def test_number_of_open_drafts_is_limited(client, member):
    client.post(NEW_URL, {"title": "Eerste", "save": "1"})
    response = client.post(NEW_URL, {"title": "Tweede", "save": "1"})
    assert response.status_code == 400
    assert "Tweede" in response.content.decode()
    assert Submission.objects.filter(owner=member).count() == 1


# Uploads ----------------------------------------------------------------


def _upload_errors(client, **files):
    response = client.post(NEW_URL, {"title": "Met bijlagen", "save": "1", **files})
    assert response.status_code == 400
    assert "Met bijlagen" in response.content.decode()
    return response.content.decode()


def test_text_disguised_as_png_is_refused(client, member):
    html = _upload_errors(
        client,
        new_image_0=SimpleUploadedFile("foto.png", b"dit is tekst", "image/png"),
    )
    assert "foto.png" in html
    assert not SubmissionFile.objects.exists()


@override_settings(SUBMISSIONS_IMAGE_MAX_BYTES=100)
def test_too_large_image_is_refused(client, member):
    _upload_errors(client, new_image_0=png_upload())
    assert not SubmissionFile.objects.exists()


@override_settings(SUBMISSIONS_IMAGE_MAX_PIXELS=1000)
def test_image_with_too_many_pixels_is_refused(client, member):
    html = _upload_errors(client, new_image_0=png_upload(size=(100, 100)))
    message = gettext(
        "“%(name)s” is %(width)s × %(height)s pixels; an image may have at most "
        "%(megapixels)s megapixels. Make it smaller (for example 2400 pixels "
        "wide) and add it again."
    ) % {"name": "foto.png", "width": 100, "height": 100, "megapixels": "0.001"}
    assert escape(message) in html
    assert not SubmissionFile.objects.exists()


def test_decompression_bomb_header_is_refused(client, member):
    # A PNG header claiming 100,000 × 100,000 pixels, without the pixels.
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return (
            struct.pack(">I", len(data))
            + body
            + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    _upload_errors(client, new_image_0=SimpleUploadedFile("bom.png", bomb))
    assert not SubmissionFile.objects.exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("rapport.pdf", b"<html>geen pdf</html>"),
        ("notities.docx", b"PK\x03\x04 geen echt docx"),
        ("script.exe", b"MZ"),
        ("data.csv", b"a,b\x00\x00\x01"),
    ],
)
def test_documents_are_checked(client, member, name, content):
    _upload_errors(client, new_document_0=SimpleUploadedFile(name, content))
    assert not SubmissionFile.objects.exists()


@override_settings(SUBMISSIONS_DOCUMENT_MAX_BYTES=10)
def test_too_large_document_is_refused(client, member):
    _upload_errors(
        client, new_document_0=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 " + b"x" * 50)
    )


@override_settings(SUBMISSIONS_MAX_IMAGES=1)
def test_at_most_the_configured_number_of_images(client, member):
    response = client.post(
        NEW_URL,
        {
            "title": "Twee foto's",
            "save": "1",
            "new_image_0": png_upload("a.png"),
            "new_image_0_text": "Eerste",
            "new_image_1": png_upload("b.png"),
        },
    )
    assert response.status_code in (302, 400)
    assert SubmissionFile.objects.count() == 1


# Expired session --------------------------------------------------------


def test_post_after_the_session_expired_is_restored_after_login(client):
    member = MemberFactory()
    response = client.post(NEW_URL, valid_post(title="Getypt voor het verlopen"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["next"] == [NEW_URL]
    assert not Submission.objects.exists()

    client.force_login(member)
    html = client.get(NEW_URL).content.decode()
    assert "Getypt voor het verlopen" in html
    assert "Fatima el Amrani" in html
    assert (
        gettext(
            "You were logged out before your form was saved. We kept what you "
            "typed: check it and save it. Files have to be chosen again."
        )
        in html
    )
    # Only once.
    assert "Getypt voor het verlopen" not in client.get(NEW_URL).content.decode()


# Updates -----------------------------------------------------------------


def _published_practice(member):
    page = PracticePageFactory(owner=member, title="Bestaande praktijk")
    page.save_revision(user=member).publish(user=None)
    page.refresh_from_db()
    return page


def test_owner_update_waits_for_the_editors_and_then_goes_live(client, member):
    page = _published_practice(member)
    follower = MemberFactory()
    Follow.objects.create(user=follower, practice=page)

    response = client.post(reverse("submissions:update", args=[page.pk]))
    draft = Submission.objects.get(owner=member, page=page)
    assert response["Location"] == draft.get_absolute_url()
    form = client.get(draft.get_absolute_url())
    html = form.content.decode()
    assert "Bestaande praktijk" in html
    assert "Het probleem." in html

    post = valid_post(title="Bestaande praktijk", summary="Een nieuwe samenvatting.")
    response = client.post(draft.get_absolute_url(), post)
    assert response.status_code == 302

    page.refresh_from_db()
    assert page.live
    assert page.summary == "Een korte samenvatting van de testpraktijk."
    live_html = client.get(page.url).content.decode()
    assert "Een nieuwe samenvatting." not in live_html
    latest = page.get_latest_revision_as_object()
    assert latest.summary == "Een nieuwe samenvatting."
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    mine = client.get(MINE_URL).content.decode()
    assert gettext("Update waiting for the editors") in mine

    editor = EditorFactory()
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, editor, "approve")

    page.refresh_from_db()
    assert page.summary == "Een nieuwe samenvatting."
    assert page.current_workflow_state is None
    assert Notification.objects.filter(
        user=follower, event=Notification.Event.PRACTICE_UPDATED
    ).exists()
    assert gettext("Published") in client.get(MINE_URL).content.decode()


def test_a_failure_while_sending_in_leaves_no_half_made_practice(
    client, member, monkeypatch
):
    """Sending in is one transaction: a retry must not make a second page."""

    def fail(page, member):
        raise RuntimeError("workflow down")

    monkeypatch.setattr("submissions.services._start_or_resume_workflow", fail)
    with pytest.raises(RuntimeError):
        send_new(client)

    assert not PracticePage.objects.filter(title="Wijkteam op afroep Zeeland").exists()
    assert Submission.objects.get(owner=member).status == Submission.Status.DRAFT


def test_changes_requested_shows_the_comment_and_resubmitting_resumes(client, member):
    send_new(client)
    page = PracticePage.objects.get(owner=member)
    editor = EditorFactory()
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(
        task_state, editor, "reject", comment="Graag resultaten toevoegen."
    )
    html = client.get(MINE_URL).content.decode()
    assert gettext("Changes requested") in html
    assert "Graag resultaten toevoegen." in html

    client.post(reverse("submissions:update", args=[page.pk]))
    draft = Submission.objects.get(owner=member, status="draft")
    response = client.post(
        draft.get_absolute_url(), valid_post(results="Minder ritten naar de SEH.")
    )
    assert response.status_code == 302
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert WorkflowState.objects.for_instance(page).count() == 1
    assert "Minder ritten" in page.get_latest_revision_as_object().results


def test_sending_an_update_while_in_review_restarts_the_review(client, member):
    send_new(client)
    page = PracticePage.objects.get(owner=member)
    first_state = page.current_workflow_state
    client.post(reverse("submissions:update", args=[page.pk]))
    draft = Submission.objects.get(owner=member, status="draft")
    client.post(draft.get_absolute_url(), valid_post(goal="Een scherper doel."))
    first_state.refresh_from_db()
    page.refresh_from_db()
    assert first_state.status == WorkflowState.STATUS_CANCELLED
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert "scherper doel" in page.get_latest_revision_as_object().goal
    assert page.current_workflow_task_state.revision == page.get_latest_revision()


# Permissions -------------------------------------------------------------


def _suspend(user):
    user.profile.suspended_until = timezone.now() + datetime.timedelta(days=3)
    user.profile.save(update_fields=["suspended_until"])


def test_anonymous_visitors_are_sent_to_login(client):
    owner = MemberFactory()
    draft = Submission.objects.create(owner=owner, data={})
    page = _published_practice(owner)
    for url, method in (
        (NEW_URL, "get"),
        (MINE_URL, "get"),
        (draft.get_absolute_url(), "get"),
        (draft.get_absolute_url(), "post"),
        (reverse("submissions:delete", args=[draft.pk]), "post"),
        (reverse("submissions:update", args=[page.pk]), "post"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert Submission.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("who", ["other", "editor"])
def test_others_cannot_see_or_change_a_members_work(client, who):
    owner = MemberFactory()
    draft = Submission.objects.create(owner=owner, data={"fields": {"title": "Geheim"}})
    attached = SubmissionFile.objects.create(
        submission=draft, kind="document", original_name="x.txt"
    )
    attached.file.save("x.txt", io.BytesIO(b"geheim"), save=True)
    page = _published_practice(owner)
    client.force_login(MemberFactory() if who == "other" else EditorFactory())
    # Someone else's draft gets the same answer as one that does not exist:
    # a 404 that leads to "Mijn initiatieven" (nothing tells whether the id
    # is in use).
    missing = reverse("submissions:edit", args=[draft.pk + 1000])
    for response in (
        client.get(draft.get_absolute_url()),
        client.post(draft.get_absolute_url(), valid_post()),
        client.post(reverse("submissions:delete", args=[draft.pk])),
        client.get(missing),
    ):
        assert response.status_code == 404
        assert f'href="{MINE_URL}"' in response.content.decode()
    assert Submission.objects.get(pk=draft.pk).title == "Geheim"
    assert (
        client.get(
            reverse("submissions:file", args=[draft.pk, attached.pk])
        ).status_code
        == 404
    )
    assert client.post(reverse("submissions:update", args=[page.pk])).status_code == 404
    mine = client.get(MINE_URL).content.decode()
    assert "Geheim" not in mine and "Bestaande praktijk" not in mine
    assert Submission.objects.filter(pk=draft.pk, status="draft").exists()


def test_owner_can_open_their_own_uploaded_file(client, member):
    client.post(
        NEW_URL,
        {"title": "Bestand", "save": "1", "new_image_0": png_upload()},
    )
    attached = SubmissionFile.objects.get()
    response = client.get(
        reverse("submissions:file", args=[attached.submission_id, attached.pk])
    )
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"


def test_suspended_member_cannot_submit_or_change(client, member):
    draft = Submission.objects.create(owner=member, data={})
    page = _published_practice(member)
    _suspend(member)
    message = escape(suspension_message(member))
    for response in (
        client.get(NEW_URL),
        client.post(NEW_URL, valid_post()),
        client.get(draft.get_absolute_url()),
        client.post(draft.get_absolute_url(), valid_post()),
        client.post(reverse("submissions:update", args=[page.pk])),
    ):
        assert response.status_code == 403
        assert 'id="submission-refused"' in response.content.decode()
        assert message in response.content.decode()
    assert not PracticePage.objects.filter(title="Wijkteam op afroep Zeeland").exists()
    mine = client.get(MINE_URL)
    assert mine.status_code == 200
    assert 'id="suspension-notice"' in mine.content.decode()


def test_editor_uses_the_form_like_any_member(client):
    editor = EditorFactory()
    client.force_login(editor)
    assert client.get(NEW_URL).status_code == 200
    response = client.post(NEW_URL, valid_post(title="Van de redactie"))
    assert response.status_code == 302
    page = PracticePage.objects.get(title="Van de redactie")
    assert page.owner == editor and not page.live


def test_mine_lists_with_a_constant_number_of_queries(
    client, member, django_assert_max_num_queries
):
    for number in range(3):
        send_new(client, title=f"Initiatief {number}")
    with django_assert_max_num_queries(15) as captured:
        client.get(MINE_URL)
    few = len(captured)
    for number in range(3, 6):
        send_new(client, title=f"Initiatief {number}")
    _published_practice(member)
    with django_assert_max_num_queries(few + 1):
        response = client.get(MINE_URL)
    assert response.status_code == 200


def test_form_renders_every_section_with_one_heading(client, member):
    response = client.get(NEW_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for section in ("basis", "story", "facets", "org", "contact", "link", "files"):
        assert f'id="section-{section}"' in html
    assert 'datalist id="organisation-names"' in html
    assert OrganisationFactory._meta.model.objects.filter(is_confirmed=True).exists()
    assert "Opslaan als concept" in html or gettext("Save as draft") in html
    assert not get_image_model().objects.filter(collection__name="Inzendingen").exists()


def test_sent_in_documents_are_private_until_the_practice_is_published(client, member):
    send_new(
        client,
        new_document_0=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%test\n"),
        new_document_0_text="Projectplan",
    )
    page = PracticePage.objects.get(title="Wijkteam op afroep Zeeland")
    document = page.get_latest_revision_as_object().documents.first().document
    client.logout()
    assert client.get(document.url).status_code != 200

    editor = EditorFactory()
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, editor, "approve")
    document.refresh_from_db()
    assert client.get(document.url).status_code == 200


# Found in review ---------------------------------------------------------


def test_sent_in_files_get_random_names(client, member):
    send_new(
        client,
        new_image_0=jpeg_with_gps(name="IMG_4711.jpg"),
        new_image_0_text="Foto",
        new_document_0=SimpleUploadedFile("projectplan.pdf", b"%PDF-1.4\n%test\n"),
        new_document_0_text="Plan",
    )
    page = PracticePage.objects.get(title="Wijkteam op afroep Zeeland")
    latest = page.get_latest_revision_as_object()
    image = latest.gallery_images.first().image
    document = latest.documents.first().document
    assert "IMG_4711" not in image.file.name
    assert "projectplan" not in document.file.name


def test_a_draft_keeps_every_ticked_box(client, member):
    provinces = [str(pk) for pk in Province.objects.values_list("pk", flat=True)[:3]]
    themes = [str(pk) for pk in Theme.objects.values_list("pk", flat=True)[:2]]
    client.post(
        NEW_URL,
        {
            "title": "Meerdere vinkjes",
            "provinces": provinces,
            "themes": themes,
            **management("org", 0),
            **management("contact", 0),
            **management("link", 0),
            "save": "1",
        },
    )
    draft = Submission.objects.get(owner=member)
    assert draft.data["fields"]["provinces"] == provinces
    assert draft.data["fields"]["themes"] == themes


def test_an_update_after_an_editors_change_is_sent_in_not_refused(client, member):
    """An editor's newer version no longer blocks the member's update (it was
    a 409 asking to retype): the proposal is sent in on top of it
    (tests/test_hardening_submissions.py checks the editor's parts stay)."""
    page = _published_practice(member)
    client.post(reverse("submissions:update", args=[page.pk]))
    draft = Submission.objects.get(owner=member, page=page)
    editor = EditorFactory()
    edited = page.get_latest_revision_as_object()
    edited.summary = "Door de redactie verbeterd."
    edited_revision = edited.save_revision(user=editor)

    response = client.post(
        draft.get_absolute_url(),
        valid_post(title="Bestaande praktijk", summary="Mijn oude samenvatting."),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    latest = page.get_latest_revision()
    assert latest.pk != edited_revision.pk
    assert latest.user == member
    assert latest.as_object().summary == "Mijn oude samenvatting."
    draft.refresh_from_db()
    assert draft.status == Submission.Status.SUBMITTED


def test_proposed_organisations_are_confirmed_when_the_practice_is_approved(
    client, member
):
    send_new(client)
    proposed = Organisation.objects.get(name="Stichting Nieuwe Buren Zorg")
    assert not proposed.is_confirmed
    page = PracticePage.objects.get(title="Wijkteam op afroep Zeeland")
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, EditorFactory(), "approve")
    proposed.refresh_from_db()
    assert proposed.is_confirmed


def test_a_merged_organisation_name_finds_its_target():
    from editorial.merge import merge
    from submissions.forms import find_organisation

    source = OrganisationFactory(name="Zorggroep Oud")
    target = OrganisationFactory(name="Zorggroep Nieuw")
    merge(source, target)
    assert find_organisation("Zorggroep Oud") == target
