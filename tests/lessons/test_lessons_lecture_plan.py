"""nmf_lab.lecture_plan: demos, plans, the default plan and the plan link (no Streamlit)."""

from __future__ import annotations

import ast
import base64
import json
import random
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmf_lab import lecture_plan as lp
from nmf_lab.lecture_plan import (
    APP_KEYS,
    MAX_DEMOS,
    MAX_LINK_CHARS,
    PAGE_PATHS,
    Demo,
    Plan,
    PlanLinkError,
    app_base_url,
    clean_line,
    decode_plan,
    default_plan,
    demo_link,
    demo_query,
    encode_plan,
    plan_from_link,
    settings_from_query,
)

ROOT = Path(__file__).resolve().parents[2]


def _token_of(data: object) -> str:
    text = json.dumps(data).encode()
    return "1." + base64.urlsafe_b64encode(zlib.compress(text)).decode().rstrip("=")


def _app_url_paths() -> list[str]:
    paths = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            for keyword in node.keywords:
                if keyword.arg == "url_path":
                    paths.append(keyword.value.value)
    return paths


def test_page_paths_are_the_pages_of_app_py():
    assert list(PAGE_PATHS) == _app_url_paths()


# ------------------------------------------------------------------ the default plan


def test_default_plan_walks_the_storyline_in_order():
    plan = default_plan()
    assert 10 <= len(plan) <= 14
    pages = [demo.url_path for demo in plan.demos]
    # basis -> X = HW -> cone -> non-uniqueness -> images/parts -> loss -> SVD/PCA -> choosing r
    storyline = [
        "change-of-basis",
        "start",
        "point-clouds",
        "point-clouds",
        "factor-an-image",
        "factor-an-image",
        "watching-it-learn",
        "nmf-vs-svd-pca",
        "choosing-r",
        # then NMF in the wild, in the path's order
        "sounds",
        "stains",
        "texts",
    ]
    assert pages == storyline
    titles = [demo.title for demo in plan.demos]
    assert len(set(titles)) == len(titles)
    assert all(demo.talking_point for demo in plan.demos)
    assert all(demo.settings for demo in plan.demos), "a demo with no settings is just the page"


def test_default_plan_link_round_trips_and_is_short():
    plan = default_plan()
    token = encode_plan(plan)
    assert decode_plan(token) == plan
    # The default plan needs no parameter, but a copy of it must still fit in any URL.
    assert len(token) < 2000


def test_default_plan_is_the_same_object_each_call_in_value():
    assert default_plan() == default_plan()
    assert hash(default_plan().demos[0]) == hash(default_plan().demos[0])


# ------------------------------------------------------------------ Demo and Plan checks


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url_path": "nowhere"}, "unknown page"),
        ({"settings": {"Bad-Key": "1"}}, "not a widget key"),
        ({"settings": {"plan": "x"}}, "app parameter"),
        ({"settings": {"demo": "2"}}, "app parameter"),
        ({"settings": {"pc_rank": 3}}, "strings"),
        ({"settings": {"pc_rank": []}}, "non-empty list"),
        ({"settings": {"pc_rank": "x" * 201}}, "at most 200"),
        ({"settings": {f"k{i}": "1" for i in range(41)}}, "at most 40"),
        ({"title": ""}, "empty"),
        ({"title": "two\nlines"}, "one line"),
        ({"title": " padded"}, "one line"),
        ({"title": "x" * 81}, "at most 80"),
        ({"talking_point": "y" * 241}, "at most 240"),
        ({"talking_point": 5}, "must be text"),
    ],
)
def test_demo_rejects_bad_fields(kwargs, message):
    fields = {"url_path": "point-clouds", "settings": {"pc_rank": "3"}, "title": "T"}
    fields.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Demo(**fields)


def test_demo_settings_are_read_only_and_sorted():
    demo = Demo("point-clouds", {"pc_rank": "3", "pc_n": "200"}, "T")
    assert list(demo.settings) == ["pc_n", "pc_rank"]
    with pytest.raises(TypeError):
        demo.settings["pc_rank"] = "1"  # type: ignore[index]


def test_repeated_values_become_tuples_and_query_pairs():
    demo = Demo("choosing-r", {"cr_multi": ["a", "b"], "cr_one": "c"}, "T")
    assert demo.settings["cr_multi"] == ("a", "b")
    assert demo.query() == [("cr_multi", "a"), ("cr_multi", "b"), ("cr_one", "c")]


def test_plan_rejects_empty_too_long_and_bad_title():
    demo = Demo("start", {}, "T")
    with pytest.raises(ValueError, match="at least one demo"):
        Plan("P", ())
    with pytest.raises(ValueError, match=f"at most {MAX_DEMOS}"):
        Plan("P", (demo,) * (MAX_DEMOS + 1))
    with pytest.raises(ValueError, match="empty"):
        Plan("", (demo,))
    with pytest.raises(ValueError, match="demos, not"):
        Plan("P", ("start",))  # type: ignore[arg-type]


def test_plan_editing_returns_new_plans():
    a, b, c = (Demo("start", {"home_rank": str(r)}, f"D{r}") for r in (1, 2, 3))
    plan = Plan("P", (a, b))
    assert plan.with_demo(c).demos == (a, b, c)
    assert plan.with_demo(c, at=0).demos == (c, a, b)
    assert plan.without(0).demos == (b,)
    assert plan.moved(0, 1).demos == (b, a)
    assert plan.moved(1, 5).demos == (a, b)  # kept inside the plan
    assert plan.moved(1, -5).demos == (b, a)
    assert plan.replaced(1, c).demos == (a, c)
    assert plan.retitled("Q").title == "Q"
    assert plan.demos == (a, b)  # unchanged
    with pytest.raises(ValueError):
        Plan("P", (a,)).without(0)
    assert [plan.clamp(i) for i in (-3, 0, 1, 9)] == [0, 0, 1, 1]


def test_clean_line_makes_a_valid_title():
    assert clean_line("  two\nlines\t and   spaces ", 80) == "two lines and spaces"
    assert clean_line("x" * 100, 80) == "x" * 80
    assert clean_line("\x00\x07", 80) == ""
    Demo("start", {}, clean_line(" a\r\nb ", 80))


# ------------------------------------------------------------------ queries and links


def test_settings_from_query_drops_app_keys_and_keeps_repeats():
    query = {"pc_rank": ["3"], "plan": ["1.x"], "demo": ["2"], "lecture": ["true"], "m": ["a", "b"]}
    assert settings_from_query(query) == {"pc_rank": "3", "m": ("a", "b")}
    assert settings_from_query({"seed": "4"}) == {"seed": "4"}
    assert APP_KEYS >= {"plan", "demo", "lecture"}


def test_demo_query_and_link():
    demo = Demo("point-clouds", {"pc_rank": "3"}, "T")
    assert demo_query(demo, index=1, plan_token=None) == [("pc_rank", "3"), ("demo", "2")]
    assert demo_query(demo, index=0, plan_token="1.abc")[-1] == ("plan", "1.abc")
    assert (
        demo_link(demo, index=0, plan_token=None) == "/point-clouds?pc_rank=3&demo=1&lecture=true"
    )
    home = Demo("start", {"home_rank": "2"}, "T")
    assert demo_link(home, index=2, plan_token=None, lecture=False) == "/?home_rank=2&demo=3"


def test_demo_shows_compares_page_and_settings():
    demo = Demo("point-clouds", {"pc_rank": "3"}, "T")
    assert demo.shows("point-clouds", {"pc_rank": "3"})
    assert not demo.shows("point-clouds", {"pc_rank": "3", "pc_n": "200"})
    assert not demo.shows("point-clouds", {})
    assert not demo.shows("start", {"pc_rank": "3"})


# ------------------------------------------------------------------ bad links


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "empty"),
        ("garbage", "format 1"),
        ("2.eJwDAAAAAAE", "format 1"),
        ("1.!!!!", "damaged"),
        ("1." + base64.urlsafe_b64encode(b"not zlib").decode(), "damaged"),
        ("1." + base64.urlsafe_b64encode(zlib.compress(b"{not json")).decode(), "damaged"),
        ("1." + "A" * (MAX_LINK_CHARS + 1), "at most"),
        (_token_of([1, 2]), "expected an object"),
        (_token_of({"t": "P", "d": "x"}), "must be a list"),
        (_token_of({"t": "P", "d": []}), "at least one demo"),
        (_token_of({"t": "P", "d": [["start", {}, "T"]]}), r"demo 1 must be \[page"),
        (_token_of({"t": "P", "d": [["moon", {}, "T", ""]]}), "demo 1: unknown page"),
        (_token_of({"t": "P", "d": [["start", [], "T", ""]]}), "settings object"),
        (_token_of({"t": "P", "d": [["start", {"plan": "1"}, "T", ""]] * 2}), "app parameter"),
        (_token_of({"t": 3, "d": [["start", {}, "T", ""]]}), "must be text"),
    ],
)
def test_decode_plan_refuses_bad_links_with_a_reason(token, message):
    with pytest.raises(PlanLinkError, match=message):
        decode_plan(token)


def test_a_cut_off_link_is_refused():
    token = encode_plan(default_plan())
    with pytest.raises(PlanLinkError):
        decode_plan(token[: len(token) // 2])


def test_a_link_that_unpacks_to_too_much_is_refused():
    bomb = zlib.compress(b" " * (lp.MAX_JSON_BYTES * 4), 9)
    token = "1." + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(token) < MAX_LINK_CHARS
    with pytest.raises(PlanLinkError, match="too much"):
        decode_plan(token)


def test_encode_refuses_a_plan_too_big_for_a_link():
    draw = random.Random(0)

    def noise() -> str:
        return "".join(chr(0x4E00 + draw.randrange(20000)) for _ in range(lp.MAX_POINT_CHARS))

    demos = tuple(Demo("start", {"home_rank": "1"}, f"Demo {i}", noise()) for i in range(MAX_DEMOS))
    with pytest.raises(ValueError, match="at most"):
        encode_plan(Plan("P", demos))


def test_plan_from_link_falls_back_to_the_default_plan_with_a_message():
    assert plan_from_link(None) == (default_plan(), None)
    assert plan_from_link("") == (default_plan(), None)
    plan, message = plan_from_link("1.nonsense")
    assert plan == default_plan()
    assert message.startswith("Could not open this lecture plan: the plan link is damaged")
    custom = Plan("Mine", (Demo("start", {"home_rank": "1"}, "One"),))
    assert plan_from_link(encode_plan(custom)) == (custom, None)


# ------------------------------------------------------------------ round trip (hypothesis)

_line = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=120).map(
    lambda text: clean_line(text, 80)
)
_keys = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda key: key not in APP_KEYS
)
_values = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
_setting = st.one_of(_values, st.lists(_values, min_size=2, max_size=3).map(tuple))
_demos = st.builds(
    Demo,
    url_path=st.sampled_from(PAGE_PATHS),
    settings=st.dictionaries(_keys, _setting, max_size=5),
    title=_line.filter(bool),
    talking_point=_line,
)
_plans = st.builds(Plan, title=_line.filter(bool), demos=st.lists(_demos, min_size=1, max_size=6))


@settings(max_examples=50, deadline=None)
@given(_plans)
def test_every_plan_survives_its_link(plan):
    token = encode_plan(plan)
    assert token.startswith("1.")
    assert all(c.isalnum() or c in "-_." for c in token)
    assert decode_plan(token) == plan


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_a_link_gives_a_plan_never_a_crash(token):
    plan, message = plan_from_link(token)
    assert isinstance(plan, Plan)
    assert (message is None) == (not token or _decodes(token))
    if message is not None:
        assert plan == default_plan()


def _decodes(token: str) -> bool:
    try:
        decode_plan(token)
    except PlanLinkError:
        return False
    return True


@pytest.mark.parametrize(
    ("page_url", "url_path", "base"),
    [
        ("http://127.0.0.1:8501/sounds", "sounds", "http://127.0.0.1:8501"),
        ("http://127.0.0.1:8501/sounds/", "sounds", "http://127.0.0.1:8501"),
        ("http://127.0.0.1:8501/", "start", "http://127.0.0.1:8501"),
        ("http://127.0.0.1:8501", "", "http://127.0.0.1:8501"),
        # Behind a proxy that serves the app under a path of its own.
        ("https://example.org/nmf-lab/choosing-r", "choosing-r", "https://example.org/nmf-lab"),
        ("https://example.org/nmf-lab", "start", "https://example.org/nmf-lab"),
        # A base path that happens to end like a page is kept when that page is not on screen.
        ("https://example.org/texts", "start", "https://example.org/texts"),
        ("", "sounds", ""),
    ],
)
def test_the_app_base_url_drops_the_page_on_screen_and_nothing_else(page_url, url_path, base):
    assert app_base_url(page_url, url_path) == base


def test_a_link_made_on_any_page_opens_the_demo_page_itself():
    demo = Demo("change-of-basis", {"cob_n": "10"}, "Ten points", "A small cloud.")
    for path in PAGE_PATHS:
        shown = "" if path == "start" else path
        link = app_base_url(f"http://host:8501/{shown}", path) + demo_link(
            demo, index=0, plan_token=None
        )
        assert link.startswith("http://host:8501/change-of-basis?"), (path, link)
