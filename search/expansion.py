"""Typos and prefixes: a query widened with the words the index holds.

After the synonyms (search.synonyms), two more kinds of alternative join a
query's clauses, looked up in the index's vocabulary (every indexed term
with the number of documents holding it, search.backends.vocabulary):

- a word the index does not know ("dementei") also finds the indexed terms
  within a few edits of it ("dementie"): none for words under 5 letters, one
  up to 8, two beyond, as Elasticsearch's fuzziness "AUTO:5,9" counts. A
  transposed pair of letters is one edit, as in Elasticsearch. A word the
  index knows, a synonym and a number are never fuzzed: a correction is for
  a query that would otherwise find nothing, not a second guess.
- the last word, while it is being typed ("thuisz"), also finds the indexed
  terms that start with it ("thuiszorg"), from 3 letters on: when the text
  does not end with a space and the index does not know the word as it is
  (a word it knows is taken as finished: "noord" completed to "noordelijk"
  and "noordoost" pushed what "noord" itself finds down the list, and
  "ziekenhuis" would have found more than "ziekenhuizen"). A last word that
  starts indexed terms is unfinished, not misspelt: it is not corrected.

Both are alternatives of the word's own clause, so they rank and highlight
like any other word, and a backend that does them itself (Elasticsearch)
can tell them apart (Expanded.corrected, Expanded.completed). The best
correction of each word makes the "did you mean" text (suggestion).
"""

import bisect
import heapq
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .analysis import analyze_with_spans, fold
from .synonyms import ParsedText

# How many corrections a misspelt word, and how many completions the last
# word, may add: enough for the likely ones, few enough to keep the query
# as cheap as one of a few words.
CORRECTIONS_LIMIT = 5
COMPLETIONS_LIMIT = 8
PREFIX_MIN_LETTERS = 3


def edits_allowed(word):
    """How many edits a word of this many letters may be off by."""
    letters = len(word)
    if letters < 5:
        return 0
    return 1 if letters <= 8 else 2


class Vocabulary:
    """Indexed terms with the number of documents holding each, arranged
    for the two lookups: by length (a term within n edits is at most n
    letters longer or shorter) and in order (a prefix is a range)."""

    def __init__(self, frequencies):
        self.frequency = dict(frequencies)
        self.ordered = sorted(self.frequency)
        self.by_length = {}
        for term in self.ordered:
            self.by_length.setdefault(len(term), []).append(term)

    def __contains__(self, term):
        return term in self.frequency

    def near(self, term, edits, limit=CORRECTIONS_LIMIT):
        """Up to `limit` terms within `edits` of `term` (not itself), the
        closest first, then the most frequent."""
        found = []
        for length in range(len(term) - edits, len(term) + edits + 1):
            candidates = self.by_length.get(length)
            if candidates:
                found += process.extract(
                    term,
                    candidates,
                    scorer=OSA.distance,
                    score_cutoff=edits,
                    limit=None,
                )
        ranked = sorted(
            (distance, -self.frequency[match], match)
            for match, distance, _index in found
            if match != term
        )
        return [match for _distance, _frequency, match in ranked[:limit]]

    def starting_with(self, prefix, limit=COMPLETIONS_LIMIT):
        """Up to `limit` terms that start with `prefix`, the most frequent
        first."""
        start = bisect.bisect_left(self.ordered, prefix)
        end = bisect.bisect_left(self.ordered, prefix + "\U0010ffff", lo=start)
        return heapq.nsmallest(
            limit,
            self.ordered[start:end],
            key=lambda term: (-self.frequency[term], term),
        )


@dataclass
class Expanded(ParsedText):
    """ParsedText with corrections and completions among the alternatives."""

    # Clause index -> the alternatives added to it (best first).
    added: dict[int, list[tuple[str, ...]]] = field(default_factory=dict)
    # The indexes of the clauses of words the index does not know, which
    # gained corrections.
    corrected: set[int] = field(default_factory=set)
    # Clause index -> the folded last word, whose clause gained completions.
    completed: dict[int, str] = field(default_factory=dict)

    def typed(self, index):
        """The alternatives of a clause as the text and synonyms make them,
        without corrections and completions."""
        added = self.added.get(index, ())
        return [phrase for phrase in self.clauses[index] if phrase not in added]


def expand(parsed, text, vocabulary, *, prefix):
    """`parsed` (the clauses of `text`) with corrections for the words
    `vocabulary` does not know and, when `prefix`, completions of the last
    word. Without a vocabulary (a backend that keeps none) nothing is
    added."""
    expanded = Expanded(
        [list(clause) for clause in parsed.clauses],
        dict(parsed.written),
        words=list(parsed.words),
        word_texts=list(parsed.word_texts),
    )
    if vocabulary is None or not parsed.clauses:
        return expanded
    spans = {term: (start, end) for term, start, end in analyze_with_spans(text)}
    if prefix:
        _complete_last_word(expanded, text, spans, vocabulary)
    for index, clause in enumerate(expanded.clauses):
        if index in expanded.completed or len(clause) != 1 or len(clause[0]) != 1:
            # A word being typed that starts indexed terms is unfinished,
            # not misspelt; a phrase or a synonym is never corrected.
            continue
        term = clause[0][0]
        if term in vocabulary or any(char.isdigit() for char in term):
            continue
        if term not in spans:  # a part of a compound, from the word list
            continue
        start, end = spans[term]
        edits = edits_allowed(fold(text[start:end]))
        if edits:
            corrections = vocabulary.near(term, edits)
            if corrections:
                expanded.corrected.add(index)
                _add(expanded, index, corrections)
    return expanded


def _complete_last_word(expanded, text, spans, vocabulary):
    """Add completions to the clause of the last word typed, when it is a
    word of its own that ends the text and the index does not know it."""
    last = expanded.clauses[-1][0]
    if len(last) != 1 or last[0] not in spans:  # a phrase, a compound's part
        return
    if spans[last[0]][1] != len(text.rstrip()):
        return
    if last[0] in vocabulary:
        # A whole word: its completions ("noord", "noordelijk") would only
        # crowd the results for the word itself.
        return
    start, end = spans[last[0]]
    word = fold(text[start:end])
    if len(word) < PREFIX_MIN_LETTERS or not word.isalpha():
        return
    index = len(expanded.clauses) - 1
    completions = vocabulary.starting_with(word)
    if completions:
        expanded.completed[index] = word
        _add(expanded, index, completions)


def _add(expanded, index, terms):
    clause = expanded.clauses[index]
    added = expanded.added.setdefault(index, [])
    for term in terms:
        phrase = (term,)
        if phrase not in clause:
            clause.append(phrase)
            added.append(phrase)
            expanded.written.setdefault(phrase, term)


def suggestion(text, parsed, texts):
    """`text` with each word the index did not know replaced by its best
    correction, or None when no word was corrected. A correction is an
    indexed term (a stem): it is written as the first word of `texts` (the
    results' titles and summaries) that the analysis makes into it, and as
    the term itself when none does."""
    if not parsed.corrected:
        return None
    best = {}
    for index in parsed.corrected:
        term = parsed.clauses[index][0][0]
        correction = parsed.added[index][0][0]
        best[term] = _written(correction, texts) or correction
    parts, position = [], 0
    for term, start, end in analyze_with_spans(text):
        if term in best and start >= position:  # every time it was typed
            parts += [text[position:start], best[term]]
            position = end
    parts.append(text[position:])
    return "".join(parts)


def _written(term, texts):
    for text in texts:
        for found, start, end in analyze_with_spans(text):
            if found == term:
                return text[start:end].lower()
    return None
