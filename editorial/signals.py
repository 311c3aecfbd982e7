"""What the editors' tools do, for other apps to act on.

- `values_merged(sender=Theme or Organisation, source_id=..., target_id=...)`:
  a merge moved everything from the source value to the target, inside the
  merge's transaction, before the source is deleted (editorial.merge). An
  app that stores value ids where no foreign key points (such as members'
  submission drafts) rewrites them here; an error rolls the merge back.
"""

from django.dispatch import Signal

values_merged = Signal()
