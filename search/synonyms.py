"""Synonyms and abbreviations, applied to the query when it is asked.

The redactie keeps them in the "Synoniemen" snippet (search.models.Synonym).
Both sides go through the same analysis as the index (search.analysis), so
"ziekenhuizen" in a rule meets "ziekenhuis" typed, and a rule never needs the
index rebuilt: it widens what a query asks for, on every backend.

A query becomes a list of clauses, one per word typed (per part of a
compound word, search.compounds), or per run of words that is a synonym
itself ("spoedeisende hulp"): each clause is a list of alternatives, and an
alternative is a tuple of analysed terms (a phrase when there are several).
"ELV thuis" with the rule ELV → eerstelijnsverblijf is

    [[("elv",), ("eerstelijnsverblijf",)], [("thuis",)]]

The list is kept in the cache under the version SYNONYMS (core.cache), which
saving or deleting a rule bumps once its transaction commits
(search.signals), so an editor's change applies to the next search.
"""

from dataclasses import dataclass, field

from core.cache import Latest, changing, depends_on, remembered

from .analysis import analyze_with_spans, compound_parts, phrase_terms
from .models import Synonym, split_terms

SYNONYMS = "search-synonyms"


@dataclass
class Table:
    """What each analysed term or phrase may also be, with how it was written."""

    alternatives: dict[tuple, list[tuple]] = field(default_factory=dict)
    written: dict[tuple, str] = field(default_factory=dict)
    longest: int = 1

    def add(self, source, targets):
        """`source` (text) also finds each of `targets` (texts). The key is
        the source's terms word by word, as a query is parsed; the
        alternatives are phrases as the index holds them (phrase_terms)."""
        key = tuple(term for term, _start, _end in analyze_with_spans(source))
        if not key:
            return
        found = self.alternatives.setdefault(key, [self._phrase(source)])
        for target in targets:
            phrase = self._phrase(target)
            if phrase and phrase not in found:
                found.append(phrase)
        self.longest = max(self.longest, len(key))

    def _phrase(self, text):
        phrase = phrase_terms(text)
        if phrase:
            self.written.setdefault(phrase, " ".join(text.split()))
        return phrase


def build(rules):
    """A Table from (abbreviation, terms) pairs, as Synonym rows hold them:
    an empty abbreviation makes the terms one group, each finding every
    other; otherwise the abbreviation finds the terms, one way."""
    table = Table()
    for abbreviation, terms in rules:
        if abbreviation:
            for source in split_terms(abbreviation):  # "SO, SOG" is two
                table.add(source, terms)
        else:
            for term in terms:
                table.add(term, terms)
    return table


def rules():
    """(abbreviation, terms) for every Synonym row."""
    return [
        (row.abbreviation.strip(), row.term_list()) for row in Synonym.objects.all()
    ]


def table():
    """The current Table, while no rule changed: kept in this process (it is
    asked for by every search) and, for the others, remembered in the shared
    cache (core.cache.remembered). The page being built depends on it (a
    cached search page shows what the rules made of its query)."""
    version = depends_on(SYNONYMS)
    if changing(SYNONYMS):  # an open transaction changed a rule: not kept
        return build(rules())
    return _in_process.get(
        version, lambda: remembered(SYNONYMS, lambda: build(rules()))
    )


_in_process = Latest()


@dataclass
class ParsedText:
    """What a query's text asks for (see the module docstring)."""

    clauses: list[list[tuple[str, ...]]]
    # How each alternative reads as words: as typed, or as the rule has it.
    written: dict[tuple[str, ...], str]
    # The word (or run of words a rule takes as one) each clause comes from,
    # numbered from 0, and each such word as typed: a compound asks for
    # each of its parts, but it is still one word of the query.
    words: list[int] = field(default_factory=list)
    word_texts: list[str] = field(default_factory=list)

    @property
    def terms(self):
        """Every analysed term of every alternative, once, in order: what a
        highlight marks."""
        return list(
            dict.fromkeys(
                term for clause in self.clauses for phrase in clause for term in phrase
            )
        )

    @property
    def phrases(self):
        """Every alternative once, in order (single terms as 1-tuples)."""
        return list(
            dict.fromkeys(phrase for clause in self.clauses for phrase in clause)
        )


def parse(text, synonyms=None):
    """The clauses of `text` (ParsedText). At each word the longest run of
    words that is a rule's source makes one clause with the rule's
    alternatives; any other word is a clause of its own, and a compound
    one clause per part (each part with its own rule's alternatives). A
    clause typed twice counts once."""
    spans = analyze_with_spans(text)
    if not spans:
        return ParsedText([], {})
    if synonyms is None:
        synonyms = table()
    clauses, written, seen, words, word_texts = [], {}, set(), [], []
    i = 0
    while i < len(spans):
        size = min(synonyms.longest, len(spans) - i)
        while size > 1:
            if (
                tuple(term for term, _s, _e in spans[i : i + size])
                in synonyms.alternatives
            ):
                break
            size -= 1
        run = tuple(term for term, _s, _e in spans[i : i + size])
        word = text[spans[i][1] : spans[i + size - 1][2]]
        added = False
        for key, as_typed in _words(run, word, synonyms):
            alternatives = synonyms.alternatives.get(key, [key])
            written.setdefault(key, as_typed)
            for phrase in alternatives:
                written.setdefault(
                    phrase, synonyms.written.get(phrase, " ".join(phrase))
                )
            if frozenset(alternatives) not in seen:
                seen.add(frozenset(alternatives))
                clauses.append(list(alternatives))
                words.append(len(word_texts))
                added = True
        if added:
            word_texts.append(word)
        i += size
    return ParsedText(clauses, written, words, word_texts)


def _words(key, typed, synonyms):
    """(key, as typed) for each clause a run of words makes: itself when it
    is a rule's source or no compound, else one per part of the compound
    (search.compounds), so "dementiezorg" asks for dementie and zorg, which
    the index holds for "dementiezorg" and for "zorg bij dementie" alike."""
    if key not in synonyms.alternatives:
        parts = compound_parts(typed)
        if parts:
            return [((term,), part) for term, part in parts]
    return [(key, typed)]


def solr_rules(rules_):
    """The rules in the Solr format Elasticsearch's synonym_graph reads:
    "a, b" for a group, "elv => elv, eerstelijnsverblijf" one way (keeping
    the abbreviation itself). Words only: punctuation would be syntax."""

    def words(text):
        return " ".join(text[start:end] for _term, start, end in _dedupe_spans(text))

    lines = []
    for abbreviation, terms in rules_:
        targets = [w for w in dict.fromkeys(words(t) for t in terms) if w]
        if abbreviation:
            sources = [
                w for w in dict.fromkeys(map(words, split_terms(abbreviation))) if w
            ]
            if sources and targets:
                outputs = ", ".join(dict.fromkeys([*sources, *targets]))
                lines.append(f"{', '.join(sources)} => {outputs}")
        elif len(targets) > 1:
            lines.append(", ".join(targets))
    return lines


def _dedupe_spans(text):
    """Spans of the words of `text` that are not stopwords, one per word."""
    seen, found = set(), []
    for term, start, end in analyze_with_spans(text):
        if (start, end) not in seen:
            seen.add((start, end))
            found.append((term, start, end))
    return found
