"""Dutch text analysis, defined once for every search backend.

The pipeline mirrors an Elasticsearch custom analyzer step by step, so the
Elasticsearch backend can export these exact rules to its index settings:

    char filter   CHAR_REPLACEMENTS ("regio's" -> "regios")
    tokenizer     letters and digits (ES: standard)
    lowercase     (ES: lowercase)
    fold          diacritics removed, "coöperatie" -> "cooperatie" (ES: asciifolding)
    stop          STOPWORDS (ES: stop)
    override      STEM_OVERRIDES, exact words whose stem Porter gets wrong
                  (ES: stemmer_override)
    stem          Snowball Dutch, the original Porter-based algorithm that
                  Elasticsearch's `dutch` stemmer uses (snowballstemmer's
                  "dutch_porter")
    decompound    a compound's term is followed by its parts' terms
                  (search.compounds; ES: dictionary_decompounder, which puts
                  them at the compound's position)

The index holds every term `analyze` gives, in order. A query is analysed
word by word (`analyze_with_spans`) and search.synonyms.parse asks for a
compound's parts (`compound_parts`), each on its own.
"""

import functools
import re
import unicodedata

import snowballstemmer

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import compounds

CHAR_REPLACEMENTS = {"'s": "s", "’s": "s"}

# Common Dutch function words: they carry no meaning for search, and dropping
# them keeps "every word must match" from failing on words like "de" or "voor".
STOPWORDS = frozenset(
    """
    aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch
    doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het
    hier hij hoe hun iemand iets ik in is ja je kan kon kunnen maar me meer men met
    mij mijn moet na naar niet niets nog nu of om omdat onder ons ook op over reeds
    te tegen toch toen tot u uit uw van veel voor want waren was wat werd wezen wie
    wil worden wordt zal ze zelf zich zij zijn zo zonder zou
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# Domain words where Porter's Dutch stemmer leaves singular and plural apart
# ("ziekenhuizen" -> "ziekenhuiz", "huisarts" -> "huisart", "organisaties" is
# left as it is). Each pair maps both forms to the singular.
_WORD_FORMS = [
    ("ziekenhuis", "ziekenhuizen"),
    ("verpleeghuis", "verpleeghuizen"),
    ("zorghuis", "zorghuizen"),
    ("huis", "huizen"),
    ("arts", "artsen"),
    ("huisarts", "huisartsen"),
    ("organisatie", "organisaties"),
    ("zorgorganisatie", "zorgorganisaties"),
    ("welzijnsorganisatie", "welzijnsorganisaties"),
    ("cooperatie", "cooperaties"),
    ("huisartsencooperatie", "huisartsencooperaties"),
    ("situatie", "situaties"),
    ("innovatie", "innovaties"),
    ("consultatie", "consultaties"),
    ("populatie", "populaties"),
    ("locatie", "locaties"),
    ("indicatie", "indicaties"),
    ("evaluatie", "evaluaties"),
    ("interventie", "interventies"),
    ("opname", "opnames"),
    ("ambulance", "ambulances"),
    ("regio", "regios"),
    ("collega", "collegas"),
    ("centrum", "centra"),
    ("gezondheidscentrum", "gezondheidscentra"),
    ("module", "modules"),
    ("coach", "coaches"),  # English plural, also ending compounds
]
STEM_OVERRIDES = {
    form: singular for singular, plural in _WORD_FORMS for form in (singular, plural)
}

_TOKEN = re.compile(r"[^\W_]+")
# A word as typed, with the "'s" that CHAR_REPLACEMENTS joins to it.
_WORD = re.compile(r"[^\W_]+(?:['’]s[^\W_]*)*")
_SPACE = re.compile(r"\s+")
_stemmer = snowballstemmer.stemmer("dutch_porter")


def fold(text):
    """Lowercase and strip diacritics: "Sûnenz" -> "sunenz"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _replace_chars(text):
    for old, new in CHAR_REPLACEMENTS.items():
        text = text.replace(old, new)
    return text


@functools.lru_cache(maxsize=50_000)
def analyze_word(word):
    """The index term for one token, or "" for a stopword (or for a sign
    that folds to nothing but a space)."""
    folded = _folded(word)
    if folded in STOPWORDS:
        return ""
    if folded in STEM_OVERRIDES:
        return STEM_OVERRIDES[folded]
    return _stemmer.stemWord(folded)


def _folded(word):
    return "".join(fold(word).split())


def folded_words(text):
    """The tokens of `text`, folded, stopwords included: words as the word
    list of search.compounds holds them."""
    return [_folded(token) for token in _TOKEN.findall(_replace_chars(text or ""))]


def decompounder():
    """The compound splitter of the committed word list (search.compounds),
    with this module's terms."""
    return compounds.splitter(analyze_word)


def _split(folded):
    return decompounder().split(folded)


@functools.lru_cache(maxsize=50_000)
def word_terms(token):
    """The terms the index holds for one token, in order: its own term, and
    for a compound the terms of its parts, each followed by the terms of its
    own parts ("wijkteammedewerkers": wijkteammedewerker, wijkteam, wijk,
    team, medewerker). Empty for a stopword."""
    term = analyze_word(token)
    if not term:
        return ()
    terms = [term]
    pending = list(reversed(_split(_folded(token))))
    while pending:
        part = pending.pop()
        terms.append(analyze_word(part))
        pending.extend(reversed(_split(part)))
    return tuple(dict.fromkeys(terms))


def analyze(text):
    """The terms of a text as the index holds them, in order (stopwords
    dropped, a compound's parts after it)."""
    return [
        term
        for token in _TOKEN.findall(_replace_chars(text or ""))
        for term in word_terms(token)
    ]


def query_terms(text):
    """Distinct terms of a query, in the order typed."""
    return list(dict.fromkeys(analyze(text)))


def phrase_terms(text):
    """The terms a run of words is found by: one word by its own term (the
    index holds a compound's parts under it), several by every term the
    index holds for them, in its order, so the run matches wherever it is
    written, compounds and all."""
    words = [
        term
        for term in map(analyze_word, _TOKEN.findall(_replace_chars(text or "")))
        if term
    ]
    return tuple(words) if len(words) < 2 else tuple(analyze(text))


@functools.lru_cache(maxsize=50_000)
def compound_parts(word):
    """((term, part as written), ...) for a word typed that is a compound
    (the first level of its split: "thuiszorgorganisaties" is thuiszorg and
    organisaties), or () for any other word."""
    tokens = _TOKEN.findall(_replace_chars(word))
    if len(tokens) != 1:
        return ()
    parts = ((analyze_word(part), part) for part in _split(_folded(tokens[0])))
    return tuple((term, part) for term, part in parts if term)


def analyze_with_spans(text):
    """(term, start, end) for each term of `text`, stopwords dropped; start
    and end are where its word stands in `text`, so a run of terms can be
    shown (or sent to another engine) as the words typed."""
    text = text or ""
    found = []
    for word in _WORD.finditer(text):
        for token in _TOKEN.findall(_replace_chars(word.group())):
            term = analyze_word(token)
            if term:
                found.append((term, word.start(), word.end()))
    return found


def highlight(text, terms, max_words=40):
    """An HTML snippet of `text` around the first matched term.

    `terms` holds analysed terms, and phrases as tuples of them (a synonym
    such as ("spoedeis", "hulp")), which match only as a run of terms. The
    text is read as the index holds it (word_terms): stopwords skipped, a
    compound followed by its parts, so a compound is marked when its parts
    were asked for, and a phrase matches where the index would match it.
    Matched words are wrapped in <mark>; everything else is escaped, each
    run of whitespace shown as one space. Without a match the snippet is the
    start of the text.

    The words are read only as far as needed: up to the first match and
    through the snippet, so a long story costs little more than a short one
    (a page of results asks this of every hit's whole text).
    """
    text = (text or "").strip()
    if not text:
        return ""
    single = {term for term in terms if isinstance(term, str)}
    single |= {
        term[0] for term in terms if not isinstance(term, str) and len(term) == 1
    }
    phrases = {}
    for term in terms:
        if not isinstance(term, str) and len(term) > 1:
            phrases.setdefault(term[0], []).append(term)
    starts = single | phrases.keys()
    words = _TOKEN.finditer(text)
    tokens = []  # the words read so far

    def word(number):
        """The word at `number`, reading on as far as it; None past the end."""
        while len(tokens) <= number:
            token = next(words, None)
            if token is None:
                return None
            tokens.append(token)
        return tokens[number]

    def read_terms():
        number = 0
        while (token := word(number)) is not None:
            for term in word_terms(token.group()):
                yield term, number
            number += 1

    # (term, word number) as the index holds them.
    stream = []
    read = read_terms()

    def has(position):
        while len(stream) <= position:
            entry = next(read, None)
            if entry is None:
                return False
            stream.append(entry)
        return True

    def match_at(position):
        """The stream positions a match starting at `position` covers."""
        term = stream[position][0]
        longest = 1 if term in single else 0
        for phrase in phrases.get(term, ()):
            if len(phrase) > longest and all(
                has(position + offset) and stream[position + offset][0] == wanted
                for offset, wanted in enumerate(phrase[1:], start=1)
            ):
                longest = len(phrase)
        return range(position, position + longest)

    found = None
    position = 0
    while starts:
        if position == len(stream):  # not read yet (a phrase reads ahead)
            entry = next(read, None)
            if entry is None:
                break
            stream.append(entry)
        if stream[position][0] in starts and match_at(position):
            found = position
            break
        position += 1
    first = stream[found][1] if found is not None else 0
    start_token = max(0, first - max_words // 4)
    word(start_token + max_words)  # whether a word follows the snippet
    end_token = min(len(tokens), start_token + max_words)
    start = tokens[start_token].start() if start_token else 0
    end = tokens[end_token - 1].end() if end_token < len(tokens) else len(text)
    marks = set()
    if found is not None:
        position = found
        while has(position) and stream[position][1] < end_token:
            covered = match_at(position)
            marks.update(stream[p][1] for p in covered if stream[p][1] < end_token)
            position = covered[-1] + 1 if covered else position + 1

    def shown(part):
        return escape(_SPACE.sub(" ", part))

    parts, position = [], start
    for i in sorted(marks):
        token = tokens[i]
        parts.append(shown(text[position : token.start()]))
        parts.append(f"<mark>{escape(token.group())}</mark>")
        position = token.end()
    parts.append(shown(text[position:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # every part is escaped
