"""The cost-model benchmark (benchmarks/solver_cost.py) runs and prints a row per solver."""

from __future__ import annotations

from benchmarks import solver_cost


def test_quick_run_prints_the_prediction_beside_the_measurement(capsys):
    solver_cost.main(["--quick", "--solver", "anls", "--solver", "hals"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["solver", "workload"]
    rows = [line.split() for line in lines[1:]]
    assert [row[0] for row in rows] == ["anls", "hals"]
    for row in rows:
        predicted, cpu, wall, ratio = map(float, row[-4:])
        assert predicted > 0 and cpu > 0 and wall > 0 and ratio > 0
