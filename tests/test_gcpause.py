"""The garbage collector pause around the network commands' heavy work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import views
from graph.gcpause import gc_paused


@pytest.fixture
def collector_on() -> Iterator[None]:
    """The collector enabled for the test, and restored to its state before afterwards."""
    before = gc.isenabled()
    gc.enable()
    yield
    if not before:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after(collector_on: None) -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_restored_when_the_work_fails(collector_on: None) -> None:
    with pytest.raises(RuntimeError, match="boom"), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector_on: None) -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_pauses_nest(collector_on: None) -> None:
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def _in_generation(obj: object, generation: int) -> bool:
    return any(found is obj for found in gc.get_objects(generation=generation))


def test_what_the_pause_made_is_old_afterwards(collector_on: None) -> None:
    """The first pass of the collector after a pause does not scan what the pause made (a
    build's millions of objects): it is in the oldest generation, as though scanned."""
    with gc_paused():
        made = [[index] for index in range(100)]
        assert _in_generation(made, 0)
    assert not _in_generation(made, 0)
    assert _in_generation(made, 2)
    assert gc.get_freeze_count() == 0


def test_objects_frozen_before_stay_frozen(collector_on: None) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            made = [[index] for index in range(100)]
        gc.disable()  # no pass of the collector moves it before it is looked for
        assert gc.get_freeze_count() == frozen
        assert not _in_generation(made, 2)  # left young: the frozen ones are someone else's
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_views_render_with_the_collector_paused(
    collector_on: None, musterland_built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    render = views.render_html

    def spying(*args: object, **kwargs: object) -> bytes:
        seen.append(gc.isenabled())
        return render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "render_html", spying)
    views.viz(musterland_built, output="-")
    assert seen == [False]
    assert gc.isenabled()
