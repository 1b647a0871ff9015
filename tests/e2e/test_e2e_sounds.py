"""The Sounds page in a real browser: players with sound behind them, figures drawn, controls."""

from __future__ import annotations

import pytest
from e2e_support import assert_page_healthy, rerun, wait_for_script
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

URL_PATH = "sounds"


def _audio_sources(main) -> list[str]:
    return main.locator("audio").evaluate_all("(players) => players.map((a) => a.src)")


def test_default_view_has_players_with_sound_and_draws_its_figures(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(
        main.get_by_role("heading", name="What NMF found at r = 5 with the KL loss")
    ).to_be_visible()
    # The mix, five components and the residual; r = 2 and r = 8 wait for their checkpoints.
    expect(main.locator("audio")).to_have_count(1 + 6)
    sources = _audio_sources(main)
    assert all(source for source in sources), sources
    # Each player's source is a WAV file the browser can fetch and decode the length of.
    duration = main.locator("audio").first.evaluate(
        """(player) => new Promise((resolve) => {
            if (player.readyState >= 1) { resolve(player.duration); return; }
            player.addEventListener('loadedmetadata', () => resolve(player.duration));
            player.load();
        })"""
    )
    assert duration == pytest.approx(3.5, abs=0.05)
    # The spectrogram, the spectra and the activations are drawn.
    expect(main.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')).to_have_count(3)
    expect(main.get_by_text("Notes with a component of their own", exact=True)).to_be_visible()


def test_switching_to_frobenius_reruns_with_its_players(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}?sounds_rank=3")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(
        main.get_by_role("heading", name="What NMF found at r = 3 with the KL loss")
    ).to_be_visible()
    with rerun(page):
        main.get_by_role("radiogroup", name="Loss").get_by_text("Frobenius", exact=True).click()
    assert_page_healthy(page)
    expect(
        main.get_by_role("heading", name="What NMF found at r = 3 with the Frobenius loss")
    ).to_be_visible()
    assert "sounds_loss=Frobenius" in page.url
    expect(main.locator("audio")).to_have_count(1 + 4)
    assert all(_audio_sources(main))
    expect(
        main.get_by_text("Component 3 holds A4 and G4 together: you hear both in it.")
    ).to_be_visible()


def test_answering_a_checkpoint_opens_the_players_at_r_2(app_server, page):
    page.goto(f"{app_server}/{URL_PATH}")
    wait_for_script(page)
    assert_page_healthy(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.locator("audio")).to_have_count(1 + 6)
    question = main.locator(".st-key-checkpoint_sounds_too_few")
    with rerun(page):
        question.get_by_text("At least one plays several notes at once", exact=True).click()
    assert_page_healthy(page)
    expect(question.get_by_text("Right.", exact=False)).to_be_visible()
    expect(main.get_by_text("At r = 2", exact=True)).to_be_visible()
    expect(main.locator("audio")).to_have_count(1 + 6 + 3)
    assert all(_audio_sources(main))
