"""Curation tools: registering a source text, looking up terms and entities, name
clashes and conflicts between sources, and what changed between two builds.

Each module is a library for one ``kg`` command (``graph/cli_curate.py``):
:mod:`~graph.curation.addsource` (``kg add-source``), :mod:`~graph.curation.lookup`
(``kg terms``, ``kg entities``), :mod:`~graph.curation.conflicts` (warnings of
``kg validate`` and ``kg build``) and :mod:`~graph.curation.diff` (``kg diff``).
Terms come from the ontology and entities from ``sources/`` at run time; nothing
here keeps a second list of them.
"""
