"""Python's cyclic garbage collector paused around heavy work.

Projecting a large graph, laying it out and rendering the page allocate millions of
objects that live until the work is done; the cyclic collector would rescan the growing
heap over and over (at a million triples the page takes four times as long with it). The
objects are freed by reference counting when the work ends, so nothing is lost by
pausing the collector for its duration.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector for the ``with`` block, then restore its state.

    The collector is enabled again afterwards only if it was enabled before (blocks nest),
    also when the block raises; what the block made is then in the oldest generation.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # objects someone else froze stay frozen
                # What the block made is in the youngest generation, never scanned: the
                # first pass of the collector once it is on again would scan it all (0.7 s
                # after a build of a million triples) to free what reference counting
                # mostly freed already. In the oldest one, it is scanned when that one is.
                gc.freeze()
                gc.unfreeze()
            gc.enable()
