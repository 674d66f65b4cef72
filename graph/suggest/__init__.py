"""Suggest candidate facts for an article: ``kg suggest``.

Rules and gazetteers, no model: the text is cut into sentences (:mod:`.text`),
registry entities are found with their inflected and short forms (:mod:`.gazetteer`),
German patterns find people with their titles and parties (:mod:`.people`),
organisations and places (:mod:`.places`), dates and numbers (:mod:`.numbers`) and
direct quotes with their speaker (:mod:`.speech`); :mod:`.render` writes the result
as fact entries in the curation format, :mod:`.evaluate` scores it against curated facts.
"""

from graph.suggest.model import KINDS, EntityRef, Mention, Suggestion, Suggestions
from graph.suggest.run import suggest, suggest_file

__all__ = ["KINDS", "EntityRef", "Mention", "Suggestion", "Suggestions", "suggest", "suggest_file"]
