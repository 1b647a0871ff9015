"""The learning path: the same pages in the same order as app.py, a goal and a reason for each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmf_lab.learning_path import LEARNING_PATH, goal_sentence, neighbours, step_index

ROOT = Path(__file__).resolve().parents[2]


def _app_page_files() -> list[str]:
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    return re.findall(r"st\.Page\(\s*\"(app_pages/[^\"]+\.py)\"", source)


def test_the_path_is_app_pys_navigation_in_order():
    files = _app_page_files()
    assert len(files) >= 7
    assert [step.page_file for step in LEARNING_PATH] == files


def test_every_step_has_a_goal_and_all_but_the_last_a_reason_to_go_on():
    for step in LEARNING_PATH:
        assert step.summary.strip() and step.goal.strip()
        assert not step.goal.endswith("."), "the goal completes a sentence that adds the stop"
    assert all(step.why_next.strip() for step in LEARNING_PATH[:-1])
    assert LEARNING_PATH[-1].why_next == ""


def test_neighbours_walk_the_path_and_stop_at_its_ends():
    first, last = LEARNING_PATH[0].page_file, LEARNING_PATH[-1].page_file
    assert neighbours(first) == (None, LEARNING_PATH[1])
    assert neighbours(last) == (LEARNING_PATH[-2], None)
    for index, step in enumerate(LEARNING_PATH):
        assert step_index(step.page_file) == index


def test_goal_sentence_names_the_step_and_the_goal():
    sentence = goal_sentence("app_pages/images.py")
    index = step_index("app_pages/images.py")
    assert sentence.startswith(f"Step {index + 1} of {len(LEARNING_PATH)} on the learning path.")
    assert sentence.endswith(LEARNING_PATH[index].goal + ".")


def test_a_page_off_the_path_is_refused():
    with pytest.raises(ValueError, match="not on the learning path"):
        step_index("app_pages/nowhere.py")
