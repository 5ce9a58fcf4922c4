from __future__ import annotations

import logging

import pytest

from treadctl.util.listeners import Callbacks, Listeners


def test_every_listener_gets_each_value_in_order_added() -> None:
    seen: list[tuple[str, int]] = []
    listeners: Listeners[int] = Listeners()
    listeners.add(lambda v: seen.append(("a", v)))
    listeners.add(lambda v: seen.append(("b", v)))
    listeners.emit(1)
    listeners.emit(2)
    assert seen == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]


def test_a_removed_listener_hears_nothing_and_removing_twice_is_harmless() -> None:
    seen: list[int] = []
    listeners: Listeners[int] = Listeners()
    remove = listeners.add(seen.append)
    listeners.emit(1)
    remove()
    remove()
    listeners.emit(2)
    assert seen == [1]
    assert len(listeners) == 0


def test_a_failing_listener_is_logged_and_the_others_still_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[int] = []
    listeners: Listeners[int] = Listeners("speed listener")

    def broken(value: int) -> None:
        raise RuntimeError("a bug in one listener")

    listeners.add(broken)
    listeners.add(seen.append)
    with caplog.at_level(logging.ERROR):
        listeners.emit(7)  # does not raise
    assert seen == [7]
    assert "speed listener failed on 7" in caplog.text


def test_a_listener_may_remove_itself_while_called() -> None:
    seen: list[int] = []
    listeners: Listeners[int] = Listeners()

    def once(value: int) -> None:
        seen.append(value)
        remove()

    remove = listeners.add(once)
    listeners.add(lambda v: seen.append(v * 10))
    listeners.emit(1)
    listeners.emit(2)
    assert seen == [1, 10, 20]


def test_callbacks_without_a_value() -> None:
    calls: list[str] = []
    callbacks = Callbacks("on disconnect")
    remove = callbacks.add(lambda: calls.append("down"))
    callbacks.emit()
    remove()
    callbacks.emit()
    assert calls == ["down"]
    assert len(callbacks) == 0
