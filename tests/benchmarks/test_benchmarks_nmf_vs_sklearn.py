"""The benchmark's smoke run: python -m benchmarks.nmf_vs_sklearn --quick."""

import numpy as np
import pytest

from benchmarks import nmf_vs_sklearn as bench


def test_quick_benchmark_prints_a_table_for_four_data_sets(capsys):
    assert bench.main(["--quick"]) == 0
    output = capsys.readouterr().out
    assert output.startswith("Machine: ")
    table = [line for line in output.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 4  # header and one row per data set
    for name in ("faces", "camera", "planted dense", "mostly-zero sparse"):
        assert any(name in line for line in table[1:])
    assert "GEMM rate" in output
    for line in table[1:]:
        ratios = [cell for cell in line.split("|") if cell.strip().startswith("**")]
        assert len(ratios) == 2 and all(np.isfinite(float(cell.strip(" *"))) for cell in ratios)


def test_sparse_benchmark_matrix_is_mostly_zero_and_nonnegative():
    X = bench._sparse_planted(400, 300, 10, seed=0)
    assert X.nnz / np.prod(X.shape) < 0.1 and X.data.min() > 0


def test_machine_description_names_cores_and_blas():
    line = bench.machine_description()
    assert "cores" in line and "numpy" in line


def test_sparse_bound_is_the_measured_product_time_and_is_marked(capsys):
    assert bench.main(["--quick"]) == 0
    output = capsys.readouterr().out
    rows = [line for line in output.splitlines() if line.startswith("| ")][1:]
    sparse_rows = [line for line in rows if "sparse" in line]
    dense_rows = [line for line in rows if "sparse" not in line]
    assert sparse_rows and all("†" in line for line in sparse_rows)
    assert dense_rows and not any("†" in line for line in dense_rows)
    assert "† sparse X: the bound is the measured time" in output


def test_product_time_grows_with_the_number_of_nonzeros():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    H, W = rng.random((2000, 8)), rng.random((8, 1000))
    thin = sp.random(2000, 1000, density=0.001, random_state=rng, format="csr")
    thick = sp.random(2000, 1000, density=0.2, random_state=rng, format="csr")
    assert 0 < bench.product_time(thin, H, W) < bench.product_time(thick, H, W)


def test_product_time_of_a_dense_x_grows_with_its_size():
    rng = np.random.default_rng(1)
    small, large = rng.random((100, 80)), rng.random((1500, 1200))
    assert (
        0
        < bench.product_time(small, rng.random((100, 8)), rng.random((8, 80)))
        < bench.product_time(large, rng.random((1500, 8)), rng.random((8, 1200)))
    )


def _row(**changes):
    values = dict(
        name="x",
        shape=(10, 10),
        rank=2,
        density=1.0,
        sklearn_cd_time=0.2,
        sklearn_cd_iters=50,
        hals_time=0.05,
        hals_reached=True,
        hals_iters=10,
        sklearn_mu_time=0.1,
        mu_time=0.1,
        mu_reached=True,
        hals_iteration_time=0.004,
        bound_time=0.001,
        product_time=0.003,
        repeats=3,
    )
    values.update(changes)
    return bench.BenchRow(**values)


def test_products_only_ratio_is_iterations_times_product_time_over_sklearn_time():
    row = _row()
    assert row.products_only_ratio == 10 * 0.003 / 0.2
    assert row.hals_ratio == 0.05 / 0.2
    # 10 iterations of 4 ms, 3 ms of each in the products.
    assert row.products_only_ratio <= row.hals_ratio


def test_table_shows_hals_iterations_and_the_products_only_ratio():
    table = bench.format_table([_row()], rate=1e11)
    row = next(line for line in table.splitlines() if line.startswith("| x"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    header = [cell.strip() for cell in table.splitlines()[0].strip("|").split("|")]
    assert len(cells) == len(header)
    assert cells[header.index("nmf_core hals: s (iters)")] == "0.050 (10)"
    assert cells[header.index("products only")] == "0.15"
    assert cells[header.index("products ms/iter")] == "3.00"


def test_hals_alpha_option_is_handed_to_every_nmf_core_run(capsys, monkeypatch):
    import nmf_core
    from nmf_core.solvers import _Tuning

    X = np.random.default_rng(2).random((30, 20))
    before = nmf_core.nmf(X, 3, max_iter=20, tol=0)
    tunings = []
    original = bench.nmf
    monkeypatch.setattr(
        bench,
        "nmf",
        lambda *args, **kwargs: tunings.append(kwargs["_tuning"]) or original(*args, **kwargs),
    )
    assert bench.main(["--quick"]) == 0
    assert tunings and all(tuning == _Tuning() for tuning in tunings)
    tunings.clear()
    assert bench.main(["--quick", "--hals-alpha", "50"]) == 0
    assert "alpha = 50 (default 0.5)" in capsys.readouterr().out
    assert tunings and all(tuning == _Tuning(alpha=50.0) for tuning in tunings)
    # The benchmark changes no setting of the library itself.
    after = nmf_core.nmf(X, 3, max_iter=20, tol=0)
    np.testing.assert_array_equal(before.objectives, after.objectives)
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--hals-alpha", "-1"])
