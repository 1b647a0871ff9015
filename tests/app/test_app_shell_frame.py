"""The app frame: shared sidebar state from the URL, hostile query strings, lecture mode, config."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from apptest_support import assert_clean, open_page
from streamlit import config as st_config

ROOT = Path(__file__).resolve().parents[2]

HOSTILE_QUERIES = [
    {"seed": "-5", "lecture": "maybe", "rank": "<script>alert(1)</script>"},
    {"seed": "1e309", "lecture": "2", "cob_dim": "99"},
    {"seed": "nan", "lecture": "", "cob_preset": "'; DROP TABLE x; --"},
    {"seed": "", "lecture": "yes please", "home_rank": "-1"},
    {"seed": "inf", "lecture": "-inf", "home_rank": "NaN"},
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_query_strings_fall_back_to_defaults(query):
    at = open_page("app_pages/home.py", query=query)
    assert_clean(at)
    assert at.sidebar.number_input(key="seed").value == 0
    assert at.sidebar.toggle(key="lecture").value is False


def test_valid_sidebar_query_is_applied():
    at = open_page("app_pages/home.py", query={"seed": "7", "lecture": "true"})
    assert_clean(at)
    assert at.sidebar.number_input(key="seed").value == 7
    assert at.sidebar.toggle(key="lecture").value is True


def test_the_seed_and_lecture_mode_can_be_changed():
    at = open_page("app_pages/home.py")
    at.sidebar.number_input(key="seed").set_value(11).run()
    at.sidebar.toggle(key="lecture").set_value(True).run()
    assert_clean(at)
    assert at.sidebar.number_input(key="seed").value == 11
    assert at.sidebar.toggle(key="lecture").value is True


def _config() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as handle:
        return tomllib.load(handle)


def test_every_config_key_is_a_known_streamlit_option():
    options = st_config.get_config_options()
    for section, values in _config().items():
        for key in values:
            name = f"{section}.{key}"
            assert name in options, f"{name} is not a Streamlit {st_config.__name__} option"
            assert not options[name].deprecated, f"{name} is deprecated"


def test_deployment_settings_are_safe_for_a_public_server():
    settings = _config()
    assert settings["server"]["enableXsrfProtection"] is True
    assert 1 <= settings["server"]["maxUploadSize"] <= 50
    assert settings["client"]["showErrorDetails"] == "none"
    assert settings["browser"]["gatherUsageStats"] is False
    # Watching the source rescans every imported module on every run of every session.
    assert settings["server"]["fileWatcherType"] == "none"


def test_the_server_collects_garbage_every_sweep_not_after_every_run():
    # Streamlit's full collection after each run walked the whole heap for every visitor; the
    # session sweeper collects instead (its own tests show it frees what becomes garbage).
    assert _config()["runner"]["postScriptGC"] is False
    import serve

    assert serve.sweeper.refreeze is serve.warm_start.freeze_heap is True
    assert serve.sweeper.interval <= 60
