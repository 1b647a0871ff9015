"""The protocol client's messages, built and read without a server."""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from server.protocol import RunReport, parse_forward, rerun_message, serialize, stream_url


def test_rerun_message_names_the_page_and_the_query_as_a_bookmark_does():
    message = rerun_message("/point-clouds/", "?pc_rank=3&seed=1")
    assert message.WhichOneof("type") == "rerun_script"
    assert message.rerun_script.page_name == "point-clouds"
    assert message.rerun_script.query_string == "pc_rank=3&seed=1"
    # No page hash and no widget state: the server resolves the page by its url_path.
    assert message.rerun_script.page_script_hash == ""
    assert len(message.rerun_script.widget_states.widgets) == 0


def test_rerun_message_for_the_default_page_is_empty():
    message = rerun_message()
    assert message.rerun_script.page_name == ""
    assert message.rerun_script.query_string == ""


def test_serialized_rerun_parses_back_as_the_same_backmsg():
    message = rerun_message("factor-an-image", "img_rank=8")
    parsed = BackMsg()
    parsed.ParseFromString(serialize(message))
    assert parsed == message


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://127.0.0.1:8501", "ws://127.0.0.1:8501/_stcore/stream"),
        ("http://127.0.0.1:8501/", "ws://127.0.0.1:8501/_stcore/stream"),
        ("https://lab.example.org/nmf", "wss://lab.example.org/nmf/_stcore/stream"),
        ("ws://localhost:9000", "ws://localhost:9000/_stcore/stream"),
    ],
)
def test_stream_url_follows_scheme_and_base_path(base, expected):
    assert stream_url(base) == expected


def test_stream_url_refuses_other_schemes():
    with pytest.raises(ValueError, match="ftp"):
        stream_url("ftp://127.0.0.1:8501")


def _finished(status: int) -> ForwardMsg:
    message = ForwardMsg()
    message.script_finished = status
    return message


def _element(kind: str) -> ForwardMsg:
    message = ForwardMsg()
    element = message.delta.new_element
    if kind == "exception":
        element.exception.type = "ImportError"
        element.exception.message = "partially initialized module 'pandas'"
    elif kind == "uploader":
        element.file_uploader.max_upload_size_mb = 10
    else:
        element.markdown.body = "text"
    return message


def _over_the_wire(message: ForwardMsg) -> ForwardMsg:
    return parse_forward(message.SerializeToString())


def test_a_clean_run_is_healthy_and_counts_what_it_drew():
    report = RunReport(page="point-clouds")
    session = ForwardMsg()
    session.new_session.page_script_hash = "abc123"
    session.new_session.config.toolbar_mode = 2
    navigation = ForwardMsg()
    for path, is_default in [("start", True), ("point-clouds", False)]:
        page = navigation.navigation.app_pages.add()
        page.url_pathname = path
        page.is_default = is_default
    block = ForwardMsg()
    block.delta.add_block.SetInParent()
    messages = [session, navigation, block, _element("text"), _element("uploader")]
    assert not any(report.read(_over_the_wire(m)) for m in messages)
    assert not report.finished and not report.healthy
    assert report.read(_over_the_wire(_finished(ForwardMsg.FINISHED_SUCCESSFULLY)))
    assert report.finished and report.healthy and report.status == "ok"
    assert report.elements == 3
    assert report.page_hash == "abc123"
    assert report.new_session.config.toolbar_mode == 2
    assert report.pages == ["", "point-clouds"]
    assert report.upload_limits_mb == [10]


def test_an_exception_element_makes_the_run_unhealthy():
    report = RunReport(page="factor-an-image")
    report.read(_element("exception"))
    report.read(_finished(ForwardMsg.FINISHED_SUCCESSFULLY))
    assert report.status == "ok"
    assert report.exceptions == ["ImportError: partially initialized module 'pandas'"]
    assert not report.healthy


def test_page_not_found_makes_the_run_unhealthy():
    report = RunReport(page="point-clouds")
    notice = ForwardMsg()
    notice.page_not_found.page_name = "point-clouds"
    report.read(notice)
    report.read(_finished(ForwardMsg.FINISHED_SUCCESSFULLY))
    assert report.page_not_found and not report.healthy


def test_a_compile_error_ends_the_run_unhealthy():
    report = RunReport(page="")
    event = ForwardMsg()
    event.session_event.script_compilation_exception.type = "SyntaxError"
    report.read(event)
    assert report.read(_finished(ForwardMsg.FINISHED_WITH_COMPILE_ERROR))
    assert report.status == "compile_error"
    assert report.exceptions == ["SyntaxError: "]
    assert not report.healthy


def test_a_run_finished_early_for_a_rerun_goes_on():
    report = RunReport(page="")
    assert not report.read(_finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN))
    assert not report.finished
    assert report.read(_finished(ForwardMsg.FINISHED_SUCCESSFULLY))
    assert report.healthy
