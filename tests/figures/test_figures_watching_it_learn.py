"""The frames of a recorded run and the race figures: what each trace shows, fixed axes, size."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.io as pio
import pytest
from PIL import Image

from nmf_lab.demo_data import learning_data
from nmf_lab.figures.watching_it_learn import (
    FACE_GAP,
    face_mosaic,
    factor_frame_figure,
    frame_caption,
    loss_frame_figure,
    race_figure,
)
from nmf_lab.lessons.watching_it_learn import (
    MAX_FRAMES,
    initialize_start,
    race,
    record_run,
)


def _recording(key: str, rank: int, iters: int = 100, solver: str = "mu"):
    data = learning_data(key, seed=0)
    start = initialize_start(data.X, rank, seed=0)
    return data, record_run(data.X, rank, start=start, solver=solver, max_iter=iters)


@pytest.fixture(scope="module")
def faces_run():
    return _recording("faces", 6)


def test_loss_frame_draws_the_loss_up_to_its_iteration(faces_run):
    _, rec = faces_run
    ranges = set()
    for frame, (iteration, loss) in enumerate(zip(rec.iterations, rec.losses, strict=True)):
        fig = loss_frame_figure(rec, frame)
        curve, marker = fig.data
        assert len(curve.y) == iteration + 1
        np.testing.assert_allclose(curve.y, rec.result.losses[: iteration + 1], rtol=1e-6)
        assert marker.x[0] == iteration
        assert marker.y[0] == pytest.approx(loss, rel=1e-6)
        ranges.add((tuple(fig.layout.xaxis.range), tuple(fig.layout.yaxis.range)))
    # The axes hold the whole run on every frame, so only the curve moves.
    assert len(ranges) == 1
    ((x_range, y_range),) = ranges
    assert x_range[1] >= rec.result.n_iter and y_range[1] >= rec.result.losses.max()
    # The loss falls over the run: the last frame ends lower than the first.
    assert rec.losses[-1] < rec.losses[0]


def test_loss_frame_on_a_log_axis():
    _, rec = _recording("cloud2", 2, iters=20)
    fig = loss_frame_figure(rec, rec.n_frames - 1, log_scale=True)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.range[0] <= np.log10(rec.result.losses.min())


def test_frame_caption_names_position_iteration_and_loss(faces_run):
    _, rec = faces_run
    assert frame_caption(rec, 0) == f"Frame 1 of {rec.n_frames} · iteration 0 · loss " + (
        f"{rec.losses[0]:.4g}"
    )
    last = rec.n_frames - 1
    assert frame_caption(rec, last).startswith(f"Frame {rec.n_frames} of {rec.n_frames} · ")
    assert f"iteration {rec.iterations[-1]} " in frame_caption(rec, last)


@pytest.mark.parametrize("frame", [-1, 60, 1.5, True, "3"])
def test_frames_outside_the_run_are_refused(faces_run, frame):
    data, rec = faces_run
    for build in (
        lambda: loss_frame_figure(rec, frame),
        lambda: factor_frame_figure(rec, data, frame),
        lambda: frame_caption(rec, frame),
    ):
        with pytest.raises(ValueError, match="frame must be an integer"):
            build()


def _decode(uri: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :]))))


def test_faces_show_one_basis_image_per_row_of_W(faces_run):
    data, rec = faces_run
    last = factor_frame_figure(rec, data, rec.n_frames - 1)
    assert [trace.type for trace in last.data] == ["image"]
    # The last frame shows the final W: 6 tiles of 25×25 in a grid of 5 columns, each tile
    # scaled to its own maximum.
    shown = _decode(last.data[0].source)
    assert shown.shape == (2 * 25 + FACE_GAP, 5 * 25 + 4 * FACE_GAP)
    row = rec.W[-1][2]
    tile = shown[:25, 2 * (25 + FACE_GAP) : 2 * (25 + FACE_GAP) + 25]
    np.testing.assert_array_equal(tile, np.rint(255 * row.reshape(25, 25) / row.max()))
    assert np.all(shown[25 : 25 + FACE_GAP] == 255)  # white gap between the rows of tiles
    # The first frame shows the start W0, not the answer.
    first = factor_frame_figure(rec, data, 0)
    assert not np.array_equal(_decode(first.data[0].source), shown)


def test_face_mosaic_handles_a_single_basis_vector():
    W = np.arange(1.0, 5.0).reshape(1, 4)
    np.testing.assert_array_equal(face_mosaic(W, (2, 2)), [[64, 128], [191, 255]])


def test_a_frame_stays_small(faces_run):
    # One frame is what the page sends on every step of the animation.
    data, rec = faces_run
    size = sum(
        len(pio.to_json(fig, validate=False))
        for fig in (loss_frame_figure(rec, rec.n_frames - 1), factor_frame_figure(rec, data, 0))
    )
    assert len(rec.iterations) == MAX_FRAMES
    assert size < 20_000


def test_cloud_rays_follow_the_rows_of_W():
    data, rec = _recording("cloud3", 3, iters=40, solver="hals")
    fig = factor_frame_figure(rec, data, rec.n_frames - 1)
    assert [trace.name for trace in fig.data] == [
        "X (data)",
        "HW (reconstruction)",
        "rows of W (rays)",
    ]
    assert {trace.type for trace in fig.data} == {"scatter3d"}
    rays = fig.data[2]
    ends = np.column_stack([rays.x, rays.y, rays.z])[1::3]
    directions = rec.W[-1] / np.linalg.norm(rec.W[-1], axis=1, keepdims=True)
    np.testing.assert_allclose(
        ends / np.linalg.norm(ends, axis=1, keepdims=True), directions, atol=1e-5
    )
    recon = np.column_stack([fig.data[1].x, fig.data[1].y, fig.data[1].z])
    np.testing.assert_allclose(recon, rec.H[-1] @ rec.W[-1], rtol=1e-5, atol=1e-6)


def test_image_frame_shows_the_reconstruction():
    data, rec = _recording("image", 4, iters=20)
    fig = factor_frame_figure(rec, data, rec.n_frames - 1)
    shown = _decode(fig.data[0].source).astype(float) / 255
    expected = np.clip(rec.H[-1] @ rec.W[-1] / data.X.max(), 0, 1)
    np.testing.assert_allclose(shown, expected, atol=0.5 / 255 + 1e-9)


def test_two_d_cloud_uses_a_plain_scatter_on_fixed_axes():
    data, rec = _recording("cloud2", 2, iters=20)
    first, last = factor_frame_figure(rec, data, 0), factor_frame_figure(rec, data, 3)
    assert {trace.type for trace in first.data} == {"scatter"}
    assert first.layout.xaxis.range == last.layout.xaxis.range
    assert first.layout.xaxis.range[1] >= data.X.max()


@pytest.fixture(scope="module")
def faces_race():
    data = learning_data("faces")
    start = initialize_start(data.X, 6, seed=0)
    return race(data.X, 6, start=start, max_iter=40)


def test_race_figure_has_every_solver_and_the_floor(faces_race):
    fig = race_figure(faces_race)
    names = {trace.name for trace in fig.data}
    assert {"MU", "HALS", "ANLS", "ALS", "SVD floor (rank 6)"} <= names
    floor = next(trace for trace in fig.data if trace.name == "SVD floor (rank 6)")
    assert floor.y[0] == pytest.approx(faces_race.floor)
    assert fig.layout.yaxis.type == "log"
    assert race_figure(faces_race, log_scale=False).layout.yaxis.type == "linear"


def test_race_figure_marks_where_als_went_up(faces_race):
    fig = race_figure(faces_race)
    marks = [trace for trace in fig.data if trace.name == "ALS went up"]
    assert marks
    assert list(marks[0].x) == faces_race.increases("als").tolist()
    assert not [trace for trace in fig.data if trace.name == "MU went up"]
