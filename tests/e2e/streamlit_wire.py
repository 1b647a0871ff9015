"""A small client of Streamlit's own websocket protocol, for tests that craft messages.

A browser only sends what Streamlit's frontend sends; these tests need to send what a crafted
client could (a ``clear_cache`` with the menu hidden, a text frame, a ``file_urls_request``
for 100,000 files, an upload under a wrong name). :class:`WireSession` speaks the protocol of
``/_stcore/stream``: binary ``BackMsg`` protobufs up, ``ForwardMsg`` protobufs down. It builds
on :mod:`server.protocol` (the rerun message, the stream URL) and adds what that client, made
to run pages, has no need for: one session kept open across runs, widget states, uploads,
heartbeats, any frame.

Imported by name (``from streamlit_wire import WireSession``), like ``e2e_support``.
"""

from __future__ import annotations

import re
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import ClientConnection, connect

from server.protocol import SUBPROTOCOL, parse_forward, rerun_message, stream_url

WIRE_TIMEOUT = 90.0


@dataclass
class RunResult:
    """What one script run sent: its elements (the ``Element`` protos) and every message."""

    messages: list[ForwardMsg] = field(default_factory=list)

    @property
    def elements(self) -> list:
        return [
            m.delta.new_element
            for m in self.messages
            if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"
        ]

    def of_type(self, kind: str) -> list:
        """The elements of one kind (``"alert"``, ``"exception"``, ``"file_uploader"``...)."""
        return [getattr(e, kind) for e in self.elements if e.WhichOneof("type") == kind]

    def alerts(self) -> list[str]:
        return [alert.body for alert in self.of_type("alert")]


class WireSession:
    """One Streamlit session over a raw websocket (a context manager).

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:<port>`` of a running server.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.xsrf_cookie = _xsrf_cookie(self.base_url)
        self._connection = connect(
            stream_url(self.base_url),
            subprotocols=[SUBPROTOCOL],
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf_cookie}"},
            max_size=None,
            open_timeout=WIRE_TIMEOUT,
        )
        self.ws: ClientConnection = self._connection.__enter__()
        self.session_id = ""

    def __enter__(self) -> WireSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._connection.__exit__(None, None, None)

    # ------------------------------------------------------------------ sending
    def send(self, back_msg: BackMsg) -> None:
        self.ws.send(back_msg.SerializeToString())

    def receive(self, timeout: float = WIRE_TIMEOUT) -> ForwardMsg:
        """The next ForwardMsg (raises ``TimeoutError``, or ``ConnectionClosed`` once closed)."""
        data = self.ws.recv(timeout=timeout)
        message = parse_forward(data)
        if message.WhichOneof("type") == "new_session" and message.new_session.initialize:
            self.session_id = message.new_session.initialize.session_id or self.session_id
        return message

    def receive_until(
        self, done: Callable[[ForwardMsg], bool], timeout: float = WIRE_TIMEOUT
    ) -> list[ForwardMsg]:
        """Every message up to and including the first one for which ``done`` holds."""
        deadline = time.monotonic() + timeout
        messages = []
        while True:
            message = self.receive(timeout=max(deadline - time.monotonic(), 0.01))
            messages.append(message)
            if done(message):
                return messages

    def run(
        self,
        page_name: str = "",
        query_string: str = "",
        widget_states: list[WidgetState] | None = None,
    ) -> RunResult:
        """Ask for a script run of one page and return what it sent, up to ``script_finished``."""
        back_msg = rerun_message(page_name, query_string)
        for widget in widget_states or []:
            back_msg.rerun_script.widget_states.widgets.append(widget)
        self.send(back_msg)
        return RunResult(self.receive_until(lambda m: m.WhichOneof("type") == "script_finished"))

    def heartbeat(self) -> None:
        """Round trip through the server: every message sent before has been handled."""
        back_msg = BackMsg()
        back_msg.app_heartbeat = True
        self.send(back_msg)
        self.receive_until(lambda m: m.WhichOneof("type") == "heartbeat_ack")

    def clear_cache(self) -> None:
        """Send what the app menu's "Clear cache" sends."""
        back_msg = BackMsg()
        back_msg.clear_cache = True
        self.send(back_msg)

    def request_upload_urls(self, file_names: list[str]) -> tuple[list[FileURLs], int]:
        """Send a ``file_urls_request``; return the URLs answered and the answer's size in bytes."""
        back_msg = BackMsg()
        request = back_msg.file_urls_request
        request.request_id = uuid.uuid4().hex
        request.session_id = self.session_id
        request.file_names.extend(file_names)
        self.send(back_msg)
        while True:
            data = self.ws.recv(timeout=WIRE_TIMEOUT)
            message = parse_forward(data)
            if (
                message.WhichOneof("type") == "file_urls_response"
                and message.file_urls_response.response_id == request.request_id
            ):
                return list(message.file_urls_response.file_urls), len(data)

    def upload(self, urls: FileURLs, name: str, data: bytes, content_type: str) -> int:
        """PUT one file to its upload URL as the frontend does; return the HTTP status."""
        boundary = uuid.uuid4().hex
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base_url + urls.upload_url,
            data=body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Xsrftoken": self.xsrf_cookie,
                "Cookie": f"_streamlit_xsrf={self.xsrf_cookie}",
            },
        )
        with urllib.request.urlopen(request, timeout=WIRE_TIMEOUT) as response:
            return response.status


def uploaded_file_state(widget_id: str, urls: FileURLs, name: str, size: int) -> WidgetState:
    """The widget state a file_uploader reports after one file was uploaded to ``urls``."""
    widget = WidgetState(id=widget_id)
    info = widget.file_uploader_state_value.uploaded_file_info.add()
    info.file_id = urls.file_id
    info.name = name
    info.size = size
    info.file_urls.CopyFrom(urls)
    return widget


def _xsrf_cookie(base_url: str) -> str:
    """The XSRF cookie the server hands out (with the health check, as to the frontend)."""
    with urllib.request.urlopen(base_url + "/_stcore/health", timeout=WIRE_TIMEOUT) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            if "_streamlit_xsrf" in cookie:
                return cookie["_streamlit_xsrf"].value
    return ""


def cache_lookups(base_url: str, function: str) -> dict[str, int]:
    """Hits and misses of one cached function so far, from ``/_stcore/metrics``.

    ``st.cache_data`` and ``st.cache_resource`` (a page's ``shared_result``) both count.

    The counters live as long as the server process (a cleared cache keeps them), so a miss
    that did not happen between two readings is a run that was served from the cache.

    Parameters
    ----------
    function : str
        The cached function's name as the metrics label it (``"fit"`` for a page's ``fit``).
    """
    url = base_url + "/_stcore/metrics?families=cache_lookups"
    with urllib.request.urlopen(url, timeout=WIRE_TIMEOUT) as response:
        text = response.read().decode()
    pattern = (
        r'cache_lookups_total\{cache="[\w.]*\b' + re.escape(function) + r'",'
        r'cache_type="st_cache_(?:data|resource)",result="(\w+)"\} (\d+)'
    )
    counts = {"hit": 0, "miss": 0}
    counts.update({result: int(count) for result, count in re.findall(pattern, text)})
    return counts
