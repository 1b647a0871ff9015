"""A small client of Streamlit's own browser protocol: run one page as a browser would.

A browser tab talks to the server over one websocket (``/_stcore/stream``, subprotocol
``streamlit``): it sends a ``BackMsg`` whose ``rerun_script`` names the page (its
``url_path``, e.g. ``"point-clouds"``; ``""`` is the default page) and the query string; the
server answers with ``ForwardMsg``s (``new_session``, the page's deltas, ``navigation``,
maybe ``page_not_found``) until ``script_finished``. This module builds that message and reads
the answers into a :class:`RunReport`, and runs a page either over a real websocket
(:func:`run_page`, for tests and classroom load) or inside the server process
(:class:`InProcessSession`, for the warm start in ``server.warmup``). The protobuf classes are
Streamlit's (``streamlit.proto``); nothing else of Streamlit's internals is needed here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from streamlit.runtime import Runtime

STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = "streamlit"
# script_finished statuses that end a run; FINISHED_EARLY_FOR_RERUN is followed by another run.
_FINAL_STATUSES = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "ok",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile_error",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "ok",
}


def rerun_message(page: str = "", query_string: str = "") -> BackMsg:
    """The ``BackMsg`` a browser sends to run a page, as on its first load of a deep link.

    Parameters
    ----------
    page : str
        The page's ``url_path`` (``"point-clouds"``), without slashes; ``""`` asks for the
        default page.
    query_string : str
        The URL's query without ``?`` (``"pc_rank=3&seed=1"``); bound widgets read it.

    Returns
    -------
    BackMsg
        With ``rerun_script`` set: no widget states and no page hash, so the server resolves the
        page by name exactly as for a bookmark opened in a new tab.
    """
    message = BackMsg()
    message.rerun_script.page_name = page.strip("/")
    message.rerun_script.query_string = query_string.lstrip("?")
    message.rerun_script.page_script_hash = ""
    return message


def serialize(message: BackMsg) -> bytes:
    """The bytes of one websocket frame carrying ``message``."""
    return message.SerializeToString()


def parse_forward(payload: bytes) -> ForwardMsg:
    """Parse one websocket frame from the server into a ``ForwardMsg``."""
    message = ForwardMsg()
    message.ParseFromString(payload)
    return message


@dataclass
class RunReport:
    """What one page run sent back, reduced to what a test or a warm-up asks.

    Attributes
    ----------
    page : str
        The ``url_path`` asked for (``""`` for the default page).
    status : str
        ``"ok"``, ``"compile_error"``, ``"disconnected"`` (the server closed the websocket, see
        ``error``), or ``"incomplete"`` while no final ``script_finished`` has arrived (a run
        cut short, e.g. by a timeout).
    exceptions : list of str
        ``"Type: message"`` of every exception element the page drew (with
        ``client.showErrorDetails = "none"`` the message is redacted, the element still counts).
    page_not_found : bool
        Whether the server sent its "Page not found" notice.
    elements : int
        Elements and blocks drawn (a crude size of the page).
    pages : list of str
        The ``url_pathname`` of every page in the navigation message (``""`` for the default).
    page_hash : str
        ``page_script_hash`` of the page that ran (from ``new_session``).
    seconds : float
        From sending the rerun to the final ``script_finished``.
    new_session : NewSession or None
        The server's ``new_session`` message (its ``config`` and ``custom_theme`` say which
        settings of ``.streamlit/config.toml`` the browser was given).
    upload_limits_mb : list of int
        ``max_upload_size_mb`` of every file uploader on the page.
    bytes_received : int
        Size of the websocket frames read (0 in-process).
    error : str
        Why the connection ended early, if it did.
    """

    page: str
    status: str = "incomplete"
    exceptions: list[str] = field(default_factory=list)
    page_not_found: bool = False
    elements: int = 0
    pages: list[str] = field(default_factory=list)
    page_hash: str = ""
    seconds: float = 0.0
    new_session: Any = None
    upload_limits_mb: list[int] = field(default_factory=list)
    bytes_received: int = 0
    error: str = ""

    @property
    def finished(self) -> bool:
        """Whether a final ``script_finished`` arrived."""
        return self.status in ("ok", "compile_error")

    @property
    def healthy(self) -> bool:
        """Finished without an error, an exception element or a "Page not found" notice."""
        return self.status == "ok" and not self.exceptions and not self.page_not_found

    def read(self, message: ForwardMsg) -> bool:
        """Take one ``ForwardMsg`` into the report; return whether the run is over.

        A ``script_finished`` of ``FINISHED_EARLY_FOR_RERUN`` (a page that calls ``st.rerun``)
        does not end it: the run that follows does.
        """
        kind = message.WhichOneof("type")
        if kind == "delta":
            delta = message.delta
            delta_kind = delta.WhichOneof("type")
            if delta_kind == "new_element":
                self.elements += 1
                element_kind = delta.new_element.WhichOneof("type")
                if element_kind == "exception":
                    exception = delta.new_element.exception
                    self.exceptions.append(f"{exception.type}: {exception.message}")
                elif element_kind == "file_uploader":
                    self.upload_limits_mb.append(delta.new_element.file_uploader.max_upload_size_mb)
            elif delta_kind == "add_block":
                self.elements += 1
        elif kind == "page_not_found":
            self.page_not_found = True
        elif kind == "new_session":
            self.page_hash = message.new_session.page_script_hash
            self.new_session = message.new_session
        elif kind == "navigation":
            default_paths = [
                "" if page.is_default else page.url_pathname
                for page in message.navigation.app_pages
            ]
            self.pages = default_paths
        elif kind == "session_event":
            if message.session_event.WhichOneof("type") == "script_compilation_exception":
                exception = message.session_event.script_compilation_exception
                self.exceptions.append(f"{exception.type}: {exception.message}")
        elif kind == "script_finished" and message.script_finished in _FINAL_STATUSES:
            self.status = _FINAL_STATUSES[message.script_finished]
            return True
        return False


def stream_url(base_url: str) -> str:
    """``http://host:port[/base]`` → ``ws://host:port[/base]/_stcore/stream``."""
    parts = urlsplit(base_url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None:
        raise ValueError(f"not an http(s) or ws(s) URL: {base_url!r}")
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + STREAM_PATH, "", ""))


async def run_page(
    base_url: str, page: str = "", query_string: str = "", *, timeout: float = 60.0
) -> RunReport:
    """Open a websocket session on a running server, run one page, return its report.

    The session is new (like a new browser tab); it is closed after the run. A run that does
    not finish within ``timeout`` seconds comes back with ``status == "incomplete"``; a server
    that refuses the connection raises (``OSError`` or a ``websockets`` error).

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:8501`` (with ``server.baseUrlPath`` appended, if any).
    page, query_string : str
        As for :func:`rerun_message`.
    timeout : float
        Seconds for the whole run, connection included.
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    report = RunReport(page=page.strip("/"))
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            # No keepalive pings from this side (a browser sends none either): under load the
            # pings' own timeout would cut sessions that are merely slow.
            async with connect(
                stream_url(base_url),
                subprotocols=[SUBPROTOCOL],
                max_size=None,
                open_timeout=timeout,
                ping_interval=None,
            ) as websocket:
                await websocket.send(serialize(rerun_message(page, query_string)))
                async for payload in websocket:
                    if isinstance(payload, bytes):
                        report.bytes_received += len(payload)
                        if report.read(parse_forward(payload)):
                            break
    except TimeoutError:
        pass
    except ConnectionClosed as closed:
        report.status = "disconnected"
        report.error = str(closed)
    report.seconds = time.perf_counter() - start
    return report


async def run_pages(
    base_url: str, visits: Iterable[tuple[str, str]], *, timeout: float = 60.0
) -> list[RunReport]:
    """Run several page visits at once (each in its own session), like a class opening links.

    Parameters
    ----------
    visits : iterable of (page, query_string)
        One new session per item; all start together.

    Returns
    -------
    list of RunReport
        In the order of ``visits``.
    """
    return list(
        await asyncio.gather(
            *(run_page(base_url, page, query, timeout=timeout) for page, query in visits)
        )
    )


class _InProcessContext:
    """The ``ClientContext`` of a session no browser opened: no headers, cookies or address."""

    @property
    def headers(self) -> Iterable[tuple[str, str]]:
        return ()

    @property
    def cookies(self) -> Mapping[str, str]:
        return {}

    @property
    def remote_ip(self) -> str | None:
        return None


class InProcessSession:
    """A session of the running Streamlit ``Runtime`` with no websocket: a browser tab in-process.

    It implements Streamlit's ``SessionClient`` protocol (``write_forward_msg`` and
    ``client_context``) and hands the ``ForwardMsg``s to a :class:`RunReport`. Use it inside
    the server's event loop once the runtime has started (e.g. in an ``st.App`` lifespan)::

        async with InProcessSession(Runtime.instance()) as session:
            report = await session.run("point-clouds", "pc_rank=3")

    Parameters
    ----------
    runtime : streamlit.runtime.Runtime
        The started runtime of this process.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._context = _InProcessContext()
        self._messages: asyncio.Queue[ForwardMsg] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session_id: str | None = None

    # SessionClient protocol -----------------------------------------------------------------
    def write_forward_msg(self, msg: ForwardMsg) -> None:
        """Called by the runtime (on its event loop) for every message to the browser."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._messages.put_nowait, msg)

    @property
    def client_context(self) -> Any:
        return self._context

    # Use -------------------------------------------------------------------------------------
    async def __aenter__(self) -> InProcessSession:
        self._loop = asyncio.get_running_loop()
        self._session_id = self._runtime.connect_session(client=self, user_info={})
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session_id is not None:
            self._runtime.close_session(self._session_id)
            self._session_id = None

    async def run(
        self, page: str = "", query_string: str = "", *, timeout: float = 120.0
    ) -> RunReport:
        """Run one page in this session and return its :class:`RunReport`.

        A run that does not finish within ``timeout`` seconds comes back incomplete.
        """
        if self._session_id is None:
            raise RuntimeError("use InProcessSession in an `async with` block")
        report = RunReport(page=page.strip("/"))
        start = time.perf_counter()
        self._runtime.handle_backmsg(self._session_id, rerun_message(page, query_string))
        try:
            async with asyncio.timeout(timeout):
                while not report.read(await self._messages.get()):
                    pass
        except TimeoutError:
            pass
        report.seconds = time.perf_counter() - start
        return report
