"""The app frame starts on every page of the navigation."""

import pytest
from apptest_support import assert_clean, open_page

PAGES = [
    "app_pages/home.py",
    "app_pages/change_of_basis.py",
    "app_pages/point_clouds.py",
    "app_pages/images.py",
    "app_pages/watching_it_learn.py",
    "app_pages/nmf_vs_svd_pca.py",
    "app_pages/choosing_r.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_through_the_app_frame(page):
    at = open_page(page)
    assert_clean(at)
    assert at.sidebar.number_input(key="seed").value == 0
