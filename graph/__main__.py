"""``python -m graph`` runs the ``kg`` command line."""

from graph.cli import main

main(prog_name="kg")
