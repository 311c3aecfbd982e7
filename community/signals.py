"""What happens in the community, for other apps to act on.

Each signal is sent once the change has been committed (from
`transaction.on_commit`), with the saved object as keyword argument:

- `question_asked(sender=Question, question=...)`: a new visible question,
  its themes and practices already set;
- `answer_posted(sender=Answer, answer=...)`: a new answer;
- `answer_accepted(sender=Answer, answer=...)`: the asker accepted an answer.

The notifications app listens; the community app does not know who does.
"""

from django.dispatch import Signal

question_asked = Signal()
answer_posted = Signal()
answer_accepted = Signal()
