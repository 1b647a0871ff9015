"""NMF Lab's server: ``streamlit run serve.py`` serves ``app.py`` with a warm start.

Streamlit runs an ASGI ``st.App`` when the file given to ``streamlit run`` defines one. This
one adds a lifespan and a middleware to the plain ``streamlit run app.py``: before the first
visitor, every module the pages import is imported in the main thread and every page's default
view has run once, so its cached results are there; until then ``/_stcore/health`` answers 503
and new sessions wait (``server.warmup``). On the websocket, a viewer's messages are kept to
what a viewer may ask for (``server.viewer_guard``: no clearing of everyone's caches, no
traceback for a text frame, at most 100 upload URLs per request). Beside the server, a sweeper
lets go of what the sessions of closed tabs still hold once their reconnect time is up
(``server.session_sweeper``), so memory comes back down after a class, and freezes the heap
again so that Python's collections walk only what is new; it walks the whole heap when no
visitor has asked for anything for a few seconds (the viewer guard tells it).
``.streamlit/config.toml`` applies as before.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime import Runtime

from server.session_sweeper import SessionSweeper
from server.viewer_guard import ViewerGuard
from server.warmup import WarmGate, WarmStart

warm_start = WarmStart()
sweeper = SessionSweeper(Runtime.instance, refreeze=warm_start.freeze_heap)


@asynccontextmanager
async def lifespan(app):
    async with warm_start.lifespan(app):
        sweeping = asyncio.create_task(sweeper.run_forever(), name="nmf-lab-session-sweeper")
        try:
            yield
        finally:
            sweeping.cancel()


app = st.App(
    "app.py",
    lifespan=lifespan,
    middleware=[
        Middleware(WarmGate, warm_start=warm_start),
        Middleware(ViewerGuard, on_request=sweeper.note_request),
    ],
)
