"""Harvest the decompounder's word list from the content (search.compounds).

Rewrites the harvested sections of search/data/compound-words.txt: the words
of the facet labels (the domain vocabulary) and the words that stand on their
own in at least --min-documents indexable documents, so that a compound of
them is split. The hand-written sections are kept. Commit the file and
rebuild the index (`rebuild_search_index`): what is indexed changes with it.
"""

from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand

from search import compounds
from search.analysis import analyze_word, folded_words
from search.documents import document_types, every_facet

# A word written once may be a slip or a name; twice, it is the corpus's.
MIN_DOCUMENTS = 2


def harvested(word, listed):
    return (
        len(word) >= compounds.MIN_PART
        and word.isalpha()
        and word not in listed
        and bool(analyze_word(word))  # no stopword
    )


class Command(BaseCommand):
    help = "Rewrite the harvested words of the compound word list from the content."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=compounds.WORD_LIST)
        parser.add_argument("--min-documents", type=int, default=MIN_DOCUMENTS)

    def handle(self, *args, output, min_documents, **options):
        sections = compounds.read(output)
        listed = {
            word
            for name in compounds.SECTIONS
            if name not in compounds.HARVESTED
            for word in sections[name]
        }
        vocabulary = {
            word
            for spec in every_facet()
            for label in spec.labels().values()
            for word in folded_words(label)
            if harvested(word, listed)
        }
        documents = Counter()
        for document_type in document_types():
            for document in document_type.documents():
                text = " ".join(
                    [document.title, document.summary, document.keywords, document.body]
                )
                documents.update(set(folded_words(text)))
        corpus = {
            word
            for word, count in documents.items()
            if count >= min_documents
            and word not in vocabulary
            and harvested(word, listed)
        }
        compounds.write_harvested({"vocabulary": vocabulary, "corpus": corpus}, output)
        self.stdout.write(
            self.style.SUCCESS(
                f"Woordenlijst bijgewerkt: {len(vocabulary)} woorden uit de "
                f"vocabulaires, {len(corpus)} uit {len(documents)} "
                f"verschillende woorden van de inhoud. Bouw de zoekindex opnieuw op."
            )
        )
