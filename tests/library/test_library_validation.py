"""Bad input gives a clear ValueError that names the problem; edge cases never give NaN."""

import numpy as np
import pytest
import scipy.sparse as sp

import nmf_core
from nmf_core._validation import as_nonnegative_matrix, check_random_state, check_rank

GOOD = np.arange(12, dtype=float).reshape(4, 3) + 1.0


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.array([[1.0, -2.0], [3.0, 4.0]]), "negative"),
        (np.array([[1.0, np.nan], [3.0, 4.0]]), "NaN or infinite"),
        (np.array([[1.0, np.inf], [3.0, 4.0]]), "NaN or infinite"),
        (np.zeros((0, 3)), "empty"),
        (np.zeros((3, 0)), "empty"),
        (np.array([1.0, 2.0, 3.0]), "2-D"),
        (np.ones((2, 2, 2)), "2-D"),
        (np.array(5.0), "2-D"),
        ([["a", "b"], ["c", "d"]], "numbers"),
        ([[1, 2], [3]], "numbers"),
        (np.array([[1 + 1j, 2]]), "real"),
        (np.array([[None, 1.0]], dtype=object), "numbers"),
        (sp.csr_matrix(np.array([[1.0, -1.0]])), "negative"),
        (sp.csr_matrix(np.array([[1.0, np.nan]])), "NaN or infinite"),
        (sp.csr_matrix((0, 4)), "empty"),
    ],
)
def test_bad_data_is_refused_with_a_message_naming_the_problem(X, message):
    with pytest.raises(ValueError, match=message):
        nmf_core.nmf(X, 1)


@pytest.mark.parametrize("rank", [0, -1, 1.0, 2.5, True, False, "2", None, np.float64(2.0)])
def test_rank_must_be_a_positive_integer(rank):
    with pytest.raises(ValueError, match="rank must be a positive integer"):
        nmf_core.nmf(GOOD, rank)


def test_numpy_integer_rank_is_accepted():
    assert nmf_core.nmf(GOOD, np.int64(2), max_iter=3).W.shape == (2, 3)
    assert check_rank(np.int32(3)) == 3


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("solver", "newton", "Unknown solver"),
        ("solver", None, "Unknown solver"),
        ("init", "svd", "Unknown init"),
        ("init", 3, "Unknown init"),
        ("loss", "l1", "Unknown loss"),
        ("max_iter", -1, "max_iter"),
        ("max_iter", 2.5, "max_iter"),
        ("max_iter", True, "max_iter"),
        ("tol", -1e-3, "tol"),
        ("tol", float("nan"), "tol"),
        ("tol", "small", "tol"),
        ("l1_H", -0.1, "l1_H"),
        ("l1_W", float("inf"), "l1_W"),
        ("l2_H", "x", "l2_H"),
        ("l2_W", -1, "l2_W"),
        ("seed", -3, "seed"),
        ("seed", 1.5, "seed"),
        ("seed", True, "seed"),
    ],
)
def test_bad_settings_are_refused(keyword, value, message):
    with pytest.raises(ValueError, match=message):
        nmf_core.nmf(GOOD, 2, **{keyword: value})


@pytest.mark.parametrize("callback", [42, "print", [print]])
def test_a_callback_that_cannot_be_called_is_a_type_error(callback):
    with pytest.raises(TypeError, match="callback must be callable"):
        nmf_core.nmf(GOOD, 2, callback=callback)


@pytest.mark.parametrize("solver", ["hals", "anls", "als"])
def test_kl_loss_needs_mu(solver):
    with pytest.raises(ValueError, match="kl"):
        nmf_core.nmf(GOOD, 2, solver=solver, loss="kl")


@pytest.mark.parametrize("init", ["nndsvd", "nndsvda", "nndsvdar", "spa"])
def test_svd_and_spa_inits_need_rank_at_most_min_shape(init):
    with pytest.raises(ValueError, match=r"min\(n, k\) = 3"):
        nmf_core.nmf(GOOD, 4, init=init)


def test_rank_above_min_shape_works_with_random_init():
    result = nmf_core.nmf(GOOD, 6, init="random", seed=0, max_iter=50)
    assert result.H.shape == (4, 6) and result.W.shape == (6, 3)
    assert np.all(np.isfinite(result.losses)) and np.all(np.isfinite(result.H))
    assert result.relative_error < 0.05


@pytest.mark.parametrize(
    ("H0", "W0", "message"),
    [
        (np.ones((4, 3)), np.ones((2, 3)), "needs H0 of shape"),
        (np.ones((4, 2)), np.ones((2, 4)), "needs H0 of shape"),
        (-np.ones((4, 2)), np.ones((2, 3)), "H0 has 8 negative"),
        (np.ones((4, 2)), np.full((2, 3), np.nan), "W0 has 6 NaN"),
        (np.ones(4), np.ones((2, 3)), "H0 must be 2-D"),
    ],
)
def test_bad_custom_start_is_refused(H0, W0, message):
    with pytest.raises(ValueError, match=message):
        nmf_core.nmf(GOOD, 2, init=(H0, W0))


def test_custom_start_must_be_a_pair():
    with pytest.raises(ValueError, match="pair"):
        nmf_core.initialize(GOOD, 2, (np.ones((4, 2)),))


def test_overflowing_data_is_refused():
    with pytest.raises(ValueError, match="overflows"):
        nmf_core.nmf(np.full((3, 3), 1e300), 1)


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
@pytest.mark.parametrize("init", ["nndsvda", "nndsvd", "random", "spa"])
def test_zero_matrix_gives_zero_factors_without_nan(solver, init):
    result = nmf_core.nmf(np.zeros((5, 4)), 2, solver=solver, init=init, seed=0, max_iter=5)
    assert np.all(np.isfinite(result.H)) and np.all(np.isfinite(result.W))
    assert np.all(result.losses == 0.0)
    assert result.relative_error == 0.0
    assert np.all(result.reconstruction() == 0.0)


@pytest.mark.parametrize("solver", nmf_core.SOLVERS)
def test_zero_rows_and_columns_work(solver):
    X = np.random.default_rng(1).random((8, 6))
    X[2] = 0.0
    X[:, 4] = 0.0
    result = nmf_core.nmf(X, 3, solver=solver, seed=0, max_iter=60, tol=0)
    assert np.all(np.isfinite(result.H)) and np.all(np.isfinite(result.W))
    assert np.all(np.isfinite(result.losses))
    # The zero row and column are fitted exactly: the optimum puts zeros there.
    reconstruction = result.reconstruction()
    if solver != "als":
        assert np.abs(reconstruction[2]).max() < 1e-6
        assert np.abs(reconstruction[:, 4]).max() < 1e-6


def test_zero_rows_with_kl_loss():
    X = np.random.default_rng(2).random((6, 5))
    X[0] = 0.0
    result = nmf_core.nmf(X, 2, solver="mu", loss="kl", max_iter=30, tol=0)
    assert np.all(np.isfinite(result.losses)) and np.all(np.isfinite(result.H))


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
        (np.uint8, np.float64),
        (bool, np.float64),
        (np.float16, np.float64),
    ],
)
def test_dtype_rules(dtype, expected):
    X = (np.random.default_rng(0).random((6, 5)) * 3).astype(dtype)
    for solver in nmf_core.SOLVERS:
        result = nmf_core.nmf(X, 2, solver=solver, max_iter=5)
        assert result.H.dtype == expected and result.W.dtype == expected
    H0, W0 = nmf_core.initialize(X, 2, "random", seed=0)
    assert H0.dtype == expected and W0.dtype == expected


def test_sparse_bool_and_int_become_float64():
    X = sp.csr_matrix(np.eye(4, dtype=int))
    assert as_nonnegative_matrix(X).dtype == np.float64
    assert as_nonnegative_matrix(X.astype(bool)).dtype == np.float64
    assert as_nonnegative_matrix(X.astype(np.float32)).dtype == np.float32


def test_nested_lists_are_accepted():
    result = nmf_core.nmf([[1, 2], [3, 4], [5, 6]], 1, max_iter=10)
    assert result.H.shape == (3, 1) and result.H.dtype == np.float64


def test_validation_does_not_modify_or_alias_sparse_input():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 2.0]]))
    checked = as_nonnegative_matrix(X)
    checked.data[:] = 7.0
    assert X.data.tolist() == [1.0, 2.0]


def test_check_random_state_accepts_generator_int_and_none():
    generator = np.random.default_rng(3)
    assert check_random_state(generator) is generator
    assert check_random_state(5).random() == np.random.default_rng(5).random()
    assert isinstance(check_random_state(None), np.random.Generator)


def test_spa_validates_its_input():
    with pytest.raises(ValueError, match="negative"):
        nmf_core.spa(-GOOD, 2)
    with pytest.raises(ValueError, match="at most"):
        nmf_core.spa(GOOD, 4)
    with pytest.raises(ValueError, match="rank"):
        nmf_core.spa(GOOD, 0)


# ------------------------------------------------------------------------------ Penalties ----


def test_penalties_default_to_zero_and_are_frozen():
    import dataclasses

    penalties = nmf_core.Penalties()
    assert penalties.as_dict() == {"l1_H": 0.0, "l1_W": 0.0, "l2_H": 0.0, "l2_W": 0.0}
    assert not penalties.active
    with pytest.raises(dataclasses.FrozenInstanceError):
        penalties.l1_H = 1.0


def test_penalties_turn_numbers_into_floats_and_split_by_factor():
    penalties = nmf_core.Penalties(l1_H=1, l1_W=np.float32(0.5), l2_H=0, l2_W=np.int64(2))
    assert penalties.as_dict() == {"l1_H": 1.0, "l1_W": 0.5, "l2_H": 0.0, "l2_W": 2.0}
    assert all(type(value) is float for value in penalties.as_dict().values())
    assert penalties.active
    assert penalties.on("H") == {"l1": 1.0, "l2": 0.0}
    assert penalties.on("W") == {"l1": 0.5, "l2": 2.0}
    with pytest.raises(ValueError, match="factor"):
        penalties.on("X")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"l1_H": -0.1}, "l1_H must be a nonnegative finite number, got -0.1."),
        ({"l1_W": float("inf")}, "l1_W must be a nonnegative finite number, got inf."),
        ({"l2_H": float("nan")}, "l2_H must be a nonnegative finite number, got nan."),
        ({"l2_W": "lots"}, "l2_W must be a nonnegative number, got 'lots'."),
        ({"l2_W": None}, "l2_W must be a nonnegative number, got None."),
        ({"l1_H": True}, "l1_H must be a nonnegative number, got True."),
    ],
)
def test_bad_penalty_weights_are_refused_with_the_same_message_everywhere(weights, message):
    for make in (
        lambda: nmf_core.Penalties(**weights),
        lambda: nmf_core.Penalties.from_mapping(weights),
        lambda: nmf_core.nmf(GOOD, 2, **weights),
    ):
        with pytest.raises(ValueError) as caught:
            make()
        assert str(caught.value) == message


def test_penalties_from_a_mapping_fill_in_zeros_and_refuse_unknown_names():
    penalties = nmf_core.Penalties.from_mapping({"l2_W": 2})
    assert penalties == nmf_core.Penalties(l2_W=2.0)
    assert nmf_core.Penalties.from_mapping({}) == nmf_core.Penalties()
    with pytest.raises(ValueError) as caught:
        nmf_core.Penalties.from_mapping({"l3_W": 1.0, "l1_H": 1.0, "alpha": 2})
    assert str(caught.value) == (
        "Unknown penalty ['alpha', 'l3_W']; choose from l1_H, l1_W, l2_H, l2_W."
    )


def test_penalties_value_and_objective_are_the_penalty_formula():
    rng = np.random.default_rng(4)
    H, W = rng.random((5, 2)), rng.random((2, 3))
    weights = {"l1_H": 0.3, "l1_W": 0.2, "l2_H": 0.5, "l2_W": 0.1}
    penalties = nmf_core.Penalties(**weights)
    assert penalties.value(H, W) == nmf_core.penalty(H, W, **weights)
    assert penalties.objective(2.0, H, W) == 2.0 + nmf_core.penalty(H, W, **weights)
    assert nmf_core.Penalties().objective(2.0, H, W) == 2.0


@pytest.mark.parametrize(
    ("tol", "message"),
    [
        (-1e-3, "tol must be a nonnegative finite number, got -0.001."),
        (float("inf"), "tol must be a nonnegative finite number, got inf."),
        ("small", "tol must be a nonnegative number, got 'small'."),
        (False, "tol must be a nonnegative number, got False."),
    ],
)
def test_tol_has_its_own_check_and_message(tol, message):
    from nmf_core._validation import check_tol

    for check in (check_tol, lambda value: nmf_core.nmf(GOOD, 2, tol=value)):
        with pytest.raises(ValueError) as caught:
            check(tol)
        assert str(caught.value) == message
    assert check_tol(0) == 0.0
