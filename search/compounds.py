"""Dutch compound words, split into the words they are made of.

Dutch writes "dementiezorg" where English writes "dementia care": a search
for "dementiezorg" should find "zorg voor mensen met dementie", and a search
for "dementie zorg" the text that says "dementiezorg". search.analysis
indexes a compound's term followed by its parts' terms, and a query asks for
each part (search.synonyms.parse); Elasticsearch gets the same word list as a
dictionary_decompounder.

One word list drives it, search/data/compound-words.txt, committed so that
indexing is deterministic. It has sections:

    [whole]       hand-written: words kept whole, though made of list words
                  ("ziekenhuis" is no "ziek" + "huis"); they are parts of
                  longer words ("ziekenhuisopname")
    [base]        hand-written: Dutch healthcare words and short ones
                  ("ggz", "val") that may be parts
    [never]       hand-written: words that are no part, though they occur
                  on their own ("dien" in "bovendien")
    [vocabulary]  harvested: the words of the facet labels
    [corpus]      harvested: the words of the indexed documents

`manage.py harvest_compound_words` rewrites the harvested sections from the
live content. Words are folded (lowercase, no diacritics), one a line.

A split is the fewest parts, each a list word, with the Dutch linking
letters -s-, -e- or -en- allowed between two parts; the last part may be
inflected (its term is a list word's term: "organisaties" ends
"thuiszorgorganisaties"). Among splits with as many parts, the one with
fewer linking letters wins, then the one whose shortest part is longest
("thuiszorg" + "organisatie", not "thuis" + "zorgorganisatie"). Harvested
parts have at least MIN_PART letters, hand-written ones MIN_LISTED_PART.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

WORD_LIST = Path(__file__).resolve().parent / "data" / "compound-words.txt"
SECTIONS = ("whole", "base", "never", "vocabulary", "corpus")
HARVESTED = ("vocabulary", "corpus")
# A harvested word shorter than this is too likely an end or a start of
# another word ("heid", "ing"); short words that are parts are listed by hand.
MIN_PART = 4
MIN_LISTED_PART = 3
LINKS = ("", "s", "e", "en")


def read(path=WORD_LIST):
    """{section: [word, ...]} as the file has them (comments dropped)."""
    sections = {name: [] for name in SECTIONS}
    current = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            if current not in sections:
                raise ValueError(f"Unknown section {line} in {path}")
        elif current is None:
            raise ValueError(f"{line!r} in {path} is in no section")
        else:
            sections[current].append(line)
    return sections


def write_harvested(harvested, path=WORD_LIST):
    """Replace the words of the harvested sections ({section: words}),
    sorted; every other line of the file stays as it was written."""
    lines, current = [], None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped[1:-1]
            lines.append(line)
            if current in harvested:
                lines.extend(sorted(set(harvested[current])))
        elif current not in harvested:
            lines.append(line)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Splitter:
    """Splits folded words with a word list; `term` is the analyser's term
    for one word ("" for a stopword)."""

    parts: frozenset
    stems: frozenset
    whole: frozenset
    never: frozenset
    term: Callable[[str], str]
    longest: int
    # {term: parts} of the list words that split, for their other forms.
    by_term: dict = field(default_factory=dict)

    @classmethod
    def from_sections(cls, sections, term):
        never = set(sections["never"])
        listed = {
            word
            for name in ("whole", "base")
            for word in sections[name]
            if len(word) >= MIN_LISTED_PART
        }
        harvested = {
            word
            for name in HARVESTED
            for word in sections[name]
            if len(word) >= MIN_PART
        }
        parts = frozenset(
            word
            for word in listed | harvested
            if word.isalpha() and word not in never and term(word)
        )
        splitter = cls(
            parts=parts,
            stems=frozenset(term(word) for word in parts),
            whole=frozenset(term(word) for word in sections["whole"]),
            never=frozenset(never),
            term=term,
            longest=max(map(len, parts), default=0),
        )
        by_term = {}
        for word in sorted(parts):
            found = splitter._split(word)
            if found:
                by_term.setdefault(term(word), found)
        return replace(splitter, by_term=by_term)

    def split(self, word):
        """The parts of a folded `word`, as written in it ("organisaties"
        keeps its -s), or () when it is no compound of list words. A word
        that does not split but shares its term with a list word that does
        takes that word's parts: Porter stems "samenwerking" and
        "samenwerken" alike, but only "werken" is a word of the list."""
        return self._split(word) or self.by_term.get(self.term(word), ())

    def _split(self, word):
        if len(word) < 2 * MIN_LISTED_PART or not word.isalpha():
            return ()
        if self.term(word) in self.whole:
            return ()
        best = self._best(word, 0, {})
        return best[3] if best and best[0] > 1 else ()

    def _best(self, word, start, memo):
        """(parts, linking letters, -shortest part, parts) of the best split
        of word[start:], or None. A later part never needs to know what came
        before it: the order compares the counts first, and a longer
        shortest part only helps whatever is put in front of it."""
        if start in memo:
            return memo[start]
        best = None
        rest = word[start:]
        if start and self._last_part(rest):
            best = (1, 0, -len(rest), (rest,))
        end_limit = min(len(word) - MIN_LISTED_PART, start + self.longest)
        for end in range(start + MIN_LISTED_PART, end_limit + 1):
            part = word[start:end]
            if part not in self.parts:
                continue
            for link in LINKS:
                after = end + len(link)
                if not word.startswith(link, end) or after >= len(word):
                    continue
                tail = self._best(word, after, memo)
                if tail is None:
                    continue
                candidate = (
                    tail[0] + 1,
                    tail[1] + len(link),
                    max(tail[2], -len(part)),
                    (part, *tail[3]),
                )
                if best is None or candidate[:3] < best[:3]:
                    best = candidate
        memo[start] = best
        return best

    def _last_part(self, rest):
        """Whether `rest` may end a compound: a list word, or one inflected,
        which takes more than MIN_PART letters ("loos" is no "los")."""
        return rest in self.parts or (
            len(rest) > MIN_PART
            and rest not in self.never
            and self.term(rest) in self.stems
        )


@functools.cache
def splitter(term):
    """The Splitter of the committed word list, read once per process."""
    return Splitter.from_sections(read(), term)
