"""Who may do what: one table of every state-changing view, every view that
shows private data and the admin actions the project adds, against six
roles; and unpublished practices, which no public channel may ever show.

The roles:

- anonymous: not logged in;
- member: a logged-in member with no stake in the target;
- owner: the member whose question, answer, draft, notification, practice
  or account the action is about (for actions with no target: any member);
- other: another member who has questions, answers, drafts and notifications
  of their own, and reaches for the owner's by id;
- editor: a member of Wagtail's "Editors" group (community moderation, the
  redactie screens, page editing);
- suspended: the owner, suspended by the moderators.

Outcomes: "login" (sent to the site's login), "admin-login" (sent to the
Wagtail login), "django-login" (sent to the Django admin login), "done" (a
200/302 success whose effect is seen in the database), "shown" (200 with the
private data in it), "not-shown" (200 without it), "noop" (a 302 that
changed nothing) or a status code (and nothing changed). Every case checks
the status and the effect: the object changed, or the private data was
shown, exactly when the outcome says so.

Not repeated here: the community matrix of tests/test_community_moderation.py
(a subset of this table, kept there with its flood-control context) and the
per-view checks of tests/test_submissions.py, test_notifications.py and
test_accounts.py.
"""

import datetime
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from wagtail.models import PageViewRestriction

from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from community import relay, services
from community.models import Answer, ContactMessage, HelpfulVote, Question, Report
from editorial.freshness import confirm_token
from editorial.models import Collection, CollectionPractice
from kb.models import HomeFeaturedPractice, HomePage
from notifications.mail import contact_opt_out_url, unsubscribe_token
from notifications.models import (
    ContactOptOut,
    Follow,
    Notification,
    OutgoingEmail,
    SavedSearch,
)
from practices.models import (
    Adoption,
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticePage,
    TargetGroup,
    Theme,
)
from search.service import update_index
from submissions.models import Submission, SubmissionFile

from .factories import (
    EditorFactory,
    PracticeContactFactory,
    PracticeOrganisationFactory,
    PracticePageFactory,
    ThemeFactory,
)
from .factories_community import AnswerFactory, MemberFactory, QuestionFactory
from .html_forms import form_data

pytestmark = pytest.mark.django_db

PASSWORD = "een-veilig-testwachtwoord"
ROLES = ("anonymous", "member", "owner", "other", "editor", "suspended")

LOGIN = "login"
ADMIN = "admin-login"
DJANGO = "django-login"
DONE = "done"
SHOWN = "shown"
NOT_SHOWN = "not-shown"
NOOP = "noop"

# Private strings: each belongs to the owner and must only reach who may see it.
OWNER_EMAIL = "eigenaar.kievit@example.org"
DRAFT_TITLE = "Geheim concept Kievitsbloem"
FILE_CONTENT = b"Geheime bijlage Roerdomp"
NOTIFICATION = "Melding Grutto voor de eigenaar"
FOLLOWED_THEME = "Thema Boomklever"
HIDDEN_TITLE = "Verborgen vraag over de Zilverreiger?"
REPORT_TEXT = "Meldtekst Ortolaan voor de redactie"
CONTACT_SUBJECT = "Vraag over Wielewaal"
VISITOR_EMAIL = "bezoeker.putter@example.org"
ADOPTER = "Zorggroep Fitis (voorbeeld)"


def adoption_data(w, organisation="Zorggroep Koekoek (voorbeeld)"):
    return {
        "organisation": organisation,
        "region": CareOfficeRegion.objects.get(slug="twente").pk,
        "status": Adoption.Status.ADOPTED,
        "note": "",
        "own_practice": "",
        "url": "",
    }


@pytest.fixture
def w():
    """The owner's things, another member's things and everyone's accounts."""
    theme = Theme.objects.get(slug="ggz")
    owner = MemberFactory(email=OWNER_EMAIL, display_name="Eigenaar Kievit")
    member = MemberFactory(display_name="Lid Merel")
    other = MemberFactory(display_name="Ander Lid Spreeuw")
    editor = EditorFactory()
    banned = MemberFactory(display_name="Geschorst Lid")
    services.suspend_member(banned, days=3, reason="Reclame", moderator=None)

    q_owner = QuestionFactory(
        author=owner, title="Hoe regelen jullie de nachtzorg thuis?", themes=[theme]
    )
    q_other = QuestionFactory(
        author=other, title="Wie heeft ervaring met een wijkteam?", themes=[theme]
    )
    locked = QuestionFactory(author=other, title="Een gesloten vraag over ggz?")
    services.set_locked(locked, True, editor)
    hidden = QuestionFactory(author=owner, title=HIDDEN_TITLE, themes=[theme])
    services.hide_post(hidden, editor)
    a_other = AnswerFactory(question=q_owner, author=other, body="Antwoord van ander.")
    a_owner = AnswerFactory(question=q_other, author=owner, body="Antwoord eigenaar.")
    services.report_post(q_owner, member, reason="spam", explanation=REPORT_TEXT)

    draft = Submission.objects.create(
        owner=owner, data={"fields": {"title": DRAFT_TITLE}}
    )
    attached = SubmissionFile.objects.create(
        submission=draft, kind="document", original_name="bijlage.txt"
    )
    attached.file.save("bijlage.txt", io.BytesIO(FILE_CONTENT), save=True)
    Submission.objects.create(owner=other, data={"fields": {"title": "Concept ander"}})

    n_owner = Notification.objects.create(
        user=owner, event="new_answer", message=NOTIFICATION, url="/community/"
    )
    Notification.objects.create(
        user=other, event="new_answer", message="Melding voor de ander", url="/"
    )
    Follow.objects.create(user=owner, theme=ThemeFactory(name=FOLLOWED_THEME))
    saved_search = SavedSearch.objects.create(
        user=owner, name="Zoekopdracht Goudvink", query="q=goudvink", query_hash="x"
    )

    owned = PracticePageFactory(
        owner=owner,
        title="Praktijk van de eigenaar Tureluur",
        last_reviewed_at=datetime.date.today() - datetime.timedelta(days=800),
    )
    owned.save_revision(user=owner).publish(user=None)
    owned.refresh_from_db()
    practice = (
        PracticePage.objects.live().public().filter(contacts__isnull=False).first()
    )
    ContactMessage.objects.create(
        practice=practice,
        contact=practice.contacts.first(),
        contact_name="Contact",
        sender=owner,
        subject="Bericht Blauwborst van de eigenaar",
        message="Hallo",
    )
    # A visitor's message that waits for its confirmation link.
    waiting = ContactMessage.objects.create(
        practice=practice,
        contact=practice.contacts.first(),
        contact_name="Contact",
        sender_name="Bezoeker Putter",
        sender_email=VISITOR_EMAIL,
        message="Hallo vanaf de Putter",
        status=ContactMessage.Status.PENDING,
        confirmation_sent_at=timezone.now(),
    )
    adoption = Adoption.objects.create(
        practice=practice,
        member=owner,
        organisation=ADOPTER,
        region=CareOfficeRegion.objects.get(slug="twente"),
    )
    # Confirmed: visitors and members may write to its member (the relay).
    adopted = Adoption.objects.create(
        practice=practice,
        member=other,
        organisation="Zorggroep Tjiftjaf (voorbeeld)",
        region=CareOfficeRegion.objects.get(slug="twente"),
        review=Adoption.Review.CONFIRMED,
    )
    failed_email = OutgoingEmail.objects.create(
        to=OWNER_EMAIL,
        subject="Nieuw antwoord",
        body="Hallo",
        status=OutgoingEmail.Status.FAILED,
    )
    return {
        "saved_search": saved_search,
        "adoption": adoption,
        "adopted": adopted,
        "failed_email": failed_email,
        "waiting": waiting,
        "member_message": ContactMessage.objects.get(sender=owner),
        "owner": owner,
        "member": member,
        "other": other,
        "editor": editor,
        "banned": banned,
        "q_owner": q_owner,
        "q_other": q_other,
        "locked": locked,
        "hidden": hidden,
        "a_owner": a_owner,
        "a_other": a_other,
        "draft": draft,
        "file": attached,
        "n_owner": n_owner,
        "owned": owned,
        "practice": practice,
        "contact": practice.contacts.first(),
        "merge": (ThemeFactory(name="Samen A"), ThemeFactory(name="Samen B")),
    }


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    if response.get("Content-Type", "").startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
            return "".join(
                workbook.read(name).decode()
                for name in workbook.namelist()
                if name.endswith(".xml")
            )
    return response.content.decode(errors="replace")


def fresh(obj):
    return type(obj).objects.filter(pk=obj.pk).first()


def shows(needle):
    return lambda w, r, actor: needle in text(r)


def ok_page(w, r, actor):
    return r.status_code == 200


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    url: Callable
    expect: tuple  # one outcome per role in ROLES; None: not applicable
    effect: Callable  # (world, response, acting user) -> did it happen / show
    data: Callable = lambda w: {}


def r(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def pk(key):
    return lambda w: w[key].pk


def admin(name, *args):
    return r(name, *args)


QUESTION_DATA = {
    "title": "Een nieuwe vraag over de nachtzorg?",
    "body": "Met een uitleg die lang genoeg is om te plaatsen.",
}


ACTIONS = [
    # Accounts ----------------------------------------------------------------
    Action(
        # A suspended member's public profile is locked (issue 14, item 15).
        "profile: edit own",
        "post",
        r("accounts:edit"),
        (LOGIN, DONE, DONE, DONE, DONE, NOOP),
        lambda w, r, actor: (
            actor is not None and fresh(actor).profile.display_name == "Nieuwe Naam"
        ),
        lambda w: {"display_name": "Nieuwe Naam", "email_frequency": "daily"},
    ),
    Action(
        "profile: public page never shows the email",
        "get",
        r("accounts:profile", lambda w: w["owner"].profile.public_id),
        (NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, NOT_SHOWN),
        shows(OWNER_EMAIL),
    ),
    Action(
        "account: data export (own data only)",
        "post",
        r("accounts:export"),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, SHOWN),
        shows(OWNER_EMAIL),
    ),
    Action(
        "account: email addresses page",
        "get",
        r("account_email"),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, SHOWN),
        shows(OWNER_EMAIL),
    ),
    Action(
        "account: delete own (with password)",
        "post",
        r("accounts:delete"),
        (LOGIN, DONE, DONE, DONE, DONE, DONE),
        lambda w, r, actor: actor is not None and fresh(actor) is None,
        lambda w: {"password": PASSWORD},
    ),
    # Community ---------------------------------------------------------------
    Action(
        "community: ask",
        "post",
        r("community:ask"),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: Question.objects.filter(
            title=QUESTION_DATA["title"]
        ).exists(),
        lambda w: {**QUESTION_DATA, "themes": [w["q_owner"].themes.first().pk]},
    ),
    Action(
        "community: answer",
        "post",
        lambda w: w["q_owner"].get_absolute_url(),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: Answer.objects.filter(body="Een nieuw antwoord.").exists(),
        lambda w: {"body": "Een nieuw antwoord."},
    ),
    Action(
        "community: edit question form",
        "get",
        r("community:edit_question", pk("q_owner")),
        (LOGIN, 403, SHOWN, 403, 403, 403),
        shows('name="title"'),
    ),
    Action(
        "community: edit question",
        "post",
        r("community:edit_question", pk("q_owner")),
        (LOGIN, 403, DONE, 403, 403, 403),
        lambda w, r, actor: fresh(w["q_owner"]).title == QUESTION_DATA["title"],
        lambda w: {**QUESTION_DATA, "themes": [w["q_owner"].themes.first().pk]},
    ),
    Action(
        "community: edit answer",
        "post",
        r("community:edit_answer", pk("a_owner")),
        (LOGIN, 403, DONE, 403, 403, 403),
        lambda w, r, actor: fresh(w["a_owner"]).body == "Aangepast antwoord.",
        lambda w: {"body": "Aangepast antwoord."},
    ),
    Action(
        "community: accept an answer to own question",
        "post",
        r("community:accept", pk("a_other")),
        (LOGIN, 403, DONE, 403, 403, 403),
        lambda w, r, actor: fresh(w["q_owner"]).accepted_answer_id == w["a_other"].pk,
    ),
    Action(
        "community: mark an answer helpful",
        "post",
        r("community:helpful", pk("a_owner")),
        (LOGIN, DONE, 403, DONE, DONE, 403),
        lambda w, r, actor: HelpfulVote.objects.filter(answer=w["a_owner"]).exists(),
    ),
    Action(
        "community: report a question",
        "post",
        r("community:report_question", pk("q_other")),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: Report.objects.filter(question=w["q_other"]).exists(),
        lambda w: {"reason": "spam"},
    ),
    Action(
        "community: report an answer",
        "post",
        r("community:report_answer", pk("a_other")),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: Report.objects.filter(answer=w["a_other"]).exists(),
        lambda w: {"reason": "offensive"},
    ),
    Action(
        "community: read a hidden question",
        "get",
        lambda w: w["hidden"].get_absolute_url(),
        (404, 404, SHOWN, 404, SHOWN, SHOWN),
        shows(HIDDEN_TITLE),
    ),
    Action(
        "community: edit a hidden question by id",
        "get",
        r("community:edit_question", pk("hidden")),
        # Its author still reads it, but may no longer change it (issue 14).
        (404, 404, 403, 404, 403, 403),
        shows(HIDDEN_TITLE),
    ),
    # Adoptions ("wij zijn hier ook mee aan de slag") -------------------------
    Action(
        "adoption: record one for a practice",
        "post",
        r("community:adopt", pk("practice")),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: Adoption.objects.filter(
            organisation="Zorggroep Koekoek (voorbeeld)"
        ).exists(),
        adoption_data,
    ),
    Action(
        "adoption: the form lists only one's own",
        "get",
        r("community:adopt", pk("practice")),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, 403),
        shows(ADOPTER),
    ),
    Action(
        "adoption: edit own form",
        "get",
        r("community:edit_adoption", pk("adoption")),
        (LOGIN, 403, SHOWN, 403, 403, 403),
        shows(ADOPTER),
    ),
    Action(
        "adoption: edit own",
        "post",
        r("community:edit_adoption", pk("adoption")),
        (LOGIN, 403, DONE, 403, 403, 403),
        lambda w, r, actor: fresh(w["adoption"]).organisation == "Zorggroep Nieuw",
        lambda w: adoption_data(w, "Zorggroep Nieuw"),
    ),
    Action(
        "adoption: withdraw own",
        "post",
        r("community:withdraw_adoption", pk("adoption")),
        (LOGIN, 403, DONE, 403, 403, 403),
        lambda w, r, actor: fresh(w["adoption"]) is None,
    ),
    Action(
        "adoption: message the member who recorded it",
        "post",
        r("community:contact_adopter", pk("adopted")),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: ContactMessage.objects.filter(
            subject=CONTACT_SUBJECT, adoption=w["adopted"]
        ).exists(),
        lambda w: {"subject": CONTACT_SUBJECT, "message": "Hallo!", "consent": "on"},
    ),
    Action(
        "adoption: a visitor writes to the member who recorded it",
        "post",
        r("community:contact_adopter", pk("adopted")),
        (DONE, 400, 400, 400, 400, 403),
        lambda w, r, actor: ContactMessage.objects.filter(
            sender_email="nieuwe.bezoeker@example.org", adoption=w["adopted"]
        ).exists(),
        lambda w: {
            "name": "Nieuwe Bezoeker",
            "email": "nieuwe.bezoeker@example.org",
            "message": "Hallo!",
        },
    ),
    Action(
        "admin: list adoptions",
        "get",
        admin("adoption:index"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows(ADOPTER),
    ),
    Action(
        "admin: confirm an adoption",
        "post",
        admin("community_moderation:confirm_adoption", pk("adoption")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["adoption"]).review == Adoption.Review.CONFIRMED,
    ),
    Action(
        "admin: reject an adoption",
        "post",
        admin("community_moderation:reject_adoption", pk("adoption")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["adoption"]).review == Adoption.Review.REJECTED,
    ),
    Action(
        "community: message a practice's contact person",
        "post",
        r("community:contact", pk("contact")),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: ContactMessage.objects.filter(
            subject=CONTACT_SUBJECT
        ).exists(),
        lambda w: {"subject": CONTACT_SUBJECT, "message": "Hallo!", "consent": "on"},
    ),
    Action(
        # Anyone may write; members through their own form (subject and
        # consent), so the visitors' form from a member is invalid.
        "community: a visitor writes to a practice's contact person",
        "post",
        r("community:contact", pk("contact")),
        (DONE, 400, 400, 400, 400, 403),
        lambda w, r, actor: ContactMessage.objects.filter(
            sender_email="nieuwe.bezoeker@example.org"
        ).exists(),
        lambda w: {
            "name": "Nieuwe Bezoeker",
            "email": "nieuwe.bezoeker@example.org",
            "message": "Hallo!",
        },
    ),
    Action(
        "community: 'check your email' shows only this browser's message",
        "get",
        r("community:contact_check"),
        (NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, NOT_SHOWN),
        shows(VISITOR_EMAIL),
    ),
    Action(
        # The signed link is the credential: whoever has it confirms.
        "community: confirm a visitor's message with its link",
        "post",
        lambda w: reverse(
            "community:contact_confirm", args=[relay.confirm_token(w["waiting"])]
        ),
        (DONE, DONE, DONE, DONE, DONE, DONE),
        lambda w, r, actor: fresh(w["waiting"]).status == ContactMessage.Status.SENT,
    ),
    Action(
        "community: confirm a visitor's message with a tampered token",
        "post",
        lambda w: reverse(
            "community:contact_confirm",
            args=[relay.confirm_token(w["waiting"])[:-2] + "xx"],
        ),
        (400, 400, 400, 400, 400, 400),
        lambda w, r, actor: fresh(w["waiting"]).status == ContactMessage.Status.SENT,
    ),
    Action(
        "community: report a relayed message with its link",
        "post",
        lambda w: reverse(
            "community:contact_report",
            args=[relay.report_token(w["member_message"].pk)],
        ),
        (DONE, DONE, DONE, DONE, DONE, DONE),
        lambda w, r, actor: fresh(w["member_message"]).reported_at is not None,
        lambda w: {"note": "Reclame"},
    ),
    Action(
        "community: report a relayed message with a tampered token",
        "post",
        lambda w: reverse(
            "community:contact_report",
            args=[relay.report_token(w["member_message"].pk)[:-2] + "xx"],
        ),
        (400, 400, 400, 400, 400, 400),
        lambda w, r, actor: fresh(w["member_message"]).reported_at is not None,
        lambda w: {"note": "Reclame"},
    ),
    # Notifications -------------------------------------------------------------
    Action(
        "notifications: follow a practice",
        "post",
        r("notifications:follow"),
        (LOGIN, DONE, DONE, DONE, DONE, DONE),
        lambda w, r, actor: Follow.objects.filter(
            user=actor, practice=w["practice"]
        ).exists(),
        lambda w: {"target": "practice", "id": w["practice"].pk, "action": "follow"},
    ),
    Action(
        "notifications: list",
        "get",
        r("notifications:list"),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, SHOWN),
        shows(NOTIFICATION),
    ),
    Action(
        "notifications: open another's notification by id",
        "get",
        r("notifications:open", pk("n_owner")),
        (LOGIN, 404, DONE, 404, 404, DONE),
        lambda w, r, actor: fresh(w["n_owner"]).read_at is not None,
    ),
    Action(
        "notifications: mark all read",
        "post",
        r("notifications:mark_all_read"),
        (LOGIN, NOOP, DONE, NOOP, NOOP, DONE),
        lambda w, r, actor: fresh(w["n_owner"]).read_at is not None,
    ),
    Action(
        "notifications: what I follow",
        "get",
        r("notifications:settings"),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, SHOWN),
        shows(FOLLOWED_THEME),
    ),
    Action(
        # A visitor logs in first and comes back to the same search.
        "notifications: follow a search",
        "post",
        r("notifications:save_search"),
        (LOGIN, DONE, DONE, DONE, DONE, DONE),
        lambda w, r, actor: SavedSearch.objects.filter(
            user=actor, query="q=nachtzorg&thema=ggz"
        ).exists(),
        lambda w: {"q": "nachtzorg", "thema": "ggz"},
    ),
    Action(
        "notifications: rename a saved search",
        "post",
        r("notifications:rename_search", pk("saved_search")),
        (LOGIN, 404, DONE, 404, 404, DONE),
        lambda w, r, actor: fresh(w["saved_search"]).name == "Goudvinken",
        lambda w: {"name": "Goudvinken"},
    ),
    Action(
        "notifications: remove a saved search",
        "post",
        r("notifications:remove_search", pk("saved_search")),
        (LOGIN, 404, DONE, 404, 404, DONE),
        lambda w, r, actor: fresh(w["saved_search"]) is None,
    ),
    Action(
        "notifications: saved searches on what I follow",
        "get",
        r("notifications:settings"),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, SHOWN),
        shows("Zoekopdracht Goudvink"),
    ),
    Action(
        "notifications: contact person's opt-out with a tampered token",
        "post",
        lambda w: reverse(
            "notifications:contact_opt_out",
            args=[
                contact_opt_out_url(w["contact"]).rstrip("/").rsplit("/", 1)[1][:-2]
                + "xx"
            ],
        ),
        (400, 400, 400, 400, 400, 400),
        lambda w, r, actor: ContactOptOut.objects.filter(
            email=w["contact"].email.lower()
        ).exists(),
    ),
    Action(
        "notifications: unsubscribe with a tampered token",
        "post",
        lambda w: reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(w["owner"].pk)[:-2] + "xx"],
        ),
        (400, 400, 400, 400, 400, 400),
        lambda w, r, actor: fresh(w["owner"]).profile.email_frequency == "never",
    ),
    # Submissions ---------------------------------------------------------------
    Action(
        "submissions: start a draft",
        "post",
        r("submissions:new"),
        (LOGIN, DONE, DONE, DONE, DONE, 403),
        lambda w, r, actor: any(
            s.title == "Mijn nieuwe concept"
            for s in Submission.objects.filter(owner=actor)
        ),
        lambda w: {"title": "Mijn nieuwe concept", "save": "1"},
    ),
    Action(
        "submissions: my initiatives",
        "get",
        r("submissions:mine"),
        (LOGIN, NOT_SHOWN, SHOWN, NOT_SHOWN, NOT_SHOWN, SHOWN),
        shows(DRAFT_TITLE),
    ),
    Action(
        "submissions: open another's draft by id",
        "get",
        r("submissions:edit", pk("draft")),
        (LOGIN, 404, SHOWN, 404, 404, 403),
        shows(DRAFT_TITLE),
    ),
    Action(
        "submissions: change another's draft by id",
        "post",
        r("submissions:edit", pk("draft")),
        (LOGIN, 404, DONE, 404, 404, 403),
        lambda w, r, actor: fresh(w["draft"]).title == "Overschreven",
        lambda w: {"title": "Overschreven", "save": "1"},
    ),
    Action(
        # Suspended members may still throw away their own private draft.
        "submissions: delete another's draft by id",
        "post",
        r("submissions:delete", pk("draft")),
        (LOGIN, 404, DONE, 404, 404, DONE),
        lambda w, r, actor: fresh(w["draft"]) is None,
    ),
    Action(
        "submissions: download another's attachment by id",
        "get",
        r("submissions:file", pk("draft"), pk("file")),
        (LOGIN, 404, SHOWN, 404, 404, SHOWN),
        shows(FILE_CONTENT.decode()),
    ),
    Action(
        "submissions: propose an update to another's practice",
        "post",
        r("submissions:update", pk("owned")),
        (LOGIN, 404, DONE, 404, 404, 403),
        lambda w, r, actor: Submission.objects.filter(page=w["owned"]).exists(),
    ),
    # Editorial, public -----------------------------------------------------------
    Action(
        "editorial: confirm 'still current' with a tampered token",
        "post",
        lambda w: reverse(
            "editorial:confirm_current", args=[confirm_token(w["owned"])[:-2] + "xx"]
        ),
        (400, 400, 400, 400, 400, 400),
        lambda w, r, actor: fresh(w["owned"]).last_reviewed_at == timezone.localdate(),
    ),
    # Wagtail admin: community moderation ---------------------------------------
    Action(
        "admin: dashboard",
        "get",
        r("wagtailadmin_home"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        ok_page,
    ),
    Action(
        "admin: report queue",
        "get",
        admin("community_moderation:reports"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows("Ortolaan"),
    ),
    Action(
        "admin: moderate a post",
        "get",
        admin("community_moderation:post", "vraag", pk("q_owner")),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows("Ortolaan"),
    ),
    Action(
        "admin: hide a post",
        "post",
        admin("community_moderation:hide", "vraag", pk("q_other")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["q_other"]).is_hidden,
    ),
    Action(
        "admin: show a hidden post again",
        "post",
        admin("community_moderation:restore", "vraag", pk("hidden")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: not fresh(w["hidden"]).is_hidden,
    ),
    Action(
        "admin: dismiss reports",
        "post",
        admin("community_moderation:dismiss", "vraag", pk("q_owner")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: Report.objects.filter(
            question=w["q_owner"], status=Report.Status.DISMISSED
        ).exists(),
    ),
    Action(
        "admin: close a question",
        "post",
        admin("community_moderation:lock", pk("q_other")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["q_other"]).is_locked,
    ),
    Action(
        "admin: reopen a question",
        "post",
        admin("community_moderation:unlock", pk("locked")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: not fresh(w["locked"]).is_locked,
    ),
    Action(
        "admin: suspend a member",
        "post",
        admin("community_moderation:suspend", pk("other")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["other"]).profile.is_suspended,
        lambda w: {"days": "3", "reason": "Scheldwoorden"},
    ),
    Action(
        "admin: lift a suspension",
        "post",
        admin("community_moderation:lift", pk("banned")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: not fresh(w["banned"]).profile.is_suspended,
    ),
    Action(
        "admin: contact message copies",
        "get",
        admin("contactmessage:index"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows("Blauwborst"),
    ),
    Action(
        "admin: question listing",
        "get",
        admin("question:index"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        ok_page,
    ),
    Action(
        # The listings are read-only: nobody deletes a post, editors neither.
        "admin: delete a question",
        "post",
        admin("question:delete", pk("q_other")),
        (ADMIN, ADMIN, ADMIN, ADMIN, NOOP, ADMIN),
        lambda w, r, actor: fresh(w["q_other"]) is None,
    ),
    Action(
        # Addresses and message texts: only for the redactie (Editors and
        # Moderators; account emails' texts never, tests/test_hardening_outbox.py).
        "admin: outbox",
        "get",
        admin("outbox:index"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows(OWNER_EMAIL),
    ),
    Action(
        "admin: send a failed email again",
        "post",
        lambda w: reverse("outbox_retry", args=[w["failed_email"].pk]),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: (
            fresh(w["failed_email"]).status != OutgoingEmail.Status.FAILED
        ),
    ),
    # Wagtail admin: the redactie -----------------------------------------------
    Action(
        "admin: merge two themes",
        "post",
        admin("editorial_admin:merge", "thema"),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["merge"][0]) is None,
        lambda w: {
            "source": w["merge"][0].pk,
            "target": w["merge"][1].pk,
            "confirm": "1",
        },
    ),
    Action(
        "admin: practices due for a check",
        "get",
        admin("editorial_admin:stale"),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows("Tureluur"),
    ),
    Action(
        "admin: mark practices reviewed",
        "post",
        admin("editorial_admin:mark_reviewed"),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: fresh(w["owned"]).last_reviewed_at == timezone.localdate(),
        lambda w: {"page": [w["owned"].pk]},
    ),
    Action(
        "admin: edit one's own practice page",
        "get",
        admin("wagtailadmin_pages:edit", pk("owned")),
        (ADMIN, ADMIN, ADMIN, ADMIN, SHOWN, ADMIN),
        shows("Tureluur"),
    ),
    Action(
        # The maturity ladder: only the redactie sets a practice's level
        # (practices.assess_maturity); its owner cannot reach the editor.
        "admin: set a practice's level",
        "post",
        admin("wagtailadmin_pages:edit", pk("owned")),
        (ADMIN, ADMIN, ADMIN, ADMIN, DONE, ADMIN),
        lambda w, r, actor: (
            fresh(w["owned"]).get_latest_revision_as_object().maturity_level
            == "veelbelovend"
        ),
        lambda w: level_form(w),
    ),
    # Compare ---------------------------------------------------------------
    Action(
        # Public: the practices side by side, for anyone.
        "compare: published practices side by side",
        "get",
        r("compare"),
        (SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN),
        shows("Tureluur"),
        lambda w: {"ids": f"{w['practice'].pk},{w['owned'].pk}"},
    ),
    # White spots ------------------------------------------------------------
    Action(
        # Public and read only: the counts per theme and place, for anyone.
        "white spots: the table",
        "get",
        r("gaps"),
        (SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN),
        shows("Praktijkvoorbeelden per thema en zorgkantoorregio"),
    ),
    Action(
        "white spots: an empty cell",
        "get",
        r("gaps_empty"),
        (SHOWN, SHOWN, SHOWN, SHOWN, SHOWN, SHOWN),
        shows("Deel jouw initiatief"),
        lambda w: {
            "thema": w["practice"].themes.first().slug,
            "zorgkantoorregio": "twente",
        },
    ),
    Action(
        "django-admin: index",
        "get",
        r("admin:index"),
        (DJANGO, DJANGO, DJANGO, DJANGO, DJANGO, DJANGO),
        ok_page,
    ),
]


def level_form(w):
    """The page editor's form of the owner's practice as the editor gets it
    (every field as it stands), with a level, its reason and date chosen."""
    editor = Client()
    editor.force_login(w["editor"])
    edit = reverse("wagtailadmin_pages:edit", args=[w["owned"].pk])
    data = form_data(editor.get(edit).content, "form#page-edit-form")
    data.update(
        maturity_level=["veelbelovend"],
        maturity_reason=["De resultaten zijn gemeten."],
        maturity_assessed_on=["2026-11-30"],
    )
    return data


CASES = sum(
    1 for action in ACTIONS for expected in action.expect if expected is not None
)


def act(client, w, action, role):
    actor = None
    if role == "suspended":
        services.suspend_member(w["owner"], days=3, reason="Reclame", moderator=None)
        actor = w["owner"]
    elif role != "anonymous":
        actor = w[role]
    if actor is not None:
        client.force_login(actor)
    method = getattr(client, action.method)
    if action.method == "post":
        response = method(action.url(w), action.data(w))
    else:  # the data as its query string
        response = method(action.url(w), action.data(w))
    return actor, response


LOGIN_PAGES = {
    LOGIN: reverse("account_login") + "?next=",
    ADMIN: reverse("wagtailadmin_login") + "?next=",
    DJANGO: reverse("admin:login") + "?next=",
}


def outcome_matches(response, expected, effect):
    status, location = response.status_code, response.get("Location", "")
    to_login = location.startswith(tuple(LOGIN_PAGES.values()))
    if expected in LOGIN_PAGES:
        return (
            status == 302 and location.startswith(LOGIN_PAGES[expected]) and not effect
        )
    if expected == DONE:
        return status in (200, 302) and not to_login and effect
    if expected == SHOWN:
        return status == 200 and effect
    if expected == NOT_SHOWN:
        return status == 200 and not effect
    if expected == NOOP:
        return status == 302 and not to_login and not effect
    return status == expected and not effect


def try_as(w, action, role, client):
    """Do `action` as `role`, then undo it; returns (response, effect)."""
    with transaction.atomic():
        actor, response = act(client, w, action, role)
        effect = bool(action.effect(w, response, actor))
        transaction.set_rollback(True)
    return response, effect


@pytest.mark.parametrize("action", [pytest.param(a, id=a.name) for a in ACTIONS])
def test_permission_table(w, action):
    """Each role in turn (each undone before the next), then the CSRF check:
    the role that may do it, without the CSRF token, gets 403 and changes
    nothing (the signed links, whose token is the credential, excepted)."""
    wrong = []
    for role, expected in zip(ROLES, action.expect, strict=True):
        if expected is None:
            continue
        response, effect = try_as(w, action, role, Client())
        if not outcome_matches(response, expected, effect):
            wrong.append(
                f"{role}: expected {expected}, got {response.status_code} "
                f"{response.get('Location', '')} effect={effect} "
                f"{text(response)[:200]!r}"
            )
    assert not wrong, "\n".join(wrong)

    allowed = [
        role
        for role, expected in zip(ROLES, action.expect, strict=True)
        if expected in (DONE, SHOWN)
    ]
    if action.method == "post" and allowed and "tampered token" not in action.name:
        response, effect = try_as(
            w, action, allowed[0], Client(enforce_csrf_checks=True)
        )
        assert response.status_code == 403 and not effect, "CSRF"


def test_the_table_covers_every_project_view():
    """A new view in an app's urls.py must get a row here (or a reason not to)."""
    from django.urls import get_resolver

    covered = {
        # public, no private data, nothing to change: see the crawl and the
        # property tests instead
        "community:index",
        "community:question_short",
        "editorial:collections",
        "editorial:collection",
        "regions",
        "region",
        "gaps_csv",
        "gaps_xlsx",
        "search",
        "search_suggestions",
        "api_practices",
        "api_practices_csv",
        "api_practices_xlsx",
        "feed_practices",
        "favicon",
    }
    tested = set()
    for action in ACTIONS:
        url = action.url(WORLD_FOR_NAMES)
        tested.add(resolve_name(url))
    names = set()
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace in {
            "accounts",
            "community",
            "notifications",
            "submissions",
            "editorial",
            "practices",
        }:
            names |= {f"{namespace}:{p.name}" for p in pattern.url_patterns}
    missing = names - tested - covered
    assert not missing, missing
    assert CASES >= 250  # actions × roles that apply


class _Fake:
    pk = 1
    contact_id = 1
    owner_id = 1
    public_id = "0123456789abcdef"

    @property
    def profile(self):
        return self

    def get_absolute_url(self):
        return "/community/vragen/1/x/"


class _FakeWorld(dict):
    def __missing__(self, key):
        if key == "merge":
            return (_Fake(), _Fake())
        return _Fake()


WORLD_FOR_NAMES = _FakeWorld()


def resolve_name(url):
    from django.urls import resolve

    match = resolve(url)
    if match.namespace:
        return f"{match.namespace}:{match.url_name}"
    return match.url_name


# Unpublished practices ---------------------------------------------------------

SECRET_WORD = "Zwartkopmees"  # what the tests search for
# What only the hidden practice contains (a search term is echoed back, so
# the needles are other words of its title and summary).
HIDDEN_WORDS = ("Onzichtbaarheidsproef", "Roodborsttapuit")
HIDDEN_SLUG = "onzichtbare-zwartkopmees"
HIDDEN_CONTACT = "geheim.contact@example.org"


def _twin_and_hidden(how, commit):
    """A published practice and a twin with every facet the same, which the
    public must not reach. `how`: "draft" (never published), "unpublished"
    (published, then unpublished), "restricted" (published behind a login)
    or "published" (the test unpublishes it itself)."""
    region = CareOfficeRegion.objects.filter(practices__live=True).first()
    theme = ThemeFactory(name="Thema Tweeling")
    facets = {
        "provinces": [region.province.slug],
        "care_office_regions": [region.slug],
        "themes": [theme.slug],
        "movements": list(Movement.objects.values_list("slug", flat=True)[:2]),
        "target_groups": list(TargetGroup.objects.values_list("slug", flat=True)[:1]),
    }
    organisation = Organisation.objects.filter(is_confirmed=True).first()
    published = PracticePageFactory(title="Gepubliceerde tweeling", **facets)
    hidden = PracticePageFactory(
        title=f"Onzichtbaarheidsproef {SECRET_WORD}",
        slug=HIDDEN_SLUG,
        summary=f"Over de {SECRET_WORD} en de Roodborsttapuit in de wijk.",
        live=how != "draft",
        first_published_at=None if how == "draft" else timezone.now(),
        **facets,
    )
    for page in (published, hidden):
        PracticeOrganisationFactory(page=page, organisation=organisation)
    PracticeContactFactory(page=hidden, name="Geheim Contact", email=HIDDEN_CONTACT)
    commit(lambda: update_index("practice", [published.pk, hidden.pk]))
    if how == "draft":
        hidden.save_revision()
    elif how == "unpublished":
        commit(lambda: hidden.save_revision().publish(user=None))
        commit(hidden.unpublish)
    elif how == "restricted":
        commit(lambda: hidden.save_revision().publish(user=None))
        commit(
            lambda: PageViewRestriction.objects.create(
                page=hidden, restriction_type=PageViewRestriction.LOGIN
            )
        )
    hidden.refresh_from_db()
    return published, hidden, region, theme


def hidden_url(published):
    return f"{published.get_parent().url}{HIDDEN_SLUG}/"


def public_responses(client, published, region, theme):
    """Every public place a practice can show up, as (label, response)."""
    yield "its own address", client.get(hidden_url(published))
    yield "home page", client.get("/")
    yield "practice index", client.get(published.get_parent().url)
    for params in ({"q": SECRET_WORD}, {"thema": theme.slug}, {}):
        yield f"search {params}", client.get(reverse("search"), params)
        yield f"API {params}", client.get(reverse("api_practices"), params)
        yield f"CSV {params}", client.get(reverse("api_practices_csv"), params)
        yield f"XLSX {params}", client.get(reverse("api_practices_xlsx"), params)
        yield f"feed {params}", client.get(reverse("feed_practices"), params)
    yield "suggestions", client.get(reverse("search_suggestions"), {"q": SECRET_WORD})
    yield "sitemap", client.get("/sitemap.xml")
    yield "region page", client.get(reverse("region", args=[region.slug]))
    yield "twin's page (similar block)", client.get(published.url)
    # Put side by side by its id, or added the way a toggle without
    # JavaScript adds it.
    hidden = PracticePage.objects.get(slug=HIDDEN_SLUG).pk
    for ids in (f"{published.pk},{hidden}", f"{hidden}"):
        yield f"comparison {ids}", client.get(reverse("compare"), {"ids": ids})
    yield (
        "comparison, added",
        client.get(
            reverse("compare"), {"ids": published.pk, "voeg_toe": hidden}, follow=True
        ),
    )
    yield "collections", client.get(reverse("editorial:collections"))
    for collection in Collection.objects.all():
        yield (
            "collection",
            client.get(reverse("editorial:collection", args=[collection.slug])),
        )


def assert_nowhere(responses, hidden, label="", words=HIDDEN_WORDS):
    checked = 0
    for where, response in responses:
        assert response.status_code in (200, 302, 404), (label, where)
        body = text(response)
        needles = [*words, HIDDEN_CONTACT]
        if where != "its own address":  # the 404 page's login link has the path
            needles.append(HIDDEN_SLUG)
        for needle in needles:
            assert needle not in body, f"{label}: {where} shows {needle}"
        assert not re.search(rf'"id": ?{hidden.pk}\b', body), (label, where)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("how", ["draft", "unpublished", "restricted"])
def test_unpublished_practice_appears_nowhere(client, commit, how):
    published, hidden, region, theme = _twin_and_hidden(how, commit)
    # Everywhere an editor or a member could have pointed at it.
    for collection in Collection.objects.all():
        CollectionPractice.objects.create(collection=collection, practice=hidden)
    HomeFeaturedPractice.objects.create(page=HomePage.objects.get(), practice=hidden)
    question = QuestionFactory(title="Een vraag over de tweelingen, wie weet meer?")
    question.practices.add(published, hidden)

    # The twin is found, so these places really do list practices like it.
    api = client.get(reverse("api_practices"), {"thema": theme.slug}).json()
    assert [result["id"] for result in api["results"]] == [published.pk]
    twin = text(client.get(published.url))
    assert 'id="similar-heading"' in twin

    assert client.get(hidden_url(published)).status_code in (302, 404)
    assert_nowhere(
        [
            *public_responses(client, published, region, theme),
            ("question page", client.get(question.get_absolute_url())),
        ],
        hidden,
        how,
    )

    # A member sees no more than a visitor: no choice to ask about it either
    # (a login restriction lets members read the page itself, by design).
    client.force_login(MemberFactory())
    if how != "restricted":
        assert client.get(hidden_url(published)).status_code == 404
    for url in (
        reverse("community:ask"),
        reverse("community:ask") + f"?praktijk={hidden.pk}",
        reverse("search") + f"?q={SECRET_WORD}",
        question.get_absolute_url(),
    ):
        assert HIDDEN_WORDS[0] not in text(client.get(url)), url
    response = client.post(
        reverse("community:ask"),
        {**QUESTION_DATA, "themes": [theme.pk], "practices": [hidden.pk]},
    )
    assert response.status_code == 400  # not one of the choices
    assert not Question.objects.filter(title=QUESTION_DATA["title"]).exists()


def test_unpublished_practice_leaves_the_page_cache(client, commit):
    """Pages cached while it was live are rebuilt once it is unpublished."""
    with override_settings(PAGE_CACHE_SECONDS=300):
        published, hidden, region, theme = _twin_and_hidden("published", commit)
        commit(lambda: hidden.save_revision().publish(user=None))
        warm = list(public_responses(client, published, region, theme))
        assert all(response.status_code < 500 for _where, response in warm)
        found = text(client.get(reverse("search"), {"q": SECRET_WORD}))
        assert HIDDEN_WORDS[0] in found
        cached = client.get(reverse("search"), {"q": SECRET_WORD})
        assert cached.get("X-Page-Cache") == "hit"
        commit(hidden.unpublish)
        assert_nowhere(
            public_responses(client, published, region, theme), hidden, "cached"
        )


def test_draft_changes_to_a_live_practice_stay_unpublished(client, commit):
    """A newer draft revision of a live page shows nowhere until published."""
    published, hidden, region, theme = _twin_and_hidden("draft", commit)
    published.title = f"Concepttitel {SECRET_WORD}"
    published.summary = f"Een conceptversie over de {SECRET_WORD}."
    published.save_revision()
    commit(lambda: update_index("practice", [published.pk]))
    assert_nowhere(
        public_responses(client, published, region, theme),
        hidden,
        "draft revision",
        words=("Concepttitel", "conceptversie", *HIDDEN_WORDS),
    )


def test_ids_of_others_are_not_found_even_when_guessed(client, w):
    """Walk the ids around the owner's draft, file and notification as
    another member: each one that is not theirs is a 404, and changes nothing."""
    client.force_login(w["other"])
    own = set(Submission.objects.filter(owner=w["other"]).values_list("pk", flat=True))
    for guess in range(max(1, w["draft"].pk - 3), w["draft"].pk + 4):
        if guess in own:
            continue
        assert client.get(reverse("submissions:edit", args=[guess])).status_code == 404
        url = reverse("submissions:file", args=[guess, w["file"].pk])
        assert client.get(url).status_code == 404
    mine = set(
        Notification.objects.filter(user=w["other"]).values_list("pk", flat=True)
    )
    for guess in range(max(1, w["n_owner"].pk - 3), w["n_owner"].pk + 4):
        if guess not in mine:
            url = reverse("notifications:open", args=[guess])
            assert client.get(url).status_code == 404, guess
    assert fresh(w["n_owner"]).read_at is None
    assert fresh(w["draft"]).title == DRAFT_TITLE
