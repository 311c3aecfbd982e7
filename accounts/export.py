"""Everything the site stores about one member, as one JSON document.

This is the member's right of access (AVG/GDPR art. 15 and 20): only rows
that belong to them, never another member's email address or profile.
"""

from allauth.account.models import EmailAddress

from django.utils import timezone

from community.models import Answer, ContactMessage, HelpfulVote, Question, Report
from notifications.models import Follow, Notification, SavedSearch
from practices.models import Adoption
from submissions.models import Submission
from submissions.services import data_for_member


def _profile(profile):
    return {
        "display_name": profile.display_name,
        "organisation": profile.organisation,
        "role": profile.role,
        "province": profile.province.name if profile.province else None,
        "expert_by_experience": profile.lived_experience,
        "bio": profile.bio,
        "avatar": profile.avatar.url if profile.avatar else None,
        "show_organisation": profile.show_organisation,
        "show_role": profile.show_role,
        "show_province": profile.show_province,
        "show_bio": profile.show_bio,
        "show_avatar": profile.show_avatar,
        "show_expert_by_experience": profile.show_lived_experience,
        "email_frequency": profile.email_frequency,
        "member_since": profile.created_at,
        "suspended_until": profile.suspended_until,
        "suspension_reason": profile.suspension_reason,
    }


def _follow_target(follow):
    for kind in ("practice", "question", "theme", "province"):
        target = getattr(follow, kind)
        if target is not None:
            name = target.title if kind in ("practice", "question") else target.name
            return kind, target.pk, name
    return None, None, None


def export_member_data(user):
    """A JSON-serialisable dict (DjangoJSONEncoder) of the member's own data."""
    profile = user.profile
    follows = []
    for follow in (
        Follow.objects.filter(user=user)
        .select_related("practice", "question", "theme", "province")
        .order_by("created_at", "pk")
    ):
        kind, pk, name = _follow_target(follow)
        follows.append(
            {"type": kind, "id": pk, "name": name, "since": follow.created_at}
        )
    return {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "profile": _profile(profile),
        "questions": [
            {
                "id": q.pk,
                "title": q.title,
                "text": q.body,
                "themes": [t.name for t in q.themes.all()],
                "posted_at": q.created_at,
                "edited_at": q.edited_at,
                "hidden_by_editors": q.is_hidden,
            }
            for q in Question.objects.filter(author=user)
            .prefetch_related("themes")
            .order_by("created_at", "pk")
        ],
        "answers": [
            {
                "id": a.pk,
                "question_id": a.question_id,
                "question": a.question.title,
                "text": a.body,
                "posted_at": a.created_at,
                "edited_at": a.edited_at,
                "marked_helpful": a.helpful_count,
                "hidden_by_editors": a.is_hidden,
            }
            for a in Answer.objects.filter(author=user)
            .select_related("question")
            .order_by("created_at", "pk")
        ],
        "helpful_votes": [
            {"answer_id": v.answer_id, "at": v.created_at}
            for v in HelpfulVote.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "reports": [
            {
                "question_id": r.question_id,
                "answer_id": r.answer_id,
                "reason": r.reason,
                "explanation": r.explanation,
                "reported_at": r.created_at,
                "status": r.status,
            }
            for r in Report.objects.filter(reporter=user).order_by("created_at", "pk")
        ],
        "follows": follows,
        "saved_searches": [
            {"name": saved.name, "search": saved.query, "since": saved.created_at}
            for saved in SavedSearch.objects.filter(user=user).order_by(
                "created_at", "pk"
            )
        ],
        "notifications": [
            {
                "event": n.event,
                "message": n.message,
                "url": n.url,
                "created_at": n.created_at,
                "read_at": n.read_at,
                "emailed_at": n.emailed_at,
            }
            for n in Notification.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "contact_messages": [
            {
                "practice": m.practice.title if m.practice else None,
                "contact_person": m.contact_name,
                "subject": m.subject,
                "message": m.message,
                "sent_at": m.created_at,
            }
            for m in ContactMessage.objects.filter(sender=user)
            .select_related("practice")
            .order_by("created_at", "pk")
        ],
        # "Wij zijn hier ook mee aan de slag": what the member recorded.
        "adoptions": [
            {
                "practice": a.practice.title,
                "organisation": a.organisation,
                "care_office_region": a.region.name,
                "status": a.status,
                "note": a.note,
                "url": a.url,
                "review": a.review,
                "created_at": a.created_at,
                "updated_at": a.updated_at,
            }
            for a in Adoption.objects.filter(member=user)
            .select_related("practice", "region")
            .order_by("created_at", "pk")
        ],
        # What the member typed into "Deel jouw initiatief", drafts included.
        "submissions": [
            {
                "title": s.title,
                "status": s.status,
                "practice_id": s.page_id,
                "data": data_for_member(s),
                "files": [f.original_name for f in s.files.all()],
                "created_at": s.created_at,
                "updated_at": s.updated_at,
                "submitted_at": s.submitted_at,
            }
            for s in Submission.objects.filter(owner=user)
            .prefetch_related("files")
            .order_by("created_at", "pk")
        ],
    }
