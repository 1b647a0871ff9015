"""Hostile and stale links in Chromium: no link takes the app down, a stale one is explained.

AppTest does not load a query string the way a browser does (it runs twice and the second run
sees the corrected URL), so ``?seed=inf`` passed there and failed in the browser. Here every
page is opened with every bound widget of that page set to a hostile value at once. The bound
keys are read from the page sources (every ``bind="query-params"`` call), so a new bound widget
gets a hostile value without editing this file, and a widget that none of the loads renders
fails the coverage check until a load shows it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from e2e_support import (
    ROOT,
    SERVER_LOG,
    answer_checkpoint,
    app_pages,
    assert_page_healthy,
    wait_for_script,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NOTICE_TITLE = "This link asked for settings this page cannot show as they are"
# Keys written as expressions in a loop: what they expand to. A new expression fails the scan.
KEY_EXPANSIONS = {
    "f'cob_p{i + 1}'": [f"cob_p{i}" for i in (1, 2, 3)],
    "f'cob_b{i + 1}{j + 1}'": [f"cob_b{i}{j}" for i in (1, 2, 3) for j in (1, 2, 3)],
    "name.lower()": ["l1_h", "l1_w", "l2_h", "l2_w"],
}
# Hostile values per kind of widget: none of them is a setting, so each widget falls back to
# its default (and the key leaves the URL). Several per kind, handed out in turn.
HOSTILE_BY_KIND = {
    "number_input": ["inf", "-1e309", "1e309", "nan"],
    "slider": ["nan", "-inf", "1e309", "junk", ""],
    "selectbox": ["<script>alert(1)</script>", "", "'; DROP TABLE x; --"],
    "radio": ["99", "", "<b>"],
    "select_slider": ["inf", "junk"],
    "toggle": ["maybe", "-inf"],
    "tabs": ["../../etc/passwd"],
}
# The four links of the issue, one per page load (the sidebar seed is on every page).
ISSUE_SEEDS = ["inf", "1e309", "-1e309", ["1", "2", "inf"]]
LONG_TEXT = "1 1 1; " * 700
# Valid settings that make conditional widgets appear, each on top of an all-hostile load. The
# hostile values resolve to defaults, which the warm start has computed; a driver load leaves that
# cache, so it pins cheap valid settings too (the keys it sets are checked by the first load).
DRIVERS = {
    "app_pages/change_of_basis.py": [
        {"cob_dim": "3-D", "cob_sh_f": "Pure Y_l^m"},
        {"cob_sh_f": "Your coefficients"},
    ],
    "app_pages/choosing_r.py": [{"cr_part": "Penalties"}, {"cr_part": "Cost"}],
    # The channel picker needs a colour picture in rgb (camera is grey, so rgb alone shows
    # nothing new); chelsea is the smallest colour sample, and a random start at rank 2 for one
    # iteration skips the start-point SVD and the long run.
    "app_pages/images.py": [
        {
            "img_src": "chelsea",
            "img_color": "rgb",
            "img_rank": "2",
            "img_init": "random",
            "img_iters": "1",
        }
    ],
    "app_pages/nmf_vs_svd_pca.py": [{"cmp_data": "Image"}],
}
# Checkpoints a driver load answers first: the figures and widgets they hold back show then.
DRIVER_ANSWERS = {(("cr_part", "Penalties"),): ("cr_penalty_zeros",)}


def bound_widgets(path: Path) -> list[tuple[str, str]]:
    """``(key, widget kind)`` of every bound widget in a page script, read with ``ast``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        bind = keywords.get("bind")
        if not (isinstance(bind, ast.Constant) and bind.value == "query-params"):
            continue
        # url_widget(st.slider, ...) or, before the layer, st.slider(...).
        widget = node.args[0] if isinstance(node.func, ast.Name) and node.args else node.func
        kind = widget.attr if isinstance(widget, ast.Attribute) else ast.unparse(widget)
        key = keywords["key"]
        if isinstance(key, ast.Constant):
            keys = [key.value]
        elif isinstance(key, ast.Name):
            keys = [_module_constant(path, key.id)]
        else:
            source = ast.unparse(key)
            assert source in KEY_EXPANSIONS, f"{path.name}: add {source!r} to KEY_EXPANSIONS"
            keys = KEY_EXPANSIONS[source]
        found += [(k, kind) for k in keys]
    return found


def _module_constant(path: Path, name: str) -> str:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name}: key constant {name} not found")


SIDEBAR = bound_widgets(ROOT / "app_pages" / "_shared.py")
PAGES = app_pages()


def hostile_query(widgets: list[tuple[str, str]], seed) -> dict[str, str | list[str]]:
    turns: dict[str, int] = {}
    query: dict[str, str | list[str]] = {}
    for key, kind in widgets:
        if kind == "text_input":
            query[key] = LONG_TEXT
            continue
        values = HOSTILE_BY_KIND[kind]
        query[key] = values[turns.get(kind, 0) % len(values)]
        turns[kind] = turns.get(kind, 0) + 1
    query["seed"] = seed
    return query


def _url(base: str, app_page: dict, query: dict) -> str:
    return f"{base}/{app_page['url_path']}?{urlencode(query, doseq=True)}"


def _rendered_keys(page) -> set[str]:
    classes = page.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-"]')]
            .flatMap(element => [...element.classList])"""
    )
    return {name.removeprefix("st-key-") for name in classes if name.startswith("st-key-")}


def _log_tail(start: int) -> str:
    return SERVER_LOG.read_bytes()[start:].decode(errors="replace") if SERVER_LOG.exists() else ""


def _log_size() -> int:
    return SERVER_LOG.stat().st_size if SERVER_LOG.exists() else 0


def _assert_numbers_valid(page) -> None:
    """Every slider and number box shows a finite number; a slider's lies within its range."""
    problems = page.evaluate(
        """() => [...document.querySelectorAll('input[type=range], input[type=number]')]
            .filter(input => {
                const value = Number(input.value);
                if (input.value === '' || !Number.isFinite(value)) { return true; }
                if (input.type !== 'range') { return false; }
                return value < Number(input.min) || value > Number(input.max);
            })
            .map(input => `${input.getAttribute('aria-label')}=${input.value}`)"""
    )
    assert not problems, problems


def _open(page, url: str, answers: tuple[str, ...] = ()) -> None:
    log_start = _log_size()
    page.goto(url)
    wait_for_script(page)
    expect(page.get_by_text("This app has encountered an error")).to_have_count(0)
    if answers:
        # The stale-link notice is the first run's: check it before an answer reruns the page.
        _expect_seed_notice(page)
        for key in answers:
            answer_checkpoint(page, key)
    assert_page_healthy(page)
    _assert_numbers_valid(page)
    log = _log_tail(log_start)
    assert "Traceback" not in log and "Error" not in log, log[-3000:]


def _expect_seed_notice(page) -> None:
    notice = page.locator('[data-testid="stAlert"]').filter(has_text=NOTICE_TITLE)
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Seed")


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[p["url_path"] or "root" for p in PAGES])
def test_every_bound_widget_of_a_page_survives_a_hostile_link(index, app_server, page):
    app_page = PAGES[index]
    widgets = SIDEBAR + bound_widgets(ROOT / app_page["file"])
    keys = {key for key, _ in widgets}
    assert len(keys) == len(widgets), "a key is bound twice"
    loads = [{}, *DRIVERS.get(app_page["file"], [])]
    rendered: set[str] = set()
    for number, drivers in enumerate(loads):
        query = hostile_query(widgets, ISSUE_SEEDS[(index + number) % len(ISSUE_SEEDS)])
        query.update(drivers)
        answers = DRIVER_ANSWERS.get(tuple(sorted(drivers.items())), ())
        _open(page, _url(app_server, app_page, query), answers)
        shown = _rendered_keys(page) & keys
        rendered |= shown
        left = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
        for key in shown - set(drivers):
            value = left.get(key)
            # Every hostile value fell back to the default and left the URL; only the long
            # text stays, cut to its box.
            assert value is None or (query[key] == LONG_TEXT and len(value[0]) <= 300), (key, value)
        if not answers:
            _expect_seed_notice(page)
    assert rendered == keys, f"never rendered by a hostile load: {sorted(keys - rendered)}"


def test_the_scan_finds_every_bound_widget():
    # Guards the scan: every page has bound widgets, the sidebar two, about 70 in all.
    assert {key for key, _ in SIDEBAR} == {"seed", "lecture"}
    counts = {p["file"]: len(bound_widgets(ROOT / p["file"])) for p in PAGES}
    assert all(counts.values()), counts
    assert sum(counts.values()) + len(SIDEBAR) >= 65, counts


def _slider_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input[type=range]").input_value()


def test_stale_links_open_at_the_nearest_valid_setting_and_say_so(app_server, page):
    home = next(p for p in PAGES if p["file"] == "app_pages/home.py")
    _open(page, _url(app_server, home, {"home_rank": "80", "home_noise": "0.33", "seed": "-5"}))
    assert _slider_value(page, "home_rank") == "6"
    assert _slider_value(page, "home_noise") == "0.35"
    expect(page.locator(".st-key-seed input")).to_have_value("0")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text=NOTICE_TITLE)
    expect(notice).to_contain_text("Rank r: the link asks for '80'; the largest allowed here is 6")
    expect(notice).to_contain_text("steps of 0.05, so 0.35 is shown")
    expect(notice).to_contain_text("Seed: the link asks for '-5'; the smallest allowed here is 0")
    assert parse_qs(urlsplit(page.url).query) == {"home_rank": ["6"], "home_noise": ["0.35"]}

    learn = next(p for p in PAGES if p["file"] == "app_pages/watching_it_learn.py")
    query = {"learn_data": "Toy cloud 2-D", "learn_solver": "SGD", "seed": str(2**40)}
    _open(page, _url(app_server, learn, query))
    expect(page.locator(".st-key-learn_data input")).to_have_value("Cloud 2-D")
    expect(page.locator(".st-key-seed input")).to_have_value(str(2**31 - 1))
    notice = page.locator('[data-testid="stAlert"]').filter(has_text=NOTICE_TITLE)
    expect(notice).to_contain_text("'Toy cloud 2-D', which is now called 'Cloud 2-D'")
    expect(notice).to_contain_text(re.compile(r"'SGD', which is not one of the options"))
    expect(notice).to_contain_text("the largest allowed here is 2147483647")
    left = parse_qs(urlsplit(page.url).query)
    assert left == {"learn_data": ["Cloud 2-D"], "seed": [str(2**31 - 1)]}
