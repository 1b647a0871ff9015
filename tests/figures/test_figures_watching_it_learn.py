"""The animated run and the race figures: frames, controls, what each trace shows, size."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.io as pio
import pytest
from PIL import Image

from nmf_lab.demo_data import learning_data
from nmf_lab.figures.watching_it_learn import FACE_GAP, face_mosaic, learning_figure, race_figure
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


def test_animation_has_one_frame_and_slider_step_per_recorded_frame(faces_run):
    data, rec = faces_run
    fig = learning_figure(rec, data)
    names = [str(i) for i in rec.iterations]
    assert [frame.name for frame in fig.frames] == names
    steps = fig.layout.sliders[0].steps
    assert [step.args[0][0] for step in steps] == names
    assert fig.layout.sliders[0].active == len(names) - 1  # opens on the finished run
    labels = [button.label for button in fig.layout.updatemenus[0].buttons]
    assert any("Play" in label for label in labels) and any("Pause" in label for label in labels)
    play = next(b for b in fig.layout.updatemenus[0].buttons if "Play" in b.label)
    assert play.method == "animate" and play.args[0] is None


def test_each_frame_draws_the_loss_up_to_its_iteration(faces_run):
    data, rec = faces_run
    fig = learning_figure(rec, data)
    for frame, iteration, loss in zip(fig.frames, rec.iterations, rec.losses, strict=True):
        curve, marker = frame.data[0], frame.data[1]
        assert len(curve.y) == iteration + 1
        np.testing.assert_allclose(curve.y, rec.result.losses[: iteration + 1], rtol=1e-6)
        assert marker.x[0] == iteration
        assert marker.y[0] == pytest.approx(loss, rel=1e-6)


def _decode(uri: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :]))))


def test_faces_show_one_basis_image_per_row_of_W(faces_run):
    data, rec = faces_run
    fig = learning_figure(rec, data)
    images = [trace for trace in fig.data if trace.type == "image"]
    assert len(images) == 1
    # The last frame shows the final W: 6 tiles of 25×25 in a grid of 5 columns, each tile
    # scaled to its own maximum.
    shown = _decode(fig.frames[-1].data[2].source)
    assert shown.shape == (2 * 25 + FACE_GAP, 5 * 25 + 4 * FACE_GAP)
    row = rec.W[-1][2]
    tile = shown[:25, 2 * (25 + FACE_GAP) : 2 * (25 + FACE_GAP) + 25]
    np.testing.assert_array_equal(tile, np.rint(255 * row.reshape(25, 25) / row.max()))
    assert np.all(shown[25 : 25 + FACE_GAP] == 255)  # white gap between the rows of tiles
    # The first frame shows the start W0, not the answer.
    assert not np.array_equal(_decode(fig.frames[0].data[2].source), shown)


def test_face_mosaic_handles_a_single_basis_vector():
    W = np.arange(1.0, 5.0).reshape(1, 4)
    np.testing.assert_array_equal(face_mosaic(W, (2, 2)), [[64, 128], [191, 255]])


def test_frames_stay_small(faces_run):
    data, rec = faces_run
    size = len(pio.to_json(learning_figure(rec, data), validate=False))
    assert len(rec.iterations) == MAX_FRAMES
    assert size < 600_000


def test_cloud_rays_follow_the_rows_of_W():
    data, rec = _recording("cloud3", 3, iters=40, solver="hals")
    fig = learning_figure(rec, data, log_scale=True)
    assert fig.layout.yaxis.type == "log"
    rays = fig.frames[-1].data[3]
    ends = np.column_stack([rays.x, rays.y, rays.z])[1::3]
    directions = rec.W[-1] / np.linalg.norm(rec.W[-1], axis=1, keepdims=True)
    np.testing.assert_allclose(
        ends / np.linalg.norm(ends, axis=1, keepdims=True), directions, atol=1e-5
    )
    assert any(trace.type == "scatter3d" for trace in fig.data)


def test_image_frame_shows_the_reconstruction():
    data, rec = _recording("image", 4, iters=20)
    fig = learning_figure(rec, data)
    shown = _decode(fig.frames[-1].data[2].source).astype(float) / 255
    expected = np.clip(rec.H[-1] @ rec.W[-1] / data.X.max(), 0, 1)
    np.testing.assert_allclose(shown, expected, atol=0.5 / 255 + 1e-9)


def test_two_d_cloud_uses_a_plain_scatter():
    data, rec = _recording("cloud2", 2, iters=20)
    fig = learning_figure(rec, data)
    assert {trace.type for trace in fig.data} == {"scatter"}


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
