"""Create N synthetic questions with answers for benchmarks and load tests.

Members are made one by one (each gets its profile as any account does);
questions, their themes and practice links, and answers are inserted in
bulk with a seeded random generator (the same N and seed give the same
data), without signals: no notifications, no emails. Rebuild the search
index afterwards.
"""

import random

from allauth.account.models import EmailAddress
from tqdm import tqdm

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from community.models import Answer, Question
from core.sanitize import render_markdown
from practices.management.commands.generate_practices import demo_sentences
from practices.models import PracticePage, Theme

OPENINGS = [
    "Hoe organiseren jullie",
    "Wie heeft ervaring met",
    "Hoe financieren jullie",
    "Wat werkt bij",
    "Hoe betrekken jullie huisartsen bij",
    "Hoe meten jullie het effect van",
]
TOPICS = [
    "de nachtzorg in de wijk",
    "een regionaal transferpunt",
    "zorg op afstand voor ouderen",
    "anderhalvelijnszorg",
    "het delen van een regiobeeld",
    "valpreventie",
    "samenwerking met het sociaal domein",
    "een wachtlijst voor de ggz",
]
MEMBERS = 200


class Command(BaseCommand):
    help = "Maak N synthetische vragen met antwoorden (voor make bench)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument(
            "--answers", type=int, default=3, help="gemiddeld per vraag"
        )
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, count, answers, seed, no_progress, **options):
        if count < 1:
            raise CommandError("Geef een aantal van minstens 1.")
        rng = random.Random(seed)
        themes = list(Theme.objects.values_list("pk", flat=True))
        practices = list(PracticePage.objects.live().values_list("pk", flat=True))
        if not themes or not practices:
            raise CommandError("Voer eerst load_demo_data uit.")
        sentences = demo_sentences()
        members = self.members(rng)
        start = Question.objects.filter(title__startswith="[gen]").count()
        progress = tqdm(total=count, desc="Synthetische vragen", disable=no_progress)
        for offset in range(0, count, 500):
            size = min(500, count - offset)
            with transaction.atomic():
                self.batch(
                    rng,
                    start + offset,
                    size,
                    answers,
                    members,
                    themes,
                    practices,
                    sentences,
                )
            progress.update(size)
        progress.close()
        self.stdout.write(
            self.style.SUCCESS(f"{count} synthetische vragen aangemaakt.")
        )

    def members(self, rng):
        User = get_user_model()
        for number in range(
            User.objects.filter(username__startswith="gen-lid-").count(), MEMBERS
        ):
            # Nobody logs in as a benchmark member (no password); the account
            # gets its profile as every account does (accounts.signals).
            user = User.objects.create_user(
                username=f"gen-lid-{number}",
                email=f"gen-lid-{number}@example.org",
                password=None,
            )
            user.profile.display_name = f"Benchmarklid {user.pk}"
            user.profile.save(update_fields=["display_name"])
        users = list(User.objects.filter(username__startswith="gen-lid-"))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            ],
            ignore_conflicts=True,
        )
        return [user.pk for user in users]

    def batch(self, rng, start, size, answers, members, themes, practices, sentences):
        now = timezone.now()
        questions = []
        for number in range(start, start + size):
            body = " ".join(rng.sample(sentences, 3))
            asked = now - timezone.timedelta(minutes=rng.randrange(1, 60 * 24 * 700))
            questions.append(
                Question(
                    author_id=rng.choice(members),
                    title=(
                        f"[gen] {rng.choice(OPENINGS)} {rng.choice(TOPICS)}? ({number})"
                    ),
                    body=body,
                    body_html=render_markdown(body),
                    created_at=asked,
                    last_activity_at=asked,
                )
            )
        questions = Question.objects.bulk_create(questions)
        Themes = Question.themes.through
        Practices = Question.practices.through
        Themes.objects.bulk_create(
            Themes(question_id=q.pk, theme_id=theme)
            for q in questions
            for theme in rng.sample(themes, rng.randint(1, 2))
        )
        Practices.objects.bulk_create(
            Practices(question_id=q.pk, practicepage_id=practice)
            for q in questions
            if rng.random() < 0.4
            for practice in rng.sample(practices, 1)
        )
        rows = []
        for question in questions:
            for index in range(rng.randint(0, answers * 2)):
                body = " ".join(rng.sample(sentences, 2))
                rows.append(
                    Answer(
                        question=question,
                        author_id=rng.choice(members),
                        body=body,
                        body_html=render_markdown(body),
                        created_at=question.created_at
                        + timezone.timedelta(hours=index + 1),
                        helpful_count=rng.randint(0, 5),
                    )
                )
        Answer.objects.bulk_create(rows)
        for question in questions:
            count = sum(1 for row in rows if row.question_id == question.pk)
            if count:
                Question.objects.filter(pk=question.pk).update(
                    answer_count=count,
                    last_activity_at=question.created_at
                    + timezone.timedelta(hours=count),
                )
