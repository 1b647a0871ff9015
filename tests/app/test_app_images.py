"""AppTest of the Images page: defaults, every control, the URL, and uploads good and bad.

Streamlit's AppTest can simulate ``st.file_uploader`` (``FileUploader.set_value``), so the
upload path is exercised end to end here; the decoding rules themselves are tested in
``tests/lessons/test_lessons_images.py``.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from apptest_support import (
    answer_checkpoints,
    assert_a_second_visitor_draws_nothing,
    assert_clean,
    figure_by_key,
    open_page,
    trace_array,
)
from PIL import Image
from threadpoolctl import threadpool_limits

from nmf_lab.demo_data import load_faces, sample_image
from nmf_lab.lessons import images as im

PAGE = "app_pages/images.py"


@pytest.fixture(scope="module", autouse=True)
def one_blas_thread():
    """One BLAS thread: oversubscribed BLAS threads on a busy 2-core machine are very slow."""
    with threadpool_limits(limits=1):
        yield


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def png_bytes(pixels: np.ndarray, **save) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", **save)
    return buffer.getvalue()


def good_png(height: int = 64, width: int = 96) -> bytes:
    rows = np.linspace(0, 255, height)[:, None]
    cols = np.linspace(0, 255, width)[None, :]
    return png_bytes(((rows + cols) / 2).astype(np.uint8))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bomb_png() -> bytes:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + _chunk(b"IEND", b"")
    )


def animated_png() -> bytes:
    frames = [Image.fromarray(np.full((32, 32), v, np.uint8)) for v in (0, 128, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def expected_errors(
    name: str, rank: int, *, color="grayscale", solver="hals", init="nndsvda", iters=30, seed=0
) -> tuple[str, str]:
    image = im.fit_working_size(sample_image(name))
    result = im.factor_image(
        image, rank, color=color, solver=solver, init=init, max_iter=iters, seed=seed
    )
    return f"{result.nmf_error:.2%}", f"{result.svd_error:.2%}"


@pytest.fixture(scope="module")
def default_page():
    return open_page(PAGE)


def test_default_view_shows_camera_at_rank_20(default_page):
    at = default_page
    assert_clean(at)
    assert at.selectbox(key="img_src").value == "camera"
    assert at.slider(key="img_rank").value == 20
    assert at.selectbox(key="img_solver").value == "hals"
    assert at.selectbox(key="img_init").value == "nndsvda"
    nmf_error, svd_error = expected_errors("camera", 20)
    assert metric(at, "NMF relative error") == nmf_error
    assert metric(at, "SVD relative error") == svd_error
    # 20·(512 + 512) = 20480 numbers in H and W against 512·512 = 262144 pixels.
    assert metric(at, "Numbers stored by H and W") == "20,480"
    assert metric(at, "Numbers in the picture X") == "262,144"
    assert any("**7.8%** of the original" in m.value for m in at.markdown)
    assert any("camera* is 512×512" in c.value for c in at.caption)
    assert any(m.value.startswith("The truncated SVD gives") for m in at.markdown)


def test_default_faces_numbers(default_page):
    faces = im.compare_faces(load_faces(), 16, solver="hals", init="nndsvda", max_iter=100, seed=0)
    text = next(m.value for m in default_page.markdown if m.value.startswith("Mean Hoyer"))
    assert f"NMF parts **{faces.nmf_sparseness.mean():.3f}**" in text
    assert f"eigenfaces **{faces.pca_sparseness.mean():.3f}**" in text
    assert "the parts are sparser" in text
    table = next(d.value for d in default_page.dataframe if "NMF part (Hoyer)" in d.value)
    assert len(table) == 16
    np.testing.assert_allclose(table["NMF part (Hoyer)"], np.round(faces.nmf_sparseness, 3))


@pytest.fixture(scope="module")
def default_recovery():
    from nmf_lab.lessons.swimmer import swimmer_recovery

    return swimmer_recovery(seed=0)


def _chart_keys(at) -> list[str]:
    return [chart.proto.id.rsplit("-", 1)[-1] for chart in at.get("plotly_chart")]


def test_swimmer_counts_wait_for_the_prediction_then_judge_it(default_page, default_recovery):
    from app_pages._checkpoint import choice_key
    from nmf_lab.lessons.swimmer import parts_checkpoint

    at = default_page
    assert "fig_swimmer" not in _chart_keys(at)
    assert not any(m.label.startswith("NMF: worst part") for m in at.metric)
    assert not any("true parts are matched" in m.value for m in at.markdown)
    expected = parts_checkpoint(default_recovery)
    wrong = next(label for label in expected.labels if label != expected.right_label)
    at = at.radio(key=choice_key("img_swimmer_parts")).set_value(wrong).run()
    assert_clean(at)
    warnings = " ".join(box.value for box in at.warning)
    assert expected.verdict(wrong)[1] in warnings
    assert f"The answer is **{expected.right_label}**" in warnings
    assert any(block.value == expected.explanation for block in at.markdown)
    assert "fig_swimmer" in _chart_keys(at)
    check_recovery_numbers(at, default_recovery)
    at.button(key="checkpoint_again_img_swimmer_parts").click().run()
    at = at.radio(key=choice_key("img_swimmer_parts")).set_value(expected.right_label).run()
    successes = " ".join(box.value for box in at.success)
    assert "**Right.**" in successes and expected.verdict(expected.right_label)[1] in successes


def check_recovery_numbers(at, recovery):
    assert metric(at, "NMF: worst part") == f"{recovery.nmf.worst:.3f}"
    assert metric(at, "NMF: median part") == f"{recovery.nmf.median:.3f}"
    assert metric(at, "PCA: worst part") == f"{recovery.pca.worst:.3f}"
    assert metric(at, "PCA: median part") == f"{recovery.pca.median:.3f}"
    assert recovery.nmf.recovered() == 16
    assert any("**16 of 16** true parts" in m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "NMF |cos|" in d.value)
    assert len(table) == 16
    np.testing.assert_allclose(table["PCA |cos|"], np.round(recovery.pca.cosines, 3))


def test_rank_solver_init_iterations_and_seed():
    at = open_page(PAGE, query={"img_src": "text"})
    at.slider(key="img_rank").set_value(5)
    at.selectbox(key="img_solver").set_value("mu")
    at.selectbox(key="img_init").set_value("random")
    at.number_input(key="img_iters").set_value(50)
    at.run()
    assert_clean(at)
    assert (
        metric(at, "NMF relative error")
        == expected_errors("text", 5, solver="mu", init="random", iters=50)[0]
    )
    # text is 172×448: 5·(172 + 448) = 3100 numbers.
    assert metric(at, "Numbers stored by H and W") == "3,100"
    at.sidebar.number_input(key="seed").set_value(3).run()
    assert_clean(at)
    assert (
        metric(at, "NMF relative error")
        == expected_errors("text", 5, solver="mu", init="random", iters=50, seed=3)[0]
    )


def test_colour_per_channel_and_channel_choice():
    at = open_page(PAGE, query={"img_src": "chelsea", "img_color": "rgb", "img_rank": "4"})
    assert_clean(at)
    assert metric(at, "NMF relative error") == expected_errors("chelsea", 4, color="rgb")[0]
    # Three channels of 300×451 at r = 4: 3·4·(300 + 451) = 9012 against 3·300·451 = 405900.
    assert metric(at, "Numbers stored by H and W") == "9,012"
    assert metric(at, "Numbers in the picture X") == "405,900"
    at.radio(key="img_chan").set_value("G").run()
    assert_clean(at)
    assert any(b.label == "H (CSV)" for b in at.get("download_button"))
    at.radio(key="img_color").set_value("grayscale").run()
    assert_clean(at)
    assert metric(at, "Numbers stored by H and W") == "3,004"


def test_layers_view_and_error_curve():
    at = open_page(PAGE, query={"img_src": "text", "img_rank": "3"})
    charts_before = len(at.get("plotly_chart"))
    at.radio(key="img_view").set_value("running sum").run()
    assert_clean(at)
    assert any(c.value.startswith("Running sums of the layers") for c in at.caption)
    at.slider(key="img_maxr").set_value(4)
    at.toggle(key="img_curve").set_value(True)
    at.run()
    assert_clean(at)
    # The chart answers the r = 1 question: it waits for an answer.
    assert "fig_curve" not in _chart_keys(at)
    assert any(c.value.startswith("Answer the question above first") for c in at.caption)
    at = answer_checkpoints(at, "img_rank_one")
    assert_clean(at)
    assert len(at.get("plotly_chart")) == charts_before + 1
    curve = figure_by_key(at, "fig_curve")
    image = im.fit_working_size(sample_image("text"))
    expected = im.error_vs_rank(image, 4)
    np.testing.assert_allclose(trace_array(curve["data"][0], "y"), expected.nmf, rtol=1e-6)
    # The checkpoint's r = 1 numbers are the chart's first points.
    explanation = next(m.value for m in at.markdown if m.value.startswith("At r = 1 NMF's"))
    assert f"**{expected.nmf[0]:.2%}** and the SVD's **{expected.svd[0]:.2%}**" in explanation


def test_rank_one_checkpoint_judges_the_default_picture(default_page):
    from app_pages._checkpoint import choice_key

    image = im.fit_working_size(sample_image("camera"))
    nmf_error = im.nmf_image_error(image, 1, max_iter=30, seed=0)
    svd_error = float(im.svd_image_error_curve(im.image_svds(image), 1)[0])
    expected = im.rank_one_checkpoint(
        nmf_error, svd_error, solver="hals", init="nndsvda", iterations=30
    )
    assert expected.right_label == "Equal to it"
    at = default_page.radio(key=choice_key("img_rank_one")).set_value("Equal to it").run()
    assert_clean(at)
    successes = " ".join(box.value for box in at.success)
    assert "**Right.**" in successes and expected.verdict("Equal to it")[1] in successes
    assert any(block.value == expected.explanation for block in at.markdown)


def test_faces_controls():
    at = open_page(PAGE, query={"img_src": "text", "img_rank": "2"})
    at.slider(key="img_frank").set_value(9)
    at.number_input(key="img_face").set_value(42)
    at.run()
    assert_clean(at)
    assert any(m.value.startswith("Mean Hoyer sparseness at r = 9") for m in at.markdown)
    assert len(next(d.value for d in at.dataframe if "NMF part (Hoyer)" in d.value)) == 9
    assert any("Face 42 rebuilt both ways" in c.value for c in at.caption)


def test_shared_url_reproduces_the_view():
    at = open_page(PAGE, query={"img_src": "coins", "img_rank": "7"})
    assert_clean(at)
    assert at.slider(key="img_rank").value == 7
    # coins is 303×384: 7·(303 + 384) = 4809 numbers.
    assert metric(at, "Numbers stored by H and W") == "4,809"


def test_malformed_query_falls_back_to_defaults():
    at = open_page(
        PAGE,
        query={
            "img_rank": "banana",
            "img_src": "nosuch",
            "img_solver": "zzz",
            "img_iters": "-5",
            "img_color": "sepia",
        },
    )
    assert_clean(at)
    assert at.slider(key="img_rank").value == 20
    assert at.selectbox(key="img_src").value == "camera"
    assert at.selectbox(key="img_solver").value == "hals"
    assert at.number_input(key="img_iters").value == 1  # out of range: the nearest valid value
    assert metric(at, "Numbers stored by H and W") == "20,480"


@pytest.fixture
def uploaded_page():
    at = open_page(PAGE, query={"img_src": "upload"})
    assert_clean(at)
    assert any("No picture uploaded yet" in i.value for i in at.info)
    at.file_uploader(key="img_upload").set_value(("ramp.png", good_png(), "image/png")).run()
    assert_clean(at)
    return at


def test_good_upload_is_factored(uploaded_page):
    at = uploaded_page
    assert any("*ramp.png* is 64×96" in c.value for c in at.caption)
    # 20·(64 + 96) = 3200 numbers against 64·96 = 6144.
    assert metric(at, "Numbers stored by H and W") == "3,200"
    assert metric(at, "Numbers in the picture X") == "6,144"
    at.slider(key="img_rank").set_value(64).run()  # the largest rank a 64×96 picture allows
    assert_clean(at)
    assert not any("capped" in w.value for w in at.warning)
    assert metric(at, "Numbers stored by H and W") == "10,240"  # 64·(64 + 96)


def test_rank_is_capped_by_a_small_upload():
    at = open_page(PAGE, query={"img_src": "upload", "img_rank": "30"})
    at.file_uploader(key="img_upload").set_value(("small.png", good_png(20, 40), "image/png"))
    at.run()
    assert not at.exception
    assert any("rank is capped at min(n, k) = 20" in w.value for w in at.warning)
    assert metric(at, "Numbers stored by H and W") == "1,200"  # 20·(20 + 40)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"this is text, not a picture", "not a PNG or JPEG"),
        ("cut.png", good_png()[:200], "truncated or damaged"),
        ("bomb.png", bomb_png(), "image bomb"),
        ("dot.png", png_bytes(np.zeros((1, 1), np.uint8)), "1×1 pixels"),
        ("moving.png", animated_png(), "animated"),
    ],
    ids=["text", "truncated", "bomb", "one-pixel", "animated"],
)
def test_bad_upload_shows_an_error_and_keeps_the_last_good_picture(
    uploaded_page, name, data, message
):
    at = uploaded_page
    at.file_uploader(key="img_upload").set_value((name, data, "image/png")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and message in errors[0] and name in errors[0]
    assert "Still showing your last good picture, ramp.png" in errors[0]
    assert any("*ramp.png* is 64×96" in c.value for c in at.caption)
    assert metric(at, "Numbers stored by H and W") == "3,200"


def test_bad_first_upload_falls_back_to_camera():
    at = open_page(PAGE, query={"img_src": "upload"})
    at.file_uploader(key="img_upload").set_value(("*notes* [1].png", b"plain text", "image/png"))
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "not a PNG or JPEG" in at.error[0].value
    assert "**_notes___1_.png**" in at.error[0].value  # the name is shown without its markup
    assert any("showing *camera* meanwhile" in i.value for i in at.info)
    assert metric(at, "Numbers stored by H and W") == "20,480"


def test_lecture_mode_hides_the_long_explanations():
    at = open_page(PAGE, query={"lecture": "true", "img_src": "text"})
    assert_clean(at)
    assert not any(m.value.startswith("The truncated SVD gives") for m in at.markdown)
    assert not any(m.value.startswith("Hoyer's sparseness of a vector") for m in at.markdown)
    assert any(m.value.startswith("Mean Hoyer sparseness") for m in at.markdown)


def test_a_second_visitor_of_the_same_view_gets_the_figures_built_for_the_first():
    from app_pages._shared import FIGURES

    query = {"img_src": "text", "img_rank": "5", "img_frank": "3"}
    second = assert_a_second_visitor_draws_nothing(PAGE, query)
    built = FIGURES.builds
    # Another view of the same result draws that view only, and shows it.
    second.radio(key="img_view").set_value("running sum").run()
    assert_clean(second)
    assert FIGURES.builds == built + 1
    assert any(c.value.startswith("Running sums of the layers") for c in second.caption)
    second.number_input(key="img_face").set_value(1).run()
    assert FIGURES.builds == built + 3, "face 1 and its coefficients are new figures"


def test_the_pictures_every_session_shares_cannot_be_modified():
    from app_pages.images import faces, working_sample

    for shared in (working_sample("camera"), faces()):
        with pytest.raises(ValueError, match="read-only"):
            shared[0, 0] = 1.0
