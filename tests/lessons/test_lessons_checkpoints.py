"""Checkpoints as data: validation, verdicts, choosing among ranges, counting progress."""

from __future__ import annotations

import pytest

from nmf_lab.checkpoints import Checkpoint, Choice, pick, progress_counts
from nmf_lab.learning_path import LEARNING_PATH

# The pages whose widget keys use a short prefix instead of the page's file stem.
WIDGET_PREFIX = {
    "change_of_basis": "cob",
    "point_clouds": "pc",
    "images": "img",
    "watching_it_learn": "learn",
    "nmf_vs_svd_pca": "cmp",
    "choosing_r": "cr",
}


def _checkpoint(**overrides) -> Checkpoint:
    fields = dict(
        key="page_question",
        question="Which?",
        choices=(Choice("A", "because a"), Choice("B", "because b"), Choice("C", "because c")),
        correct=1,
        explanation="Look at the figure.",
    )
    fields.update(overrides)
    return Checkpoint(**fields)


def test_verdict_says_right_or_wrong_and_gives_that_answers_own_feedback():
    cp = _checkpoint()
    assert cp.verdict("B") == (True, "because b")
    assert cp.verdict("A") == (False, "because a")
    assert cp.verdict("C") == (False, "because c")
    assert cp.right_label == "B"
    assert cp.labels == ("A", "B", "C")


def test_an_unknown_answer_is_refused():
    with pytest.raises(ValueError, match="not an answer"):
        _checkpoint().verdict("D")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "Has Spaces"}, "lower-case"),
        ({"key": ""}, "lower-case"),
        ({"choices": (Choice("A", "a"),), "correct": 0}, "at least two"),
        ({"choices": (Choice("A", "a"), Choice("A", "b"))}, "repeated"),
        ({"correct": 3}, "not an index"),
        ({"correct": -1}, "not an index"),
        ({"question": "  "}, "question and an explanation"),
        ({"explanation": ""}, "question and an explanation"),
    ],
)
def test_a_malformed_checkpoint_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        _checkpoint(**overrides)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, 0), (0.004, 0), (0.005, 1), (0.07, 1), (0.10, 2), (3.0, 2)],
)
def test_pick_finds_the_range_a_value_falls_in(value, expected):
    assert pick([0.005, 0.10], value) == expected


def test_pick_refuses_thresholds_that_do_not_increase():
    with pytest.raises(ValueError, match="increase"):
        pick([0.1, 0.1], 0.0)


def test_progress_counts_only_the_keys_of_each_page():
    pages = [("Home", ("a", "b")), ("Images", ("c",)), ("Empty", ())]
    assert progress_counts(pages, {"a", "c", "elsewhere"}) == [
        ("Home", 1, 2),
        ("Images", 1, 1),
        ("Empty", 0, 0),
    ]


def test_checkpoint_keys_are_unique_across_the_path_and_prefixed_by_their_page():
    keys = [key for step in LEARNING_PATH for key in step.checkpoints]
    assert len(keys) == len(set(keys)), keys
    for step in LEARNING_PATH:
        stem = step.page_file.removeprefix("app_pages/").removesuffix(".py")
        prefix = WIDGET_PREFIX.get(stem, stem)
        for key in step.checkpoints:
            assert key.startswith((stem + "_", prefix + "_")), (step.page_file, key)
