"""Demo questions, answers and adoptions for `load_demo_data`.

A few fictional members (example.org addresses, verified, no usable
password) ask and answer questions about real demo practices and themes.
The texts are our own. Idempotent: a member is matched by email, a question
by its title; what exists is left alone. Posts are created directly (not
through the services): no flood control, no notifications for demo content.
"""

import datetime

from allauth.account.models import EmailAddress

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from practices.models import (
    Adoption,
    CareOfficeRegion,
    PracticePage,
    Province,
    Theme,
)
from search.service import schedule_update

from .models import Answer, HelpfulVote, Question

MEMBERS = {
    "anouk": {
        "email": "anouk.devries@example.org",
        "name": "Anouk de Vries",
        "role": "Wijkverpleegkundige",
        "organisation": "Thuiszorg Rivierenland (voorbeeld)",
        "province": "gelderland",
    },
    "mohamed": {
        "email": "m.lachgar@example.org",
        "name": "Mohamed Lachgar",
        "role": "Huisarts",
        "organisation": "Huisartsenpraktijk De Linde (voorbeeld)",
        "province": "zuid-holland",
    },
    "ingrid": {
        "email": "ingrid.bakker@example.org",
        "name": "Ingrid Bakker",
        "role": "Mantelzorger en cliëntvertegenwoordiger",
        "province": "noord-brabant",
        "lived_experience": True,
    },
    "joost": {
        "email": "joost.hendriks@example.org",
        "name": "Joost Hendriks",
        "role": "Beleidsadviseur zorg en welzijn",
        "organisation": "Gemeente Bergwijk (voorbeeld)",
        "province": "utrecht",
    },
    # A contact person of Sûnenz: shows the "initiatiefnemer" badge.
    "sjoerd": {
        "email": "s.hoekstra@example.org",
        "name": "Sjoerd Hoekstra",
        "role": "Programmamanager",
        "province": "fryslan",
    },
}

QUESTIONS = [
    {
        "author": "joost",
        "days_ago": 41,
        "title": "Hoe regelen jullie de bekostiging van een arrangeur tussen Wmo "
        "en wijkverpleging?",
        "body": "Wij willen in twee wijken werken met één persoon die voor "
        "kwetsbare ouderen de hele ondersteuning regelt, zoals in Ede en Dongen.\n\n"
        "Waar lopen wij vast: **wie betaalt de uren van de arrangeur** als die "
        "zowel Wmo-taken als wijkverpleging indiceert? Werken jullie met een "
        "gezamenlijk budget, of met een verdeelsleutel achteraf?",
        "themes": ["domeinoverstijgende-bekostiging", "ouderen-thuis"],
        "practices": ["domeinoverstijgend-werken-ede"],
        "answers": [
            {
                "author": "anouk",
                "days_ago": 39,
                "body": "Bij ons is gestart met een verdeelsleutel op basis van "
                "de eerste drie maanden registratie. Dat gaf rust: niemand hoefde "
                "vooraf te weten hoeveel tijd het zou kosten.\n\n"
                "Tip: spreek ook af wat er gebeurt als de arrangeur ziek is.",
                "helpful": ["joost", "ingrid"],
            },
            {
                "author": "mohamed",
                "days_ago": 36,
                "body": "Vergeet de huisarts niet in het mandaat. Wij merkten "
                "dat de arrangeur pas echt werkte toen de praktijkondersteuner "
                "ouderenzorg wekelijks kon overleggen.",
                "helpful": ["anouk"],
            },
        ],
        "accepted": 0,
    },
    {
        "author": "mohamed",
        "days_ago": 33,
        "title": "Werkt een meekijkconsult ook voor dermatologie op afstand?",
        "body": "Ons anderhalvelijnscentrum doet meekijkconsulten met internisten. "
        "We overwegen dermatologie toe te voegen, met foto's vanuit de praktijk.\n\n"
        "Wie heeft ervaring met de privacyafspraken en de vergoeding per consult?",
        "themes": ["anderhalvelijnszorg", "digitale-zorg-en-e-health"],
        "practices": ["anderhalvelijnscentrum-sunenz"],
        "answers": [
            {
                "author": "sjoerd",
                "days_ago": 31,
                "body": "Wij gebruiken daarvoor een beveiligde omgeving van het "
                "ziekenhuis; de huisarts uploadt de foto's en de dermatoloog "
                "reageert binnen twee werkdagen.\n\n"
                "- Toestemming van de patiënt leggen we vast in het HIS.\n"
                "- De vergoeding loopt via de afspraken met de zorgverzekeraar "
                "over anderhalvelijnszorg.",
                "helpful": ["mohamed", "anouk"],
            },
        ],
        "accepted": 0,
    },
    {
        "author": "ingrid",
        "days_ago": 27,
        "title": "Wat kan ik als mantelzorger verwachten bij een opname op een "
        "acute zorgafdeling?",
        "body": "Mijn vader (88) moest vorige maand 's avonds naar de SEH, maar "
        "hoefde niet in het ziekenhuis te blijven. Thuis ging ook niet meer.\n\n"
        "Ik las over kortdurende opnames bij een VVT-organisatie. Hoe gaat dat "
        "in de praktijk: wie beslist, en hoe lang mag iemand blijven?",
        "themes": ["acute-zorg", "ouderen-thuis"],
        "practices": ["acute-zorgafdeling-aafje", "spoedafdeling-groenhuysen"],
        "answers": [
            {
                "author": "anouk",
                "days_ago": 26,
                "body": "Meestal beslist de huisarts of de SEH-arts samen met de "
                "afdeling. De opname is kort (vaak maximaal tien tot veertien "
                "dagen); in die tijd wordt gekeken wat er thuis nodig is.\n\n"
                "Vraag bij opname meteen naar de contactpersoon voor de familie.",
                "helpful": ["ingrid"],
            },
        ],
        "accepted": 0,
    },
    {
        "author": "anouk",
        "days_ago": 20,
        "title": "Hoe krijgen jullie wijkverpleging en welzijn aan één tafel?",
        "body": "In onze wijk overleggen wijkverpleging, het sociaal team en de "
        "huisartsen ieder apart. We willen één wijkoverleg per maand, maar "
        "iedereen heeft het druk.\n\nWat maakte bij jullie het verschil?",
        "themes": ["wijkgericht-werken"],
        "practices": ["beter-samen-in-noord"],
        "answers": [
            {
                "author": "joost",
                "days_ago": 18,
                "body": "Bij ons hielp het dat de gemeente een vaste voorzitter "
                "betaalde en dat elk overleg begon met één casus. Zo zag "
                "iedereen direct wat het opleverde.",
                "helpful": ["anouk"],
            },
            {
                "author": "ingrid",
                "days_ago": 17,
                "body": "Nodig ook eens een inwoner of mantelzorger uit. Dat "
                "maakt het gesprek concreter dan je denkt.",
                "helpful": [],
            },
        ],
        "accepted": None,
    },
    {
        "author": "joost",
        "days_ago": 14,
        "title": "Welke cijfers gebruiken jullie voor een regiobeeld?",
        "body": "We beginnen aan een regiobeeld voor onze zorgkantoorregio. "
        "Welke bronnen zijn het meest bruikbaar gebleken: Vektis, CBS, "
        "GGD-monitor, of eigen data van de zorgaanbieders?",
        "themes": ["regiobeeld-en-data"],
        "practices": ["gedeeld-regiobeeld-midden-holland"],
        "answers": [],
        "accepted": None,
    },
    {
        "author": "mohamed",
        "days_ago": 9,
        "title": "Ervaringen met een regionaal transferpunt voor ELV-bedden?",
        "body": "Huisartsen bij ons bellen soms een uur rond voor een "
        "eerstelijnsverblijf. Een regionaal transferpunt lijkt de oplossing.\n\n"
        "Hoe hebben jullie de contractering met meerdere zorgverzekeraars "
        "geregeld?",
        "themes": ["transferpunt-en-ketenzorg", "ouderen-thuis"],
        "practices": ["regionaal-transferpunt-salland"],
        "answers": [
            {
                "author": "anouk",
                "days_ago": 8,
                "body": "Een meerjarig contract met twee verzekeraars gaf bij "
                "ons de ruimte om het transferpunt goed op te zetten. Belangrijk "
                "was één telefoonnummer dat ook 's avonds werkt.",
                "helpful": ["mohamed"],
            },
        ],
        "accepted": None,
    },
    {
        "author": "ingrid",
        "days_ago": 4,
        "title": "Hoe betrek je inwoners bij een gezondheidsplan voor het dorp?",
        "body": "Ik zit in de dorpsraad en we willen meedenken over een plan "
        "voor gezond ouder worden. Hoe zorgen we dat niet alleen de bekende "
        "gezichten meepraten?",
        "themes": ["burgerparticipatie", "preventie-en-leefstijl"],
        "practices": ["gezond-texel-2030"],
        "answers": [
            {
                "author": "joost",
                "days_ago": 2,
                "body": "Wij gingen langs bij de plekken waar mensen al komen: "
                "de supermarkt, de sportclub, het dorpshuis. Korte gesprekken "
                "leverden meer op dan één grote avond.",
                "helpful": ["ingrid"],
            },
        ],
        "accepted": None,
    },
]


def _member(key):
    data = MEMBERS[key]
    User = get_user_model()
    user = User.objects.filter(email__iexact=data["email"]).first()
    if user is None:
        user = User(
            username=data["email"].split("@")[0],
            email=data["email"],
            first_name=data["name"].split(" ")[0],
            last_name=data["name"].split(" ", 1)[1],
            date_joined=timezone.now() - datetime.timedelta(days=60),
        )
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=data["email"], defaults={"verified": True, "primary": True}
        )
        profile = user.profile
        profile.display_name = data["name"]
        profile.role = data.get("role", "")
        profile.organisation = data.get("organisation", "")
        profile.lived_experience = data.get("lived_experience", False)
        profile.province = Province.objects.filter(slug=data["province"]).first()
        # The demo members chose to show what the demo gives them (new
        # members' details stay private until they tick them).
        profile.show_organisation = bool(profile.organisation)
        profile.show_role = bool(profile.role)
        profile.show_lived_experience = profile.lived_experience
        profile.show_province = profile.province is not None
        profile.save()
    return user


@transaction.atomic
def load_demo_questions():
    """Create the demo questions that do not exist yet; returns how many."""
    existing = set(Question.objects.values_list("title", flat=True))
    todo = [item for item in QUESTIONS if item["title"] not in existing]
    if not todo:
        return 0
    members = {key: _member(key) for key in MEMBERS}
    themes = Theme.objects.in_bulk(field_name="slug")
    slugs = {slug for item in todo for slug in item["practices"]}
    practices = {
        page.slug: page for page in PracticePage.objects.live().filter(slug__in=slugs)
    }
    now = timezone.now()
    created = []
    for item in todo:
        asked = now - datetime.timedelta(days=item["days_ago"])
        question = Question.objects.create(
            author=members[item["author"]],
            title=item["title"],
            body=item["body"],
            created_at=asked,
            last_activity_at=asked,
        )
        question.themes.set([themes[s] for s in item["themes"] if s in themes])
        question.practices.set(
            [practices[s] for s in item["practices"] if s in practices]
        )
        answers = []
        for data in item["answers"]:
            answer = Answer.objects.create(
                question=question,
                author=members[data["author"]],
                body=data["body"],
                created_at=now - datetime.timedelta(days=data["days_ago"]),
                helpful_count=len(data["helpful"]),
            )
            HelpfulVote.objects.bulk_create(
                HelpfulVote(answer=answer, user=members[key]) for key in data["helpful"]
            )
            answers.append(answer)
        if answers:
            question.last_activity_at = max(a.created_at for a in answers)
        if item["accepted"] is not None:
            question.accepted_answer = answers[item["accepted"]]
        question.answer_count = len(answers)
        question.save(
            update_fields=["last_activity_at", "accepted_answer", "answer_count"]
        )
        created.append(question.pk)
    schedule_update("question", created)
    return len(created)


# Adoptions: where demo practices were taken up. Real practices are taken up
# by fictional organisations only, marked "(voorbeeld)". A pending one shows
# the editors' queue in the admin.
ADOPTIONS = [
    {
        "member": "joost",
        "practice": "domeinoverstijgend-werken-ede",
        "organisation": "Gemeente Bergwijk (voorbeeld)",
        "region": "utrecht",
        "status": "bezig",
        "note": "Twee wijken werken sinds dit voorjaar met één arrangeur voor "
        "Wmo en wijkverpleging; het budget delen we met een verdeelsleutel.",
        "confirmed": True,
    },
    {
        "member": "anouk",
        "practice": "domeinoverstijgend-werken-ede",
        "organisation": "Thuiszorg Rivierenland (voorbeeld)",
        "region": "nijmegen",
        "status": "orienterend",
        "note": "We verkennen met de gemeente of een arrangeur in de dorpskernen past.",
        "confirmed": True,
    },
    {
        "member": "mohamed",
        "practice": "anderhalvelijnscentrum-sunenz",
        "organisation": "Huisartsenpraktijk De Linde (voorbeeld)",
        "region": "haaglanden",
        "status": "ingevoerd",
        "note": "Meekijkconsulten interne geneeskunde en dermatologie, "
        "met het ziekenhuis in de regio.",
        "confirmed": True,
    },
    {
        "member": "anouk",
        "practice": "acute-zorgafdeling-aafje",
        "organisation": "Thuiszorg Rivierenland (voorbeeld)",
        "region": "arnhem",
        "status": "bezig",
        "note": "Zes bedden voor kortdurende opname, dag en nacht bereikbaar "
        "voor de huisartsenpost.",
        "confirmed": True,
    },
    {
        "member": "joost",
        "practice": "regionaal-transferpunt-salland",
        "organisation": "Gemeente Bergwijk (voorbeeld)",
        "region": "utrecht",
        "status": "gestopt",
        "note": "Na een jaar gestopt: de zorgverzekeraars contracteerden het "
        "transferpunt niet verder.",
        "confirmed": True,
    },
    {
        "member": "ingrid",
        "practice": "havenue-rotterdam",
        "organisation": "Cliëntenraad Maasland (voorbeeld)",
        "region": "zuidoost-brabant",
        "status": "orienterend",
        "note": "Wij willen dat ouderen en mantelzorgers meedenken over één plan.",
        "confirmed": False,
    },
    # The demo's "goede praktijk" levels (fixtures/demo/maturity.json) rest on
    # being taken up elsewhere, as the criteria on /niveaus/ say.
    {
        "member": "mohamed",
        "practice": "demo-x-leefstijlloket-haarlem",
        "organisation": "Gezondheidscentrum Duinstreek (voorbeeld)",
        "region": "zuid-holland-noord",
        "status": "ingevoerd",
        "note": "Sinds vorig jaar een leefstijlloket in het gezondheidscentrum, "
        "met dezelfde intake en verwijsroutes.",
        "confirmed": True,
    },
    {
        "member": "joost",
        "practice": "demo-w-ggz-consult-huisartsenpost-zaanstreek-noord",
        "organisation": "Gemeente Bergwijk (voorbeeld)",
        "region": "utrecht",
        "status": "bezig",
        "note": "De huisartsenpost en de ggz-crisisdienst proberen het consult "
        "in de avonduren uit.",
        "confirmed": True,
    },
    {
        "member": "anouk",
        "practice": "demo-z-positieve-gezondheid-tilburg-noord",
        "organisation": "Thuiszorg Rivierenland (voorbeeld)",
        "region": "nijmegen",
        "status": "ingevoerd",
        "note": "Onze wijkteams voeren het gesprek over positieve gezondheid "
        "bij elke nieuwe cliënt.",
        "confirmed": True,
    },
]
# Demo practices that grew from another one: (practice, based on).
BASED_ON = [
    ("demo-z-anderhalvelijnscentrum-helmond", "anderhalvelijnscentrum-sunenz"),
]


def load_demo_adoptions():
    """Create the demo adoptions that do not exist yet (matched by practice,
    member and organisation) and the "gebaseerd op" links; returns how many
    adoptions were added. Confirmed ones count in search at once."""
    slugs = {item["practice"] for item in ADOPTIONS} | {
        slug for pair in BASED_ON for slug in pair
    }
    practices = {
        page.slug: page for page in PracticePage.objects.live().filter(slug__in=slugs)
    }
    regions = CareOfficeRegion.objects.in_bulk(field_name="slug")
    now = timezone.now()
    created, touched = 0, set()
    for item in ADOPTIONS:
        practice = practices.get(item["practice"])
        if practice is None:
            continue
        member = _member(item["member"])
        adoption, new = Adoption.objects.get_or_create(
            practice=practice,
            member=member,
            organisation=item["organisation"],
            defaults={
                "region": regions[item["region"]],
                "status": item["status"],
                "note": item["note"],
                "review": (
                    Adoption.Review.CONFIRMED
                    if item["confirmed"]
                    else Adoption.Review.PENDING
                ),
                "reviewed_at": now if item["confirmed"] else None,
            },
        )
        created += new
        if new and item["confirmed"]:
            touched.add(practice.pk)
    for slug, source in BASED_ON:
        page, origin = practices.get(slug), practices.get(source)
        if page is None or origin is None or page.based_on_id:
            continue
        page.based_on = origin
        page.save_revision().publish()
        touched.add(origin.pk)
    schedule_update("practice", touched)
    return created
