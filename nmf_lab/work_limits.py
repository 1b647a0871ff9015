"""Fair sharing of the heavy computations among the visitors of one server.

A Streamlit server runs every visitor's script in a thread of one process, so ten students
dragging a slider at once start ten NMFs that share two cores: each crawls, and a bystander
opening the Home page waits behind them. :class:`WorkLimiter` keeps that in bounds:

- at most ``capacity`` heavy runs at once for the whole server (the number of cores: each run
  holds BLAS to one thread, so together they fill the machine without oversubscribing it);
- at most one per session: a session's new request *supersedes* its older one, which is told
  to stop (:attr:`Ticket.superseded`) and gives up its place;
- first come, first served among the sessions that wait, so one session's storm of requests
  cannot starve the others (each of its new requests joins the back of the queue);
- a waiter learns its place in the queue (:attr:`Ticket.ahead`) and can give up after a
  while, so a page says "the server is busy" instead of freezing.

Nothing here imports Streamlit; ``app_pages/_work_limits.py`` is the page glue.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import numpy as np

__all__ = [
    "DerivedCache",
    "RerunPacer",
    "ResultCache",
    "RunSuperseded",
    "ServerBusy",
    "Ticket",
    "WorkLimiter",
    "approximate_nbytes",
    "make_read_only",
]


class RunSuperseded(Exception):
    """The session asked for a newer run; this one must stop (its result is not wanted)."""


class ServerBusy(Exception):
    """No slot became free within the wait allowed.

    Attributes
    ----------
    ahead : int
        Runs that were still ahead of this one (running or queued before it).
    waited : float
        Seconds waited.
    """

    def __init__(self, ahead: int, waited: float) -> None:
        super().__init__(f"The server is busy: {ahead} runs ahead after {waited:.0f} s.")
        self.ahead = ahead
        self.waited = waited


class Ticket:
    """One request for a slot. Made by :meth:`WorkLimiter.request`; release it when done."""

    def __init__(self, limiter: WorkLimiter, session: Hashable, number: int) -> None:
        self._limiter = limiter
        self.session = session
        self.number = number
        self.granted = False
        self.superseded = False
        self.released = False

    @property
    def ahead(self) -> int:
        """Runs that must finish or leave before this one can start (0 once granted)."""
        return self._limiter._ahead_of(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the slot is granted, superseded, or ``timeout`` passes; return granted."""
        return self._limiter._wait(self, timeout)

    def check(self) -> None:
        """Raise :class:`RunSuperseded` if a newer request of the same session exists."""
        if self.superseded:
            raise RunSuperseded(f"A newer run of session {self.session!r} replaced this one.")

    def release(self) -> None:
        """Give the slot (or the place in the queue) back; safe to call twice."""
        self._limiter._release(self)


class RerunPacer:
    """How long a heavy run should wait first, so a control being dragged settles before it.

    Dragging a slider or holding an arrow key reruns the page for every value it passes, and
    each rerun that misses the cache starts a heavy run that the next value stops a moment
    later: the work is thrown away, and with a class dragging at once it is what keeps the
    server busy. So when a session's previous heavy run was stopped before its end less than
    ``window`` seconds ago, its next one is held for ``pause`` seconds first. A page waits in
    small steps, drawing as it waits, so a newer value stops the waiting run before it has
    computed anything. A single change, or the next heavy run of the same page run (the
    previous one finished), starts at once.

    Parameters
    ----------
    window : float
        Seconds after a stopped run in which the session's next one counts as dragging.
    pause : float
        Seconds a dragging request waits.
    max_sessions : int
        Sessions remembered (the least recently seen are forgotten first).

    Examples
    --------
    >>> pacer = RerunPacer(window=1.0, pause=0.3)
    >>> pacer.pause_for("a", now=10.0)  # nothing before: start at once
    0.0
    >>> pacer.pause_for("a", now=10.2)  # the run of 10.0 was stopped for this one: wait
    0.3
    >>> pacer.finished("a"); pacer.pause_for("a", now=10.9)  # it ran to the end
    0.0
    """

    def __init__(self, window: float = 1.0, pause: float = 0.3, max_sessions: int = 4096):
        if not (window > 0 and pause >= 0):
            raise ValueError(f"window must be positive, pause not negative: {window}, {pause}")
        if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
            raise ValueError(f"max_sessions must be a positive integer, got {max_sessions!r}")
        self.window = window
        self.pause = pause
        self.max_sessions = max_sessions
        self._lock = threading.Lock()
        # session -> (when its latest heavy run was asked for, whether that run finished)
        self._latest: OrderedDict[Hashable, tuple[float, bool]] = OrderedDict()

    def pause_for(self, session: Hashable, now: float | None = None) -> float:
        """Seconds the heavy run ``session`` asks for now should wait (0: start at once)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            previous = self._latest.pop(session, None)
            self._latest[session] = (now, False)
            while len(self._latest) > self.max_sessions:
                self._latest.popitem(last=False)
        if previous is None:
            return 0.0
        asked, finished = previous
        return self.pause if not finished and 0 <= now - asked < self.window else 0.0

    def finished(self, session: Hashable) -> None:
        """The session's latest heavy run ran to its end (its next run is no drag)."""
        with self._lock:
            if session in self._latest:
                self._latest[session] = (self._latest[session][0], True)


class WorkLimiter:
    """At most ``capacity`` granted tickets at once, one per session, first come first served.

    Parameters
    ----------
    capacity : int
        Heavy runs allowed at the same time, at least 1.

    Examples
    --------
    >>> limiter = WorkLimiter(1)
    >>> first = limiter.request("alice")
    >>> first.wait(0), limiter.request("bob").ahead
    (True, 1)
    """

    def __init__(self, capacity: int) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity must be a positive integer, got {capacity!r}.")
        self.capacity = capacity
        self._condition = threading.Condition()
        self._running: list[Ticket] = []
        self._queue: list[Ticket] = []
        self._latest: dict[Hashable, Ticket] = {}
        self._numbers = 0

    @property
    def running(self) -> int:
        """Tickets granted and not yet released."""
        with self._condition:
            return len(self._running)

    @property
    def waiting(self) -> int:
        """Tickets queued."""
        with self._condition:
            return len(self._queue)

    def request(self, session: Hashable) -> Ticket:
        """Queue a request of ``session``; any older request of that session is superseded."""
        with self._condition:
            self._numbers += 1
            ticket = Ticket(self, session, self._numbers)
            older = self._latest.get(session)
            if older is not None and not older.released:
                older.superseded = True
                if older in self._queue:
                    self._queue.remove(older)
                    older.released = True
            self._latest[session] = ticket
            self._queue.append(ticket)
            self._grant()
            self._condition.notify_all()
            return ticket

    @contextlib.contextmanager
    def slot(
        self,
        session: Hashable,
        *,
        on_wait: Callable[[int], Any] | None = None,
        max_wait: float = 60.0,
        poll: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> Iterator[Ticket]:
        """Hold a slot for the block; wait for one first, in turn.

        Parameters
        ----------
        session : hashable
            Who asks (one id per browser session).
        on_wait : callable, optional
            ``on_wait(ahead)`` every ``poll`` seconds while waiting (a page shows the queue
            and gets the chance to be interrupted there).
        max_wait : float
            Seconds to wait before giving up with :class:`ServerBusy`.
        poll : float
            Seconds between two calls of ``on_wait``.

        Raises
        ------
        ServerBusy
            No slot within ``max_wait``.
        RunSuperseded
            The same session asked again while this request waited.
        """
        ticket = self.request(session)
        started = clock()
        try:
            while not ticket.wait(poll):
                ticket.check()
                waited = clock() - started
                if waited >= max_wait:
                    raise ServerBusy(ticket.ahead, waited)
                if on_wait is not None:
                    on_wait(ticket.ahead)
            ticket.check()
            yield ticket
        finally:
            ticket.release()

    # -- internals, all called with or taking the condition's lock --------------------------

    def _busy_sessions(self) -> set[Hashable]:
        return {ticket.session for ticket in self._running}

    def _grant(self) -> None:
        busy = self._busy_sessions()
        for ticket in list(self._queue):
            if len(self._running) >= self.capacity:
                break
            if ticket.session in busy:
                continue
            self._queue.remove(ticket)
            ticket.granted = True
            self._running.append(ticket)
            busy.add(ticket.session)

    def _ahead_of(self, ticket: Ticket) -> int:
        with self._condition:
            if ticket.granted or ticket not in self._queue:
                return 0
            return len(self._running) + self._queue.index(ticket)

    def _wait(self, ticket: Ticket, timeout: float | None) -> bool:
        with self._condition:
            self._condition.wait_for(
                lambda: ticket.granted or ticket.superseded or ticket.released, timeout
            )
            return ticket.granted and not ticket.superseded

    def _release(self, ticket: Ticket) -> None:
        with self._condition:
            if ticket.released and ticket not in self._running:
                return
            ticket.released = True
            if ticket in self._running:
                self._running.remove(ticket)
            if ticket in self._queue:
                self._queue.remove(ticket)
            if self._latest.get(ticket.session) is ticket:
                del self._latest[ticket.session]
            self._grant()
            self._condition.notify_all()


_MISSING = object()


def approximate_nbytes(value: Any, *, _seen: set[int] | None = None, _depth: int = 0) -> int:
    """Bytes a result holds in its arrays (what dominates a factorisation's size), roughly.

    Counts every distinct numpy array's ``nbytes`` (a view counts its base once) inside
    tuples, lists, dicts, dataclass-like objects (their ``__dict__`` or ``__slots__``) and
    named tuples, down to a few levels; every other object counts a nominal 64 bytes.

    Examples
    --------
    >>> H = np.zeros((10, 10))
    >>> approximate_nbytes(H), approximate_nbytes((H, H[:5]))  # the view counts H once
    (800, 864)
    """
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value
        while isinstance(base.base, np.ndarray):
            base = base.base
        if base is not value:
            return approximate_nbytes(base, _seen=seen, _depth=_depth)
        return int(value.nbytes)
    if _depth >= 6 or isinstance(value, _ATOMS):
        return len(value) if isinstance(value, (str, bytes)) else 64
    children = _children(value)
    if children is None:
        return 64
    return 64 + sum(approximate_nbytes(c, _seen=seen, _depth=_depth + 1) for c in children)


_ATOMS = (str, bytes, int, float, complex, bool, type(None))


def _children(value: Any) -> list[Any] | None:
    """What a container or dataclass-like object holds; ``None`` for anything else."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (tuple, list, set, frozenset)):
        return list(value)
    if hasattr(value, "__dict__"):
        return list(vars(value).values())
    if hasattr(value, "__slots__"):
        return [getattr(value, name, None) for name in value.__slots__]
    return None


def make_read_only(value: Any, *, _seen: set[int] | None = None, _depth: int = 0) -> Any:
    """Make every numpy array inside ``value`` read-only; return ``value``.

    For results every session shares instead of copying: a page that modified one in place
    would change it for everyone, so it raises instead. Walks what :func:`approximate_nbytes`
    walks (tuples, lists, dicts, dataclass-like objects), to the same depth.

    Examples
    --------
    >>> shared = make_read_only({"H": np.ones(2)})
    >>> shared["H"].flags.writeable
    False
    """
    seen = set() if _seen is None else _seen
    if id(value) in seen or _depth > 6:
        return value
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        value.setflags(write=False)
        return value
    children = None if isinstance(value, _ATOMS) else _children(value)
    for child in children or ():
        make_read_only(child, _seen=seen, _depth=_depth + 1)
    return value


class ResultCache:
    """A bounded, thread-safe store of finished results, least recently used out first.

    A run that was interrupted raises before it reaches :meth:`put`, so only complete results
    are ever stored; the same settings then never compute twice (while they stay in).

    Parameters
    ----------
    max_entries : int
        At least 1.
    max_bytes : int, optional
        Bound on the results' total :func:`approximate_nbytes` (an Images result at r = 64 of
        a 512 × 512 picture holds more than 100 MB, so a count alone bounds nothing). A result
        larger than the bound is returned to its caller but not kept.

    Examples
    --------
    >>> cache = ResultCache(2)
    >>> cache.put("a", 1); cache.put("b", 2); cache.get("a"); cache.put("c", 3)
    1
    >>> "b" in cache, "a" in cache
    (False, True)
    """

    def __init__(self, max_entries: int, max_bytes: int | None = None) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive integer, got {max_entries!r}.")
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1
        ):
            raise ValueError(f"max_bytes must be a positive integer, got {max_bytes!r}.")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        """Total :func:`approximate_nbytes` of the results held."""
        with self._lock:
            return self._bytes

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The result stored under ``key`` (now the most recently used), or ``default``."""
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Store ``value``; least recently used entries leave while a bound is exceeded."""
        size = approximate_nbytes(value) if self.max_bytes is not None else 0
        with self._lock:
            self._forget(key)
            if self.max_bytes is not None and size > self.max_bytes:
                return
            self._entries[key] = value
            self._sizes[key] = size
            self._bytes += size
            while len(self._entries) > self.max_entries or (
                self.max_bytes is not None and self._bytes > self.max_bytes
            ):
                self._forget(next(iter(self._entries)))

    def _forget(self, key: Hashable) -> None:
        if key in self._entries:
            del self._entries[key]
            self._bytes -= self._sizes.pop(key)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self._bytes = 0


class DerivedCache:
    """What is built from a shared result (a figure), built once for every session that shows it.

    Every session that shows the same settings gets the same result object from
    :class:`ResultCache`, so a value derived from it is keyed by that object's identity and a
    name for what is derived (plus whatever else it depends on). The entry keeps only a weak
    reference to the source: once the source is gone, an entry of a later object that happens
    to get the same ``id`` is not mistaken for it. Derived values are shared, never copied:
    callers must not modify them.

    Parameters
    ----------
    max_entries : int
        At least 1.
    max_bytes : int, optional
        Bound on the derived values' total :func:`approximate_nbytes`.

    Examples
    --------
    >>> cache = DerivedCache(8)
    >>> source = np.arange(3.0)
    >>> cache.get_or_build(source, "sum", lambda: float(source.sum()))
    3.0
    >>> cache.get_or_build(source, "sum", lambda: -1.0)  # built once
    3.0
    """

    def __init__(self, max_entries: int, max_bytes: int | None = None) -> None:
        self._store = ResultCache(max_entries, max_bytes)
        self.builds = 0

    def __len__(self) -> int:
        return len(self._store)

    @property
    def size_bytes(self) -> int:
        """Total :func:`approximate_nbytes` of the values held."""
        return self._store.size_bytes

    def get_or_build(self, source: Any, name: Hashable, build: Callable[[], Any]) -> Any:
        """The value ``build()`` made from ``source`` under ``name``, built on the first call.

        Parameters
        ----------
        source : object
            The shared object the value is derived from; it must accept weak references
            (dataclass instances and numpy arrays do).
        name : hashable
            What is derived, and every other input it depends on (a channel, a view).
        build : callable
            Makes the value; called only when none is held for ``(source, name)``.
        """
        try:
            alive = weakref.ref(source)
        except TypeError:
            raise TypeError(
                f"a derived value needs a source that accepts weak references, got "
                f"{type(source).__name__}"
            ) from None
        key = (id(source), name)
        held = self._store.get(key)
        if held is not None and held[0]() is source:
            return held[1]
        value = build()
        self.builds += 1
        self._store.put(key, (alive, value))
        return value

    def clear(self) -> None:
        """Forget everything."""
        self._store.clear()
