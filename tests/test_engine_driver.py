"""The engine's SimPy-style surface for a driver (issue 22): ``peek`` and ``advance``."""

from __future__ import annotations

import pytest

from conftest import make_config
from routectl.engine import Engine
from test_engine_support import Log, all_outputs, at

A = "shop:a"


def _log() -> Log:
    log = Log()
    log.online(0, A)
    log.message(1, "b1")
    log.message(30, "b1")  # after the 15-minute timeout: a new inquiry
    return log


def test_peek_is_the_next_timeout_and_advance_fires_it() -> None:
    config = make_config()
    engine = Engine(config)
    assert engine.peek() is None
    log = _log()
    engine.feed(log.events[0])
    engine.feed(log.events[1])
    timeout = at(1) + config.routing.session_timeout_s
    assert engine.peek() == timeout
    assert engine.load(A) == 1
    assert engine.advance(timeout - 1) == []
    assert engine.load(A) == 1
    engine.advance(timeout)
    assert engine.load(A) == 0
    assert engine.peek() is None


def test_advance_between_events_changes_no_output() -> None:
    config = make_config()
    log = _log()
    engine = Engine(config)
    outputs = []
    for event in log.events:
        due = engine.peek()
        if due is not None and due < event.time:
            outputs.extend(engine.advance(due))
        outputs.extend(engine.feed(event))
    outputs.extend(engine.finish())
    assert outputs == all_outputs(config, log)


def test_advance_refuses_to_go_back() -> None:
    engine = Engine(make_config())
    log = _log()
    engine.feed(log.events[1])
    with pytest.raises(ValueError, match="backwards"):
        engine.advance(at(0))
    with pytest.raises(ValueError, match="backwards"):
        engine.feed(log.events[0])
