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
"""

import functools
import re
import unicodedata

import snowballstemmer

from django.utils.html import escape
from django.utils.safestring import mark_safe

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
]
STEM_OVERRIDES = {
    form: singular for singular, plural in _WORD_FORMS for form in (singular, plural)
}

_TOKEN = re.compile(r"[^\W_]+")
# A word as typed, with the "'s" that CHAR_REPLACEMENTS joins to it.
_WORD = re.compile(r"[^\W_]+(?:['’]s[^\W_]*)*")
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
    folded = "".join(fold(word).split())
    if folded in STOPWORDS:
        return ""
    if folded in STEM_OVERRIDES:
        return STEM_OVERRIDES[folded]
    return _stemmer.stemWord(folded)


def analyze(text):
    """The terms of a text, in order (stopwords dropped)."""
    terms = (
        analyze_word(token) for token in _TOKEN.findall(_replace_chars(text or ""))
    )
    return [term for term in terms if term]


def query_terms(text):
    """Distinct terms of a query, in the order typed."""
    return list(dict.fromkeys(analyze(text)))


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
    such as ("spoedeis", "hulp")), which match only as a run of words
    (stopwords between them are skipped, as in the index). Matched words are
    wrapped in <mark>; everything else is escaped. Without a match the
    snippet is the start of the text.
    """
    text = " ".join((text or "").split())
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
    tokens = list(_TOKEN.finditer(text))
    analysed = {}

    def term_at(i):
        if i not in analysed:
            analysed[i] = analyze_word(tokens[i].group())
        return analysed[i]

    def match_at(i):
        """The positions of the words a match starting at word i covers."""
        term = term_at(i)
        if not term:
            return []
        longest = []
        for phrase in phrases.get(term, ()):
            covered, j = [i], i + 1
            for wanted in phrase[1:]:
                while j < len(tokens) and j - i < 3 * len(phrase) and not term_at(j):
                    j += 1
                if j >= len(tokens) or term_at(j) != wanted:
                    break
                covered.append(j)
                j += 1
            else:
                if len(covered) > len(longest):
                    longest = covered
        if longest:
            return longest
        return [i] if term in single else []

    # Only the words up to the first match and those in the snippet are
    # analysed: a long story costs no more than a short one.
    first = None
    if single or phrases:
        first = next((i for i in range(len(tokens)) if match_at(i)), None)
    start_token = max(0, (first or 0) - max_words // 4)
    end_token = min(len(tokens), start_token + max_words)
    start = tokens[start_token].start() if start_token else 0
    end = tokens[end_token - 1].end() if end_token < len(tokens) else len(text)
    marks = set()
    if first is not None:
        i = first
        while i < end_token:
            covered = match_at(i)
            marks.update(j for j in covered if j < end_token)
            i = covered[-1] + 1 if covered else i + 1
    parts, position = [], start
    for i in sorted(marks):
        token = tokens[i]
        parts.append(escape(text[position : token.start()]))
        parts.append(f"<mark>{escape(token.group())}</mark>")
        position = token.end()
    parts.append(escape(text[position:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # every part is escaped
