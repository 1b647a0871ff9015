"""The warm start: nothing a page needs is imported or computed for the first time by a visitor.

A freshly started Streamlit process is cold: the first run of a page imports pandas, pyarrow,
plotly's validators, scipy and scikit-image pieces, and fills the page's ``st.cache_data``. Two
first visitors at once then import the same modules in two script threads, and a module seen
half-initialised by the second thread crashes its page; and every first visitor waits for the
imports and the cached computations. :class:`WarmStart` removes both:

1. Its ``lifespan`` imports :data:`WARM_IMPORTS` in the main thread before the server serves.
2. Then, in the background, it runs every page's default view once, one after another, in an
   in-process session (:class:`server.protocol.InProcessSession`): the default page first,
   whose ``navigation`` message names the others. The caches are global, so every visitor
   after that gets the cached results.
3. Then it moves every object alive at that point (modules, cached results, figures) into the
   garbage collector's permanent generation (``gc.freeze``). A full collection walks every
   tracked object, and the imports and caches are most of them; frozen, Python's own
   collections walk only what came after the warm start. The session sweeper
   (``server.session_sweeper``) unfreezes, collects and freezes again every 30 s, so what has
   become garbage since is freed then (``NMFLAB_GC_FREEZE=0`` turns freezing off, to compare).
4. Until that is done, :class:`WarmGate` answers ``/_stcore/health`` with 503 (a load balancer
   or the browser's own health ping waits and retries) and holds new websocket sessions.

``serve.py`` wires it into ``st.App``.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import os
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamlit.logger import get_logger

from server.protocol import InProcessSession, RunReport

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from starlette.types import ASGIApp, Receive, Scope, Send

# Streamlit's logger: same format and level (logger.level) as the server's own lines.
LOGGER = get_logger(__name__)

# Modules a page imports lazily (inside a library function, or only on a view that is not the
# page's default): each is imported here, in the main thread, before the first visitor. Found by
# comparing sys.modules before and after running the pages (README, "Deploying").
WARM_IMPORTS = (
    "pandas",
    "pyarrow",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.io._json",
    "scipy.cluster.hierarchy",
    "scipy.spatial.distance",
    "scipy.special",
    "scipy.linalg",
    "scipy.optimize",
    "scipy.sparse",
    "skimage.data",
    "skimage.transform",
    "skimage.color",
    "PIL.Image",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "streamlit.emojis",
)


# How long a health check waits for the warm-up before it is answered 503 (below the browser's
# own 15 s timeout for a ping).
HEALTH_HOLD_SECONDS = 10.0
# What a browser's "Connection error" dialog quotes if the warm-up outlasts its patience.
WARMING_UP_TEXT = b"NMF Lab is warming up after a restart; this page connects by itself."


def import_modules(names: Iterable[str]) -> list[str]:
    """Import each module by name in the calling thread; return the names that failed.

    A module that is missing is logged and skipped: a warm start must not stop the server.
    """
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            LOGGER.warning("warm start: could not import %s", name, exc_info=True)
            failed.append(name)
    return failed


@dataclass
class WarmStart:
    """State of the warm start, shared by the lifespan and the :class:`WarmGate` middleware.

    Parameters
    ----------
    imports : iterable of str
        Modules to import in the main thread before serving (:data:`WARM_IMPORTS`).
    warm_pages : bool
        Run every page's default view once before opening (False: imports only).
    run_timeout : float
        Seconds one page's warm-up run may take before the warm-up goes on without it.

    Attributes
    ----------
    state : str
        ``"starting"``, ``"importing"``, ``"warming"``, then ``"ready"``.
    reports : list of RunReport
        One per warmed page, in the order they ran.
    import_seconds, warm_seconds : float
        Duration of the import step and of the page runs.
    freeze_heap : bool
        Whether to ``gc.freeze`` the heap once warm (on unless ``NMFLAB_GC_FREEZE=0``).
    frozen_objects : int
        Objects moved to the permanent generation then.
    """

    imports: tuple[str, ...] = WARM_IMPORTS
    warm_pages: bool = True
    freeze_heap: bool = field(default_factory=lambda: os.environ.get("NMFLAB_GC_FREEZE") != "0")
    frozen_objects: int = 0
    run_timeout: float = 120.0
    state: str = "starting"
    reports: list[RunReport] = field(default_factory=list)
    import_seconds: float = 0.0
    warm_seconds: float = 0.0
    _ready: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def ready(self) -> bool:
        """Whether the server is warm and lets visitors in."""
        return self._ready.is_set()

    async def wait_ready(self) -> None:
        """Return once the server is warm."""
        await self._ready.wait()

    def lifespan(self, _app: Any) -> Any:
        """The ``lifespan`` for ``st.App``: import now, warm the pages in the background."""
        return self._lifespan()

    @asynccontextmanager
    async def _lifespan(self) -> AsyncIterator[None]:
        self.state = "importing"
        start = time.perf_counter()
        import_modules(self.imports)
        self.import_seconds = time.perf_counter() - start
        task = asyncio.create_task(self._warm(), name="nmf-lab-warm-start")
        try:
            yield
        finally:
            if not task.done():
                task.cancel()
            self._ready.set()

    async def _warm(self) -> None:
        self.state = "warming"
        start = time.perf_counter()
        try:
            if self.warm_pages:
                await self._warm_every_page()
        except Exception:
            LOGGER.exception("warm start: the page runs failed; serving anyway")
        finally:
            self.warm_seconds = time.perf_counter() - start
            if self.freeze_heap:
                gc.collect()
                gc.freeze()
                self.frozen_objects = gc.get_freeze_count()
            self.state = "ready"
            self._ready.set()
            self._log_summary()

    async def _warm_every_page(self) -> None:
        from streamlit.runtime import Runtime

        runtime = Runtime.instance()
        # One session per page, as a visitor opening a bookmark; one at a time, so no two runs
        # import or compute the same thing concurrently.
        first = await self._run_one(runtime, "")
        for page in first.pages:
            if page:
                await self._run_one(runtime, page)

    async def _run_one(self, runtime: Any, page: str) -> RunReport:
        async with InProcessSession(runtime) as session:
            report = await session.run(page, timeout=self.run_timeout)
        self.reports.append(report)
        if not report.healthy:
            LOGGER.error(
                "warm start: page %r: status %s, exceptions %s, page not found %s",
                page,
                report.status,
                report.exceptions,
                report.page_not_found,
            )
        return report

    def _log_summary(self) -> None:
        healthy = sum(report.healthy for report in self.reports)
        timings = ", ".join(f"/{r.page} {r.seconds:.1f} s" for r in self.reports)
        # The e2e tests read this line to know every page was warmed; keep its shape.
        message = (
            f"warm start: {healthy} of {len(self.reports)} pages warmed in "
            f"{self.warm_seconds:.1f} s after {self.import_seconds:.1f} s of imports ({timings}); "
            f"{self.frozen_objects} objects frozen"
        )
        if healthy < len(self.reports):
            LOGGER.error(message)
        else:
            LOGGER.info(message)


class WarmGate:
    """Pure-ASGI middleware: while :class:`WarmStart` warms, health is 503 and sessions wait.

    ``/_stcore/health`` (under any ``server.baseUrlPath``) is held up to
    ``health_hold_seconds`` and answered by Streamlit as soon as the warm-up is done, or with
    503 and :data:`WARMING_UP_TEXT` when it is not done by then. A new websocket on
    ``/_stcore/stream`` is held (its handshake unanswered) until the warm-up is done, then
    passed on. Everything else (the HTML and the static bundle) is served at once, so a browser
    loads while it waits.

    Why hold the health check rather than answer 503 at once: the browser pings health before
    it opens its websocket, backs off up to 4 s between pings, and after its sixth failed ping
    shows a "Connection error" dialog. A held ping lets it connect the moment the server is
    warm, and keeps that dialog away for about a minute of warm-up; a load balancer, whose
    health timeout is shorter than the hold, sees an unhealthy server either way.

    Parameters
    ----------
    app : ASGI app
        The next application (Streamlit's own middleware and routes).
    warm_start : WarmStart
        The state to wait for.
    """

    def __init__(
        self, app: ASGIApp, warm_start: WarmStart, health_hold_seconds: float = HEALTH_HOLD_SECONDS
    ) -> None:
        self.app = app
        self.warm_start = warm_start
        self.health_hold_seconds = health_hold_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.warm_start.ready:
            path = scope.get("path", "").rstrip("/")
            if scope["type"] == "http" and path.endswith("/_stcore/health"):
                try:
                    async with asyncio.timeout(self.health_hold_seconds):
                        await self.warm_start.wait_ready()
                except TimeoutError:
                    await _plain_response(send, 503, WARMING_UP_TEXT)
                    return
            if scope["type"] == "websocket" and path.endswith("/_stcore/stream"):
                await self.warm_start.wait_ready()
        await self.app(scope, receive, send)


async def _plain_response(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-cache"),
                (b"retry-after", b"2"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
