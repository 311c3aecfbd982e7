"""What happens in the community, for other apps to act on.

Each signal is sent once the change has been committed (from
`transaction.on_commit`), with the saved object as keyword argument:

- `question_asked(sender=Question, question=...)`: a new visible question,
  its themes and practices already set;
- `answer_posted(sender=Answer, answer=...)`: a new answer;
- `answer_accepted(sender=Answer, answer=...)`: the asker accepted an answer;
- `post_reported(sender=Report, report=...)`: a member reported a post;
- `post_hidden(sender=Question or Answer, post=..., moderator=...,
  reporter_ids=...)`: a moderator hid a post, closing the open reports of
  these members;
- `member_suspended(sender=User, user=..., moderator=...)`: a moderator
  suspended a member (the profile says until when and why).

community.notify listens (connected in CommunityConfig.ready()) and tells
the people involved through the notifications app, which knows nothing of
the community. The actions that send them (community.services) do not know
who listens.
"""

from django.dispatch import Signal

question_asked = Signal()
answer_posted = Signal()
answer_accepted = Signal()
post_reported = Signal()
post_hidden = Signal()
member_suspended = Signal()
