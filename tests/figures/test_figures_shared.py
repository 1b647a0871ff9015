"""SharedFigure: the same JSON as the figure it shares, encoded once, copies handed out."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io
import plotly.tools
import pytest
from plotly.subplots import make_subplots

from nmf_lab.figures.shared import SharedFigure, share_figures
from nmf_lab.figures.style import for_projector


def _figure() -> go.Figure:
    rng = np.random.default_rng(0)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("a heatmap", "a line"))
    fig.add_trace(go.Heatmap(z=rng.random((30, 40)), colorscale="Viridis"), row=1, col=1)
    fig.add_trace(go.Scatter(x=np.arange(50), y=rng.random(50), name="loss"), row=1, col=2)
    fig.update_layout(title="two panels", height=300)
    # An empty setting, as some of the app's figures have: a copy of the figure drops it.
    fig.update_layout(xaxis2={"title": {}})
    return fig


def _holds_an_array(value) -> bool:
    if isinstance(value, np.ndarray):
        return True
    if isinstance(value, dict):
        return any(_holds_an_array(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_an_array(v) for v in value)
    return False


def _as_streamlit_sends_it(fig: go.Figure) -> str:
    # What st.plotly_chart (Streamlit 1.67) does to a figure before it is sent.
    as_dict = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    return plotly.io.to_json(as_dict, validate=False)


def test_a_shared_figure_is_sent_exactly_as_the_figure_it_shares():
    fig = _figure()
    shared = SharedFigure(fig)
    assert _as_streamlit_sends_it(shared) == _as_streamlit_sends_it(fig)
    assert json.loads(_as_streamlit_sends_it(shared))["layout"]["title"]["text"] == "two panels"


def test_its_dict_is_encoded_once_with_no_numpy_array_left_to_encode():
    fig = _figure()
    shared = SharedFigure(fig)
    assert not _holds_an_array(shared._shared_dict)
    assert "bdata" in json.dumps(shared._shared_dict), "arrays are held as plotly's base64"


def test_every_caller_gets_its_own_copy_of_the_dict():
    shared = SharedFigure(_figure())
    first = shared.to_dict()
    first["data"][0].pop("z")
    first["layout"]["title"]["text"] = "changed"
    second = shared.to_dict()
    assert "z" in second["data"][0]
    assert second["layout"]["title"]["text"] == "two panels"


def test_the_projector_copy_of_a_shared_figure_leaves_it_as_it_was():
    fig = _figure()
    shared = SharedFigure(fig)
    before = _as_streamlit_sends_it(shared)
    enlarged = for_projector(shared, scale=2.0)
    assert _as_streamlit_sends_it(enlarged) != before
    assert _as_streamlit_sends_it(shared) == before


@pytest.mark.parametrize("container", [tuple, list])
def test_share_figures_shares_each_figure_of_a_tuple_or_list_and_nothing_else(container):
    figures = container([_figure(), _figure()])
    shared = share_figures(figures)
    assert type(shared) is container
    assert all(isinstance(fig, SharedFigure) for fig in shared)
    table = {"a": [1, 2]}
    assert share_figures(table) is table
    once = shared[0]
    assert share_figures(once) is once
