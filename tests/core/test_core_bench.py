"""The benchmark's smoke run: python -m nmf_core.bench --quick."""

import numpy as np

from nmf_core import bench


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


def test_sparse_product_time_grows_with_the_number_of_nonzeros():
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    H, W = rng.random((2000, 8)), rng.random((8, 1000))
    thin = sp.random(2000, 1000, density=0.001, random_state=rng, format="csr")
    thick = sp.random(2000, 1000, density=0.2, random_state=rng, format="csr")
    assert 0 < bench.sparse_product_time(thin, H, W) < bench.sparse_product_time(thick, H, W)
