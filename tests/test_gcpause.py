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
