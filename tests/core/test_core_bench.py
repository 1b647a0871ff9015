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
