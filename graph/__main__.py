"""``python -m graph`` runs the ``kg`` command line."""

from graph.cli import entry

if __name__ == "__main__":
    entry()
