"""The maturity ladder's history: every change of a practice's level is a
Wagtail log entry (the page's history shows it) naming the old and the new
level, with the editors' reason as its comment.

One function writes it, whoever changed the level: the page editor
(practices.wagtail_hooks) and the demo loader alike.
"""

from wagtail.log_actions import LogFormatter, log

from django.utils.translation import gettext_lazy as _

from .models import PracticePage

ACTION = "practices.maturity"


def level_label(value):
    """A level's name, or "not assessed" for none."""
    if not value:
        return str(_("not assessed"))
    return str(PracticePage.MaturityLevel(value).label)


def log_level_change(page, old, user=None):
    """Log that `page`'s level went from `old` to the one it has now (with
    its reason), tied to the page's newest revision; nothing when the level
    stayed the same. Returns the log entry, or None."""
    new = page.maturity_level or ""
    old = old or ""
    if new == old:
        return None
    return log(
        instance=page,
        action=ACTION,
        user=user,
        revision=page.latest_revision,
        data={"old": old, "new": new, "reason": page.maturity_reason or ""},
    )


class LevelChanged(LogFormatter):
    label = _("Change level")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Level changed: %(old)s → %(new)s") % {
            "old": level_label(data.get("old")),
            "new": level_label(data.get("new")),
        }

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("reason", "")
