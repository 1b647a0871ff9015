"""An ASGI middleware that keeps a viewer's websocket messages to what a viewer may ask for.

Streamlit's browser client talks to the server over one websocket, ``/_stcore/stream``, in
binary ``BackMsg`` protobufs. The server trusts every message on it, and three of them let one
viewer of a deployed app hurt everyone else (Streamlit 1.67):

- ``clear_cache`` (what the app menu's "Clear cache" sends) empties ``st.cache_data`` and
  ``st.cache_resource`` for *every* session: one student's click makes the whole class
  recompute. ``client.toolbarMode = "viewer"`` only hides the menu item; the server still obeys
  the message. :class:`ViewerGuard` drops it, unless the toolbar is in ``"developer"`` mode
  (then the menu offers it and it works).
- a text frame makes Streamlit close the socket and raise (``KeyError: 'bytes'`` from
  Starlette), which the ASGI server logs as a traceback. The guard closes such a socket itself
  (code 1003) and logs one line; a frame whose top level is not a ``BackMsg`` is closed the same
  way (code 1002) instead of Streamlit's warning with a traceback.
- ``file_urls_request`` gets one upload URL per file name with no upper bound, so a crafted
  request for 100,000 names is answered with megabytes. The guard keeps the first
  :data:`MAX_UPLOAD_URLS` names; the pages take one file at a time.

Every other frame, and every message that is not on the stream route, passes through unchanged
(the same ``bytes`` object). Every frame a viewer sends passes here, so the guard does not parse
a frame unless it has to: a walk over the field numbers of the top level (a frame from the
frontend has exactly one) finds the two kinds above without decoding the widget states inside a
rerun; only those, and anything unusual, go to the C parser.

It lives in ``server/`` with the rest of the serving process (``serve.py`` puts it in its
``st.App`` middleware), apart from the pages; it is plain ASGI and imports no Starlette.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from streamlit import config
from streamlit.logger import get_logger
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.runtime_util import get_max_widget_state_size_bytes

from server.protocol import STREAM_PATH

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Upload URLs one file_urls_request may ask for. Every uploader of this app takes one file; a
# person dropping a folder on a multi-file uploader stays far below this.
MAX_UPLOAD_URLS: Final = 100
# RFC 6455 close codes.
CLOSE_UNSUPPORTED_DATA: Final = 1003
CLOSE_PROTOCOL_ERROR: Final = 1002

_LOGGER: Final = get_logger(__name__)

_CLEAR_CACHE_FIELD: Final = BackMsg.CLEAR_CACHE_FIELD_NUMBER
_FILE_URLS_REQUEST_FIELD: Final = BackMsg.FILE_URLS_REQUEST_FIELD_NUMBER
_APP_HEARTBEAT_FIELD: Final = BackMsg.APP_HEARTBEAT_FIELD_NUMBER
# A BackMsg from Streamlit's frontend has one top-level field (its oneof); past a few fields a
# frame is crafted, and the C parser is faster than walking many fields in Python.
_MAX_FIELDS_WALKED: Final = 4


class _BrokenFrame(Exception):
    """The frame ends inside a varint or a field."""


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    """Decode the base-128 varint at ``position``; return (value, position after it)."""
    value = shift = 0
    while shift < 70:
        if position >= len(data):
            raise _BrokenFrame
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
    raise _BrokenFrame


def _may_need_a_look(data: bytes) -> bool:
    """Whether the frame must be parsed: it may be a clear_cache or a file_urls_request.

    Walks the top-level fields of the protobuf wire format without decoding what is inside
    them. ``False`` only when the top level is well formed, short, and holds neither field
    number; in every other case (one of them present, an unusual wire type, a field number
    the C parser might read differently, a broken or long frame) the caller parses the frame
    with the C parser, which has the last word.

    Parameters
    ----------
    data : bytes
        One binary websocket frame.
    """
    position = 0
    fields = 0
    try:
        while position < len(data):
            fields += 1
            if fields > _MAX_FIELDS_WALKED:
                return True
            key, position = _read_varint(data, position)
            number, wire_type = key >> 3, key & 7
            if number in (0, _CLEAR_CACHE_FIELD, _FILE_URLS_REQUEST_FIELD) or key >= 2**32:
                return True
            if wire_type == 0:
                _, position = _read_varint(data, position)
            elif wire_type == 2:
                length, position = _read_varint(data, position)
                position += length
            elif wire_type == 1:
                position += 8
            elif wire_type == 5:
                position += 4
            else:
                return True
    except _BrokenFrame:
        return True
    return position != len(data)


def _asks_for_work(data: bytes) -> bool:
    """Whether a frame is a visitor's request (a rerun, a stop...), not a tab's heartbeat.

    An open tab sends heartbeats by itself while nobody touches it; everything else a viewer
    sends starts or changes work. The first field's number tells them apart.
    """
    try:
        key, _ = _read_varint(data, 0)
    except _BrokenFrame:
        return False
    return key >> 3 != _APP_HEARTBEAT_FIELD


def clear_cache_allowed() -> bool:
    """Whether viewers may clear the shared caches: only when the toolbar shows that command.

    ``client.toolbarMode = "developer"`` shows the developer menu (with "Clear cache") to every
    viewer; in every other mode the menu item is hidden (``"viewer"``, ``"minimal"``) or shown
    on localhost only (``"auto"``), and the websocket message is refused.
    """
    return config.get_option("client.toolbarMode") == "developer"


class ViewerGuard:
    """Pure-ASGI middleware guarding the ``/_stcore/stream`` websocket (see the module text).

    Parameters
    ----------
    app : ASGI application
        The application to wrap (Streamlit's Starlette app and its other middleware).
    max_upload_urls : int
        Most file names one ``file_urls_request`` keeps; the rest are dropped before Streamlit
        sees the request.
    on_request : callable, optional
        Called (with no arguments, on the event loop) for every frame a viewer sends that is
        not a heartbeat: how the session sweeper knows when the server is quiet.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_upload_urls: int = MAX_UPLOAD_URLS,
        on_request: Callable[[], object] | None = None,
    ) -> None:
        self.app = app
        self.max_upload_urls = max_upload_urls
        self.on_request = on_request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or not scope.get("path", "").endswith(STREAM_PATH):
            await self.app(scope, receive, send)
            return
        connection = _GuardedConnection(
            receive,
            send,
            max_upload_urls=self.max_upload_urls,
            allow_clear_cache=clear_cache_allowed(),
            on_request=self.on_request,
        )
        await self.app(scope, connection.receive, connection.send)


class _GuardedConnection:
    """The ``receive``/``send`` pair of one websocket connection, with the checks applied."""

    def __init__(
        self,
        receive: Receive,
        send: Send,
        *,
        max_upload_urls: int,
        allow_clear_cache: bool,
        on_request: Callable[[], object] | None = None,
    ) -> None:
        self._receive = receive
        self._on_request = on_request
        self._send = send
        self._max_upload_urls = max_upload_urls
        self._allow_clear_cache = allow_clear_cache
        self._closed_by_guard = False
        # Streamlit closes the socket on a frame over this size before it parses anything.
        self._max_frame_bytes = get_max_widget_state_size_bytes()

    async def send(self, message: Message) -> None:
        # After the guard closed the socket, Streamlit's sender may still flush queued
        # messages; the ASGI server would refuse a send after close with an error.
        if self._closed_by_guard:
            return
        await self._send(message)

    async def receive(self) -> Message:
        while True:
            message = await self._receive()
            if message["type"] != "websocket.receive":
                return message
            data = message.get("bytes")
            if data is None:
                return await self._close(
                    CLOSE_UNSUPPORTED_DATA,
                    "Closed a websocket that sent a text frame (Streamlit speaks binary "
                    "protobufs only).",
                )
            if self._on_request is not None and _asks_for_work(data):
                self._on_request()
            # Most frames are a rerun or a heartbeat: a look at the field numbers of the top
            # level tells that without parsing the widget states inside.
            if len(data) > self._max_frame_bytes or not _may_need_a_look(data):
                return message
            try:
                back_msg = BackMsg.FromString(data)
            # protobuf's DecodeError, caught as Streamlit's own handler catches it: naming it
            # would import protobuf, a dependency of Streamlit's that the app does not declare.
            except Exception:
                return await self._close(
                    CLOSE_PROTOCOL_ERROR,
                    f"Closed a websocket that sent a {len(data)}-byte frame that is not a BackMsg.",
                )
            kind = back_msg.WhichOneof("type")
            if kind == "clear_cache" and not self._allow_clear_cache:
                _LOGGER.warning(
                    "Ignored a clear_cache message from a viewer: the shared caches stay "
                    '(client.toolbarMode is not "developer").'
                )
                continue
            if kind == "file_urls_request":
                names = back_msg.file_urls_request.file_names
                if len(names) > self._max_upload_urls:
                    _LOGGER.warning(
                        "Cut a file_urls_request for %d upload URLs to the first %d.",
                        len(names),
                        self._max_upload_urls,
                    )
                    del names[self._max_upload_urls :]
                    return {"type": "websocket.receive", "bytes": back_msg.SerializeToString()}
            return message

    async def _close(self, code: int, log_line: str) -> Message:
        """Close the socket politely, log one line, and tell the app the client has gone."""
        _LOGGER.warning(log_line)
        await self._send({"type": "websocket.close", "code": code, "reason": ""})
        self._closed_by_guard = True
        return {"type": "websocket.disconnect", "code": code}
