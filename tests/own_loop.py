"""Run a coroutine to its end on a loop of its own, whatever the calling thread holds.

Playwright's sync API keeps an event loop running in the main thread for as long as its
session-scoped browser lives, and `asyncio.run` refuses to start inside a running loop. The
browser tests and the server tests share one pytest process, so every test that drives an
asyncio client goes through `run_on_own_loop`, which gives the coroutine a fresh thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

Result = TypeVar("Result")


def run_on_own_loop(
    coroutine_function: Callable[..., Awaitable[Result]],
    *args,
    within: float = 300.0,
    **kwargs,
) -> Result:
    """Await ``coroutine_function(*args, **kwargs)`` on a new loop in a new thread.

    Returns its value; an exception raised inside is raised again here, and a coroutine still
    running after ``within`` seconds fails the calling test.
    """
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine_function(*args, **kwargs))
        except BaseException as error:  # re-raised below, not lost in the thread
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=within)
    assert not thread.is_alive(), f"{coroutine_function.__name__} did not end in {within} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
