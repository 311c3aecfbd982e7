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
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext

from accounts.export import export_member_data
from practices.models import (
    Organisation,
    PracticeContact,
    PracticeDocument,
    PracticeGalleryImage,
    PracticeLink,
    PracticeOrganisation,
    PracticePage,
    Theme,
)
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
    # Back in the editors' restricted collection, as while it was reviewed:
    # not served to members, the owner included.
    client.force_login(member)
    assert client.get(document.url).status_code != 200
    client.force_login(MemberFactory())
    assert client.get(document.url).status_code != 200


def test_an_editors_restricted_document_keeps_its_collection_through_unpublishing():
    from wagtail.documents import get_document_model
    from wagtail.models import Collection, CollectionViewRestriction

    from practices.models import PracticeDocument

    intern = Collection.get_first_root_node().add_child(name="Intern")
    CollectionViewRestriction.objects.create(
        collection=intern, restriction_type="login"
    )
    document = get_document_model().objects.create(
        title="Intern verslag",
        collection=intern,
        file=ContentFile(b"intern", name="intern.txt"),
    )
    page = PracticePage.objects.live().public().order_by("pk").first()
    page.documents.add(PracticeDocument(document=document, title="Intern verslag"))
    page.save_revision().publish()
    page.unpublish()
    page = PracticePage.objects.get(pk=page.pk)
    page.save_revision().publish()
    document.refresh_from_db()
    # Never moved to the public root collection on the way.
    assert document.collection_id == intern.pk


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
    page.contacts.create(
        name="Eigen Contact",
        email="eigen@example.org",
        email_entered_by_owner="eigen@example.org",  # as the form records it
    )
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


def test_a_member_proposing_an_organisation_made_at_the_same_moment_reuses_it(
    client, member, monkeypatch
):
    """Two members propose the same new organisation at once: both find none,
    the second insert trips over the unique name. It must use the one just
    made, not fail with a 500."""
    from submissions import services

    real_find = services.find_organisation
    raced = []
    looks = []

    def find_racing(name):
        if name == "Stichting Nieuwe Buren Zorg" and len(looks) < 2:
            looks.append(name)
            if not raced:
                raced.append(
                    Organisation.objects.create(
                        name=name,
                        slug="stichting-nieuwe-buren-zorg",
                        is_confirmed=False,
                    )
                )
            return None  # this request looked just before the other saved
        return real_find(name)

    monkeypatch.setattr(services, "find_organisation", find_racing)
    response = send_new(client)
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Stichting Nieuwe Buren Zorg").count() == 1
    page = PracticePage.objects.get(owner=member)
    linked = page.get_latest_revision_as_object().practice_organisations.all()
    assert raced[0].pk in [link.organisation_id for link in linked]


def test_the_snippet_editor_shows_a_value_added_at_the_same_moment_not_a_500(
    client, monkeypatch
):
    """Both admins passed validation; the second save hits the unique name."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    existing = Theme.objects.order_by("pk").first()
    # This admin's form was checked before the other admin's save.
    monkeypatch.setattr(Theme, "clean", lambda self: None)
    monkeypatch.setattr(Theme, "validate_unique", lambda self, exclude=None: None)
    count = Theme.objects.count()
    client.raise_request_exception = False
    response = client.post(
        "/admin/snippets/practices/theme/add/",
        {"name": existing.name, "slug": "", "description": ""},
    )
    assert response.status_code == 200
    assert existing.name in response.content.decode()
    assert Theme.objects.count() == count


# Issue 14 review: the gaps found after the first round -------------------------


def _draft_for_update(client, member, page):
    client.post(reverse("submissions:update", args=[page.pk]))
    return Submission.objects.get(owner=member, page=page, status="draft")


def test_merge_rows_three_way():
    from submissions.services import _merge_rows

    base = [(1, {"role": "a"}), (2, {"role": "b"}), (3, {"role": "c"})]
    newest = [(1, {"role": "a"}), (2, {"role": "B2"}), (3, {"role": "c"}), (4, {})]
    mine = [(1, {"role": "A1"}), (3, {"role": "c"}), (5, {"role": "e"})]
    # 1 edited by the member, 2 removed by the member (editor's edit lost
    # with it), 3 kept, 4 added by the editor, 5 by the member.
    assert _merge_rows(newest, base, mine) == [
        (1, {"role": "A1"}),
        (3, {"role": "c"}),
        (4, {}),
        (5, {"role": "e"}),
    ]
    # A row the editors removed stays removed even when the member edited it.
    assert _merge_rows([(2, {"role": "b"})], base, mine) == [(5, {"role": "e"})]


def test_an_update_keeps_what_the_editors_added_to_every_list(client, member):
    page = _practice_with_organisation(member)
    draft = _draft_for_update(client, member, page)

    # Meanwhile the editor adds a link, a theme, a contact person and an
    # organisation, and saves (not published).
    themes = list(page.themes.all())
    spare = list(Theme.objects.exclude(pk__in=[t.pk for t in themes]).order_by("pk"))
    editor = EditorFactory()
    edited = page.get_latest_revision_as_object()
    edited.links.add(
        PracticeLink(title="Redactie-link", url="https://example.org/redactie")
    )
    edited.themes = themes + [spare[0]]
    edited.contacts.add(PracticeContact(name="Door Redactie", email="red@example.org"))
    partner = OrganisationFactory(name="Partner van de redactie")
    edited.practice_organisations.add(
        PracticeOrganisation(organisation=partner, role="partner")
    )
    edited.save_revision(user=editor)

    # The member adds another link and theme and changes their own contact's
    # role, in the form that still holds the old lists.
    post = _post_from_draft(draft.data)
    count = int(post["link-TOTAL_FORMS"])
    post["link-TOTAL_FORMS"] = str(count + 1)
    post[f"link-{count}-title"] = "Link van het lid"
    post[f"link-{count}-url"] = "https://example.org/lid"
    post["themes"] = [str(t.pk) for t in themes] + [str(spare[1].pk)]
    own = next(
        i for i, row in enumerate(draft.data["contacts"]) if row["email"]
    )  # the member's own contact person
    post[f"contact-{own}-role"] = "Nieuwe rol"
    response = client.post(draft.get_absolute_url(), post)
    assert response.status_code == 302

    page.refresh_from_db()
    version = page.get_latest_revision_as_object()
    assert {link.title for link in version.links.all()} >= {
        "Redactie-link",
        "Link van het lid",
    }
    theme_ids = {t.pk for t in version.themes.all()}
    assert {spare[0].pk, spare[1].pk} <= theme_ids
    contacts = {c.email: c for c in version.contacts.all()}
    assert "red@example.org" in contacts
    assert contacts["eigen@example.org"].role == "Nieuwe rol"
    assert partner.pk in [
        o.organisation_id for o in version.practice_organisations.all()
    ]


def test_an_update_keeps_the_editors_documents_and_images(client, member):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    page = _practice_with_organisation(member)
    draft = _draft_for_update(client, member, page)
    editor = EditorFactory()
    edited = page.get_latest_revision_as_object()
    document = get_document_model().objects.create(
        title="Door de redactie",
        file=SimpleUploadedFile("redactie.pdf", b"%PDF-1.4\n%r\n"),
    )
    image = get_image_model().objects.create(
        title="Foto van de redactie", file=png_upload(name="redactie.png")
    )
    edited.documents.add(PracticeDocument(document=document, title="Redactie"))
    edited.gallery_images.add(PracticeGalleryImage(image=image, caption="Redactie"))
    edited.save_revision(user=editor)

    post = _post_from_draft(draft.data)
    post["new_document_0"] = SimpleUploadedFile("lid.pdf", b"%PDF-1.4\n%l\n")
    post["new_document_0_text"] = "Van het lid"
    post["new_image_0"] = png_upload(name="lid.png")
    post["new_image_0_text"] = "Foto van het lid"
    assert client.post(draft.get_absolute_url(), post).status_code == 302

    page.refresh_from_db()
    version = page.get_latest_revision_as_object()
    titles = [d.title for d in version.documents.all()]
    assert "Redactie" in titles and "Van het lid" in titles
    images = [g.image_id for g in version.gallery_images.all()]
    assert image.pk in images and len(images) == 2


def _approve(page):
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, EditorFactory(), "approve")


def _published_with_document(client, member):
    send_new(
        client,
        new_document_0=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%test\n"),
        new_document_0_text="Projectplan",
    )
    page = PracticePage.objects.get(owner=member)
    _approve(page)
    page.refresh_from_db()
    return page, page.documents.get().document


def test_documents_of_a_deleted_practice_are_not_served(client, member):
    page, document = _published_with_document(client, member)
    url = document.url
    client.logout()
    assert client.get(url).status_code == 200
    page.delete()
    assert client.get(url).status_code != 200
    client.force_login(MemberFactory())
    assert client.get(url).status_code != 200


def test_a_document_dropped_by_a_published_update_is_not_served(client, member):
    page, document = _published_with_document(client, member)
    draft = _draft_for_update(client, member, page)
    post = _post_from_draft(draft.data)
    attached = draft.files.get(document=document)
    post[f"file-{attached.pk}-remove"] = "1"
    assert client.post(draft.get_absolute_url(), post).status_code == 302
    page.refresh_from_db()
    _approve(page)
    page.refresh_from_db()
    assert not page.documents.exists()
    client.logout()
    assert client.get(document.url).status_code != 200


def test_development_media_leaves_documents_and_uploads_to_their_views(rf):
    from django.http import Http404

    from kb.urls import dev_media

    for path in ("documents/plan.pdf", "submissions/2026/01/x.pdf", "x/../documents/a"):
        with pytest.raises(Http404):
            dev_media(rf.get("/media/" + path), path, document_root="/nonexistent")


def test_wijzigen_twice_at_once_opens_the_one_draft(client, member, monkeypatch):
    """The parallel request made the draft after this one looked for it:
    creating another trips over the one-draft constraint."""
    from django.db.models import QuerySet

    from submissions import services

    page = _published_practice(member)
    other = services.draft_from_page(page, member)  # the parallel request's
    real_first = QuerySet.first
    looked = []

    def first(self):
        if self.model is Submission and not looked:
            looked.append(True)
            return None  # looked before the other request committed
        return real_first(self)

    monkeypatch.setattr(QuerySet, "first", first)
    response = client.post(reverse("submissions:update", args=[page.pk]))
    assert response.status_code == 302
    assert response["Location"] == other.get_absolute_url()
    assert Submission.objects.filter(owner=member, page=page).count() == 1


@pytest.mark.parametrize("token", [None, "", "kort"])
def test_sending_in_a_new_form_without_its_token_is_refused(client, member, token):
    post = valid_post(title="Zonder token")
    if token is None:
        del post["form_token"]
    else:
        post["form_token"] = token
    for _ in range(2):
        response = client.post(NEW_URL, post)
        assert response.status_code == 400
        html = response.content.decode()
        assert "Zonder token" in html  # what was typed is still there
        assert "Een wijkteam dat" in html
        fresh = html.split('name="form_token" value="', 1)[1].split('"', 1)[0]
        assert len(fresh) >= 16 and fresh != token
    assert not PracticePage.objects.filter(owner=member).exists()


def test_files_are_attached_while_the_draft_is_locked(client, member, monkeypatch):
    from django.db import connection

    from submissions import services

    seen = []
    original = services.apply_files

    def apply_files(*args, **kwargs):
        seen.append(len(connection.atomic_blocks))
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "apply_files", apply_files)
    outside = len(connection.atomic_blocks)  # the test's own transaction
    save_draft(client)
    assert seen == [outside + 1]  # inside the transaction that locked the row


@override_settings(SUBMISSIONS_SEND_IN_PER_DAY=1)
def test_parallel_send_ins_cannot_pass_the_daily_limit(client, member):
    """Both requests passed the view's early check; the count under the lock
    in send_in refuses the second."""
    from submissions import services
    from submissions.forms import make_forms

    drafts = [Submission.objects.create(owner=member, data={}) for _ in range(2)]
    results = []
    for draft in drafts:
        practice_form, formsets = make_forms(data=valid_post())
        assert practice_form.is_valid()
        assert all(f.is_valid() for f in formsets.values())
        try:
            results.append(services.send_in(draft, practice_form, formsets, member))
        except services.SendInRefused as refused:
            results.append(refused)
    assert isinstance(results[0], PracticePage)
    assert isinstance(results[1], services.SendInRefused)
    assert PracticePage.objects.filter(owner=member).count() == 1


@override_settings(SUBMISSIONS_SEND_IN_PER_DAY=2)
def test_the_daily_limit_says_when_and_sends_retry_after(client, member):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    for hours in (20, 10, 2):  # three today (the limit was higher then)
        Submission.objects.create(
            owner=member,
            status="submitted",
            submitted_at=now - datetime.timedelta(hours=hours),
        )
    response = send_new(client)
    assert response.status_code == 429
    # Room for one more once two are older than a day: the one of 10 hours
    # ago, so in 14 hours (not in 4, when the oldest goes).
    retry = int(response["Retry-After"])
    assert 14 * 3600 - 120 <= retry <= 14 * 3600


def _png_bytes(size, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_progressive_jpeg_counts_at_full_size(decoded_sizes):
    from accounts.avatars import process_avatar

    photo = Image.new("RGB", (5000, 4000), "teal")  # 20 MP
    upload = _upload(photo, "progressief.jpg", "JPEG", progressive=True, quality=50)
    with pytest.raises(ValidationError) as refused:
        process_avatar(upload)
    assert refused.value.code == "too_many_pixels"
    assert decoded_sizes == []
    # A baseline JPEG of that size is still decoded in reduced mode.
    process_avatar(_upload(photo, "gewoon.jpg", "JPEG", quality=50))


def test_png_and_webp_have_a_lower_pixel_limit_than_jpeg(decoded_sizes):
    from accounts.avatars import process_avatar

    png = SimpleUploadedFile("scherm.png", _png_bytes((3200, 3000)))  # 9.6 MP
    with pytest.raises(ValidationError) as refused:
        process_image(png)
    assert refused.value.code == "too_many_pixels"
    assert "8 megapixel" in refused.value.messages[0]
    webp = _upload(
        Image.new("RGB", (2500, 2000), "red"), "a.webp", "WEBP", lossless=True
    )
    with pytest.raises(ValidationError):
        process_avatar(webp)  # 5 MP for a 400-pixel avatar
    assert decoded_sizes == []
    assert process_image(SimpleUploadedFile("ok.png", _png_bytes((2400, 1600))))


def test_editors_uploads_are_limited_to_16_megapixels():
    from django.conf import settings

    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS <= 16_000_000


def test_a_contact_without_a_record_stays_hidden_from_the_owner(client, member):
    """No revision tells who entered it (revisions purged, or none): fail
    closed, the owner gets a reference, not the address."""
    page = _published_practice(member)
    page.contacts.create(name="Onbekend", email="onbekend@example.org")
    page.save()
    page.revisions.all().delete()
    draft = _draft_for_update(client, member, page)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "onbekend@example.org" not in html
    assert "onbekend@example.org" not in json.dumps(draft.data)


def test_an_address_an_editor_changed_stays_hidden_from_the_owner(client, member):
    page = _practice_with_organisation(member)
    edited = page.get_latest_revision_as_object()
    contact = edited.contacts.get(email="eigen@example.org")
    contact.email = "nieuw-door-redactie@example.org"
    edited.save_revision(user=EditorFactory()).publish(user=None)
    draft = _draft_for_update(client, member, page)
    assert "nieuw-door-redactie@example.org" not in json.dumps(draft.data)


@pytest.mark.parametrize("keep", ["0" * 32, "vervalst"])
def test_a_forged_keep_reference_is_a_form_error(client, member, keep):
    page = _practice_with_organisation(member)
    draft = _draft_for_update(client, member, page)
    post = _post_from_draft(draft.data)
    post["contact-0-email"] = ""
    post["contact-0-keep"] = keep
    response = client.post(draft.get_absolute_url(), post)
    assert response.status_code == 400
    assert (
        gettext(
            "We no longer have an email address for this contact person. Fill in "
            "the email address."
        )
        in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_back_after_deleting_a_draft_leads_to_my_initiatives(client, member):
    draft = Submission.objects.create(owner=member, data={"fields": {"title": "Weg"}})
    delete_url = reverse("submissions:delete", args=[draft.pk])
    client.post(delete_url)
    assert not Submission.objects.filter(pk=draft.pk).exists()
    for url in (delete_url, draft.get_absolute_url()):  # Back, Back
        response = client.get(url)
        # Not found, but no dead end: it says so and links onwards.
        assert response.status_code == 404
        page = response.content.decode()
        assert gettext("Draft not found") in page
        assert f'href="{MINE_URL}"' in page
    assert client.get(MINE_URL).status_code == 200
