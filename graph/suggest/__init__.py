"""Suggest candidate facts for an article: ``kg suggest``.

Rules and word lists (``lexicon.yaml``, :mod:`.lexicon`), no model: the text is cut into
sentences (:mod:`.text`); registry entities are found with their inflected and short forms
(:mod:`.gazetteer`); German patterns find organisations and places (:mod:`.places`),
people (:mod:`.people`) with their titles, offices and parties (:mod:`.offices`), dates
and numbers (:mod:`.numbers`, turned into entries by :mod:`.dated` and :mod:`.counted`)
and direct quotes with their speaker (:mod:`.speech`). :mod:`.run` puts them together,
:mod:`.render` writes fact entries in the curation format, :mod:`.append` adds them to an
article, :mod:`.evaluate` scores them against curated facts.
"""

from graph.suggest.model import KINDS, EntityRef, Mention, Suggestion, Suggestions
from graph.suggest.run import suggest, suggest_file

__all__ = ["KINDS", "EntityRef", "Mention", "Suggestion", "Suggestions", "suggest", "suggest_file"]
