"""A class opening the same view: the second visitor of each page draws no figure of its own.

What every visitor of a view sees is the same, so it is computed and drawn once
(``app_pages._shared.shared_result``, ``shared_figure``, ``shared_value``); the pages with
tests of their own for this (Images, Change of basis, NMF vs SVD vs PCA) are not repeated
here. The shared stores are emptied first, so that an earlier test's visit to the same view
does not do the first visitor's work.
"""

from __future__ import annotations

import pytest
from apptest_support import assert_a_second_visitor_draws_nothing, plotly_figures

VIEWS = [
    ("app_pages/home.py", {"home_rank": "1"}),
    ("app_pages/point_clouds.py", {"pc_rank": "1", "pc_dim": "3"}),
    ("app_pages/sounds.py", {"sounds_rank": "4"}),
    ("app_pages/stains.py", {"stains_rank": "3"}),
    ("app_pages/texts.py", {"texts_rank": "7"}),
    ("app_pages/choosing_r.py", {"cr_max_r": "6"}),
    ("app_pages/choosing_r.py", {"cr_part": "Cost"}),
]


@pytest.mark.parametrize(("page", "query"), VIEWS, ids=[f"{p}?{q}" for p, q in VIEWS])
def test_the_second_visitor_of_a_view_draws_no_figure(page, query):
    second = assert_a_second_visitor_draws_nothing(page, query)
    # Texts holds all but one figure back behind its first question.
    assert len(plotly_figures(second)) >= 1
