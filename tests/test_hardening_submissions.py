"""Issue 14 (hardening): uploads, sending in, updates, documents, vocabularies.

Items 5 (image decoding), 7 (send-in flood control), 9 (documents follow
their practice), 10 (owners see only their own contact addresses), 17 (zip
bombs), 18 (idempotent send-in), 19 (an editor's save no longer blocks an
update), 21 (case-only duplicates in vocabularies) and 25 (Back after
"Insturen", confirming a draft's deletion).
"""

import io
import json
import zipfile

import pytest
from PIL import Image, ImageFile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.export import export_member_data
from practices.models import Organisation, PracticeContact, PracticePage, Theme
from submissions.files import check_document, process_image
from submissions.models import Submission

from .factories import EditorFactory, OrganisationFactory, UserFactory
from .factories_community import MemberFactory
from .test_submissions import (
    MINE_URL,
    NEW_URL,
    _published_practice,
    management,
    png_upload,
    send_new,
    valid_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    member = MemberFactory()
    client.force_login(member)
    return member


@pytest.fixture
def decoded_sizes(monkeypatch):
    """The size of every image Pillow decodes (ImageFile.load)."""
    sizes = []
    original = ImageFile.ImageFile.load

    def load(self):
        if self.tile:  # not decoded yet
            sizes.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return sizes


def save_draft(client):
    """The full form saved as a draft, not sent in."""
    post = {k: v for k, v in valid_post().items() if k != "send"}
    return client.post(NEW_URL, {**post, "save": "1"})


def _upload(image, name, fmt, **save):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue())


# Item 5: images cost no more to decode than the site needs ------------------


def test_a_40_megapixel_png_is_refused_without_being_decoded(decoded_sizes):
    # 120 KB on disk, 160 MB once decoded: the pentest's avatar and gallery bomb.
    upload = _upload(Image.new("RGB", (8000, 5000), "orange"), "groot.png", "PNG")
    assert upload.size < 200 * 1024
    with pytest.raises(ValidationError) as refused:
        process_image(upload)
    assert refused.value.code == "too_many_pixels"
    assert "8000 × 5000" in refused.value.messages[0]
    assert decoded_sizes == []  # refused from the header alone


def test_a_large_jpeg_is_decoded_in_reduced_mode(decoded_sizes):
    from accounts.avatars import process_avatar

    photo = Image.linear_gradient("L").resize((8000, 5000)).convert("RGB")
    stored = process_avatar(_upload(photo, "telefoon.jpg", "JPEG", quality=70))
    # Decoded at 1/8 scale (the avatar is 400 pixels), not 40 megapixels.
    assert decoded_sizes and max(w * h for w, h in decoded_sizes) <= 1000 * 625
    assert max(Image.open(stored).size) == 400


def test_ordinary_images_still_work_and_are_turned_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to view
    content = process_image(
        _upload(Image.new("RGB", (640, 480), "teal"), "foto.jpg", "JPEG", exif=exif)
    )
    stored = Image.open(content)
    assert stored.size == (480, 640)
    assert not stored.getexif()
    content = process_image(png_upload(size=(3000, 2000)))
    assert Image.open(content).size == (2400, 1600)


def test_image_uploads_are_rate_limited_and_the_draft_is_kept(client, member):
    from django.conf import settings

    limits = {**settings.ACCOUNT_RATE_LIMITS, "image_upload": "2/h/user"}
    with override_settings(ACCOUNT_RATE_LIMITS=limits):
        response = client.post(
            NEW_URL,
            {
                "title": "Met veel foto's",
                "save": "1",
                **{f"new_image_{i}": png_upload(name=f"f{i}.png") for i in range(3)},
                **{f"new_image_{i}_text": f"Foto {i}" for i in range(3)},
            },
        )
    assert response.status_code == 400
    draft = Submission.objects.get(owner=member)
    assert draft.title == "Met veel foto's"
    assert draft.files.count() == 2


# Item 17: zip bombs ----------------------------------------------------------


def _odt(content_xml):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content_xml)
    return SimpleUploadedFile("verslag.odt", buffer.getvalue())


def test_an_odt_zip_bomb_is_refused():
    bomb = _odt(b"\0" * (50 * 1024 * 1024))  # 50 MB of zeros in ~50 KB
    assert bomb.size < 200 * 1024
    with pytest.raises(ValidationError) as refused:
        check_document(bomb)
    assert refused.value.code == "zip_bomb"


@override_settings(SUBMISSIONS_DOCUMENT_MAX_UNPACKED_BYTES=1024 * 1024)
def test_a_document_unpacking_beyond_the_total_limit_is_refused():
    with pytest.raises(ValidationError) as refused:
        check_document(_odt(bytes(range(256)) * 8192))  # 2 MB, little compression
    assert refused.value.code == "zip_bomb"


def test_an_ordinary_odt_is_accepted():
    document = _odt(b"<office:document-content>Verslag</office:document-content>")
    assert check_document(document) is document


# Item 7: flood control on sending in -------------------------------------------


@override_settings(SUBMISSIONS_SEND_IN_PER_DAY=1)
def test_sending_in_is_limited_per_day_and_keeps_the_draft(client, member):
    assert send_new(client).status_code == 302
    response = send_new(client, title="Tweede initiatief vandaag")
    assert response.status_code == 429
    assert "Tweede initiatief vandaag" in response.content.decode()
    assert PracticePage.objects.filter(owner=member).count() == 1
    draft = Submission.objects.get(owner=member, status=Submission.Status.DRAFT)
    assert draft.title == "Tweede initiatief vandaag"


# Item 18: sending in is idempotent ----------------------------------------------


def test_a_double_click_on_insturen_creates_one_practice(client, member):
    post = valid_post(form_token="dubbelklik-token-1234567890")
    first = client.post(NEW_URL, post)
    second = client.post(NEW_URL, post)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == MINE_URL
    assert PracticePage.objects.filter(owner=member).count() == 1
    assert Submission.objects.filter(owner=member).count() == 1


def test_sending_in_the_same_draft_twice_at_once_creates_one_practice(client, member):
    """Two requests that both loaded the draft before either sent it in (a
    parallel request): the row lock and the status check in send_in let only
    the first through."""
    from submissions import services
    from submissions.forms import make_forms

    save_draft(client)
    draft = Submission.objects.get(owner=member)
    stale = Submission.objects.get(pk=draft.pk)  # the second request's copy
    forms = []
    for _ in range(2):
        practice_form, formsets = make_forms(data=valid_post())
        assert practice_form.is_valid()
        assert all(formset.is_valid() for formset in formsets.values())
        forms.append((practice_form, formsets))
    assert services.send_in(draft, *forms[0], member) is not None
    assert services.send_in(stale, *forms[1], member) is None
    assert PracticePage.objects.filter(owner=member).count() == 1


def test_posting_a_sent_drafts_form_again_sends_nothing(client, member):
    save_draft(client)
    draft = Submission.objects.get(owner=member)
    assert client.post(draft.get_absolute_url(), valid_post()).status_code == 302
    again = client.post(draft.get_absolute_url(), valid_post(title="Anders"))
    assert again.status_code == 302 and again["Location"] == MINE_URL
    assert PracticePage.objects.filter(owner=member).count() == 1
    assert PracticePage.objects.get(owner=member).title != "Anders"


# Item 25: Back after "Insturen"; confirming a deletion ---------------------------


def test_back_after_insturen_shows_the_status_not_a_404(client, member):
    save_draft(client)
    draft = Submission.objects.get(owner=member)
    client.post(draft.get_absolute_url(), valid_post())
    response = client.get(draft.get_absolute_url(), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == MINE_URL
    assert "Wijkteam op afroep Zeeland" in response.content.decode()


def test_deleting_a_draft_asks_first_without_javascript(client, member):
    draft = Submission.objects.create(owner=member, data={"fields": {"title": "Weg?"}})
    form = client.get(draft.get_absolute_url()).content.decode()
    delete_url = reverse("submissions:delete", args=[draft.pk])
    assert f'href="{delete_url}"' in form
    question = client.get(delete_url)
    assert question.status_code == 200
    assert 'id="confirm-delete"' in question.content.decode()
    assert Submission.objects.filter(pk=draft.pk).exists()
    client.post(delete_url, {"confirm": "1"})
    assert not Submission.objects.filter(pk=draft.pk).exists()


# Item 9: documents follow their practice -------------------------------------------


def test_documents_of_an_unpublished_practice_are_not_served(client, member):
    send_new(
        client,
        new_document_0=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%test\n"),
        new_document_0_text="Projectplan",
    )
    page = PracticePage.objects.get(owner=member)
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, EditorFactory(), "approve")
    document = page.documents.get().document
    client.logout()
    assert client.get(document.url).status_code == 200

    page.refresh_from_db()
    page.unpublish()
    assert client.get(document.url).status_code == 404
    client.force_login(EditorFactory())
    assert client.get(document.url).status_code == 200
    client.force_login(member)
    assert client.get(document.url).status_code == 200
    client.force_login(MemberFactory())
    assert client.get(document.url).status_code == 404


# Item 10: owners see only the contact addresses they entered -----------------------


def _editor_adds_contact(page, email):
    editor = EditorFactory()
    edited = page.get_latest_revision_as_object()
    edited.contacts.add(
        PracticeContact(name="Door Redactie", role="Adviseur", email=email)
    )
    edited.save_revision(user=editor).publish(user=None)
    return editor


def _post_from_draft(data, **fields):
    """The update form as a member sends it back: the draft as it was filled
    in, with `fields` changed."""
    post = {}
    for name, value in {**data["fields"], **fields}.items():
        post[name] = value
    for prefix, key in (("org", "organisations"), ("contact", "contacts")):
        rows = data.get(key) or []
        post.update(management(prefix, len(rows)))
        for index, row in enumerate(rows):
            for name, value in row.items():
                if name == "consent":
                    if value:
                        post[f"{prefix}-{index}-consent"] = "on"
                else:
                    post[f"{prefix}-{index}-{name}"] = value
    links = data.get("links") or []
    post.update(management("link", len(links)))
    for index, row in enumerate(links):
        post[f"link-{index}-title"] = row["title"]
        post[f"link-{index}-url"] = row["url"]
    post["send"] = "1"
    return post


def _practice_with_organisation(member):
    page = _published_practice(member)
    page.practice_organisations.create(
        organisation=OrganisationFactory(name="Zorggroep Test"), role="initiatiefnemer"
    )
    page.contacts.create(name="Eigen Contact", email="eigen@example.org")
    page.goal = "<p>Ons doel.</p>"
    page.save_revision(user=member).publish(user=None)
    page.refresh_from_db()
    return page


def test_owner_does_not_see_an_address_the_editors_added(client, member):
    page = _practice_with_organisation(member)
    _editor_adds_contact(page, "geheim-redactie@example.org")
    page.refresh_from_db()

    client.post(reverse("submissions:update", args=[page.pk]))
    draft = Submission.objects.get(owner=member, page=page)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "geheim-redactie@example.org" not in html
    assert "eigen@example.org" in html
    assert "geheim-redactie@example.org" not in json.dumps(draft.data)
    export = json.dumps(export_member_data(member), default=str)
    assert "geheim-redactie@example.org" not in export

    # Sent in unchanged, the editors' address stays on the practice.
    post = _post_from_draft(draft.data, summary="Nieuwe samenvatting.")
    assert client.post(draft.get_absolute_url(), post).status_code == 302
    page.refresh_from_db()
    latest = page.get_latest_revision_as_object()
    assert latest.summary == "Nieuwe samenvatting."
    assert sorted(c.email for c in latest.contacts.all()) == [
        "eigen@example.org",
        "geheim-redactie@example.org",
    ]


# Item 19: an editor's save no longer blocks a member's update ------------------------


def test_an_update_goes_on_top_of_the_editors_newer_version(client, member):
    page = _practice_with_organisation(member)
    client.post(reverse("submissions:update", args=[page.pk]))
    draft = Submission.objects.get(owner=member, page=page)

    # The editor saves a "Wijzigingsverzoek" version meanwhile.
    editor = EditorFactory()
    edited = page.get_latest_revision_as_object()
    edited.goal = "<p>Het doel volgens de redactie.</p>"
    editors_revision = edited.save_revision(user=editor)

    post = _post_from_draft(draft.data, summary="Samenvatting van het lid.")
    response = client.post(draft.get_absolute_url(), post)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Submission.Status.SUBMITTED

    page.refresh_from_db()
    latest = page.get_latest_revision()
    assert latest.user == member
    version = latest.as_object()
    assert version.summary == "Samenvatting van het lid."  # the member's change
    assert "Het doel volgens de redactie." in version.goal  # the editor's stays
    # The editors review it beside the version before it, with what changed.
    from notifications.models import Notification

    url = reverse(
        "wagtailadmin_pages:revisions_compare",
        args=[page.pk, editors_revision.pk, latest.pk],
    )
    assert Notification.objects.filter(user=editor, url=url).exists()
    client.force_login(editor)
    assert client.get(url).status_code == 200


# Item 21: case-only duplicates in the vocabularies ------------------------------------


def test_a_theme_differing_only_in_case_is_a_validation_error():
    existing = Theme.objects.order_by("pk").first()
    duplicate = Theme(name=existing.name.upper())
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert existing.name in refused.value.message_dict["name"][0]


@pytest.mark.parametrize("model", ["theme", "organisation"])
def test_the_snippet_editor_shows_the_existing_value_not_a_500(client, model):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    if model == "theme":
        existing = Theme.objects.order_by("pk").first()
        post = {"name": existing.name.lower(), "slug": "", "description": ""}
    else:
        existing = Organisation.objects.order_by("pk").first()
        post = {
            "name": existing.name.upper(),
            "slug": "",
            "organisation_type": "vvt",
            "website": "",
            "is_confirmed": "on",
        }
    count = type(existing).objects.count()
    response = client.post(f"/admin/snippets/practices/{model}/add/", post)
    assert response.status_code == 200
    assert existing.name in response.content.decode()
    assert type(existing).objects.count() == count


def test_a_member_proposing_an_existing_organisation_in_capitals_reuses_it(
    client, member
):
    existing = Organisation.objects.filter(is_confirmed=True).order_by("pk")[1]
    response = send_new(client, **{"org-1-name": existing.name.upper()})
    assert response.status_code == 302
    assert not Organisation.objects.filter(name=existing.name.upper()).exists()
    page = PracticePage.objects.get(owner=member)
    linked = page.get_latest_revision_as_object().practice_organisations.all()
    assert existing.pk in [link.organisation_id for link in linked]
