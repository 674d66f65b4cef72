"""NRW integration knowledge graph: curated, sourced facts as RDF.

The import name is ``graph``; the command-line tool is ``kg`` (see :mod:`graph.cli`).
"""

__version__ = "0.1.0"
