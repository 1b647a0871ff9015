"""Every page says which step of the learning path it is, what it teaches, and where to go next."""

from __future__ import annotations

import pytest
from apptest_support import assert_clean, open_page

from nmf_lab.learning_path import LEARNING_PATH, goal_sentence


@pytest.mark.parametrize(
    "index", range(len(LEARNING_PATH)), ids=[s.page_file for s in LEARNING_PATH]
)
def test_page_shows_its_goal_above_and_the_next_step_below(index):
    step = LEARNING_PATH[index]
    at = open_page(step.page_file)
    assert_clean(at)
    captions = [caption.value for caption in at.caption]
    assert goal_sentence(step.page_file) in captions
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    markdown = " ".join(block.value for block in at.markdown)
    if index + 1 < len(LEARNING_PATH):
        nexts = [label for label in links if label.startswith("Next: ")]
        assert len(nexts) == 1, links
        assert f"Why next: {step.why_next}" in markdown
    else:
        assert not any(label.startswith("Next: ") for label in links)
        assert "end of the learning path" in markdown
    backs = [label for label in links if label.startswith("Back: ")]
    assert len(backs) == (1 if index > 0 else 0), links


def test_next_and_back_point_at_the_neighbouring_pages():
    # Home (step 1) leads to Change of basis; Choosing r leads on to the first application,
    # Sounds, and back to NMF vs SVD.
    home = open_page(LEARNING_PATH[0].page_file)
    links = {link.proto.label: link.proto.page for link in home.get("page_link")}
    assert links["Next: Change of basis"] == "change-of-basis"
    choosing = open_page("app_pages/choosing_r.py")
    links = {link.proto.label: link.proto.page for link in choosing.get("page_link")}
    assert links["Back: NMF vs SVD vs PCA"] == "nmf-vs-svd-pca"
    assert links["Next: Sounds"] == "sounds"
