"""Real spherical harmonics: orthonormality under the quadrature, projection, reconstruction."""

import math

import numpy as np
import pytest
import scipy.special

from nmf_lab.lessons.change_of_basis import harmonics as sh


@pytest.fixture(scope="module")
def grid():
    return sh.quadrature_grid()


def test_quadrature_integrates_known_integrals():
    grid = sh.quadrature_grid(12)
    assert math.isclose(grid.weights.sum(), 4 * math.pi, rel_tol=1e-13)
    x, y, z = sh.sphere_to_cartesian(grid.theta, grid.phi)
    # ∫ z² dΩ = 4π/3 and ∫ x² y² dΩ = 4π/15 over the unit sphere.
    assert math.isclose(np.sum(grid.weights * z**2), 4 * math.pi / 3, rel_tol=1e-13)
    assert math.isclose(np.sum(grid.weights * x**2 * y**2), 4 * math.pi / 15, rel_tol=1e-12)


def test_real_harmonics_are_orthonormal_under_the_quadrature():
    l_max = 8
    grid = sh.quadrature_grid(l_max + 1, 2 * l_max + 1)  # the smallest exact grid
    Y = sh.real_spherical_harmonics(l_max, grid.theta, grid.phi)
    gram = np.einsum("aij,bij,ij->ab", Y, Y, grid.weights)
    np.testing.assert_allclose(gram, np.eye((l_max + 1) ** 2), atol=1e-12)


def test_matches_the_complex_definition():
    # Independent formula: Y_l^m = √2 (−1)^m Re/Im of SciPy's complex harmonic.
    theta, phi = 1.1, 2.3
    for l, m in [(0, 0), (3, 2), (3, -2), (4, 0), (5, -5)]:  # noqa: E741
        complex_value = scipy.special.sph_harm_y(l, abs(m), theta, phi)
        part = complex_value.real if m >= 0 else complex_value.imag
        expected = part if m == 0 else math.sqrt(2) * (-1) ** m * part
        assert math.isclose(
            sh.real_spherical_harmonic(l, m, theta, phi), expected, rel_tol=1e-12, abs_tol=1e-14
        )


def test_known_low_degree_harmonics():
    theta, phi = 0.7, 0.4
    assert math.isclose(sh.real_spherical_harmonic(0, 0, theta, phi), 0.5 / math.sqrt(math.pi))
    # Y_1^0 = √(3/4π) cos θ
    assert math.isclose(
        sh.real_spherical_harmonic(1, 0, theta, phi), math.sqrt(3 / (4 * math.pi)) * math.cos(theta)
    )


@pytest.mark.parametrize(("l", "m"), [(0, 0), (1, -1), (2, 1), (3, -2), (5, 5)])
def test_projection_of_a_pure_harmonic_is_one_hot(grid, l, m):  # noqa: E741
    values = sh.real_spherical_harmonic(l, m, grid.theta, grid.phi)
    coefficients = sh.project(values, grid, l_max=6)
    expected = np.zeros(49)
    expected[l * l + l + m] = 1.0
    np.testing.assert_allclose(coefficients, expected, atol=1e-12)


def test_reconstruction_error_decreases_with_l_max(grid):
    values = sh.preset_values("Smooth bump", grid.theta, grid.phi)
    direct = [
        sh.relative_l2_error(
            values, sh.reconstruct(sh.project(values, grid, L), grid.theta, grid.phi), grid
        )
        for L in range(0, 11)
    ]
    assert np.all(np.diff(direct) <= 1e-12)
    assert direct[-1] < 1e-3 < direct[0]
    # The Parseval shortcut agrees with reconstructing and measuring.
    np.testing.assert_allclose(sh.error_by_degree(values, grid, 10), direct, atol=1e-7)


def test_sharp_cap_converges_slowly(grid):
    # A discontinuous function keeps a visible error (Gibbs): the page's reason for the preset.
    values = sh.preset_values("Polar cap (sharp edge)", grid.theta, grid.phi)
    errors = sh.error_by_degree(values, grid, 12)
    assert errors[-1] > 0.1
    assert np.all(np.diff(errors) <= 1e-12)


def test_user_terms_round_trip(grid):
    terms = sh.parse_terms("0 0 1; 2 -1 0.5\n3, 2, -0.25", max_degree=6)
    assert terms == {(0, 0): 1.0, (2, -1): 0.5, (3, 2): -0.25}
    values = sh.preset_values("Your coefficients", grid.theta, grid.phi, terms=terms)
    coefficients = sh.project(values, grid, 4)
    expected = np.zeros(25)
    expected[[0, 5, 14]] = [1.0, 0.5, -0.25]
    np.testing.assert_allclose(coefficients, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one term"),
        ("2 1", "Cannot read"),
        ("2 3 1.0", "impossible"),
        ("9 0 1.0", "outside"),
        ("1 0 banana", "not a number"),
        ("1 0 inf", "not finite"),
    ],
)
def test_bad_user_terms_are_refused_clearly(text, message):
    with pytest.raises(ValueError, match=message):
        sh.parse_terms(text, max_degree=8)


def test_grid_too_coarse_for_the_degree_is_refused():
    grid = sh.quadrature_grid(4)
    with pytest.raises(ValueError, match="cannot resolve"):
        sh.project(np.ones(grid.theta.shape), grid, l_max=6)


def test_unknown_preset_is_refused(grid):
    with pytest.raises(ValueError, match="Unknown preset"):
        sh.preset_values("Teapot", grid.theta, grid.phi)


def test_terms_as_tuple_is_sorted_and_hashable():
    terms = sh.parse_terms("3 -2 -0.7; 0 0 0.5; 2 1 1", max_degree=4)
    as_tuple = sh.terms_as_tuple(terms)
    assert as_tuple == ((0, 0, 0.5), (2, 1, 1.0), (3, -2, -0.7))
    assert hash(as_tuple) == hash(sh.terms_as_tuple(dict(reversed(list(terms.items())))))


def test_analyse_function_is_the_projection_its_error_and_the_rebuilt_sphere():
    analysis = sh.analyse_function(
        "Pure Y_l^m", l_max=3, curve_l_max=5, degree=2, order=-1, display_theta=9, display_phi=17
    )
    grid = sh.quadrature_grid()
    values = sh.preset_values("Pure Y_l^m", grid.theta, grid.phi, degree=2, order=-1)
    np.testing.assert_allclose(analysis.coefficients, sh.project(values, grid, 3))
    np.testing.assert_allclose(analysis.errors, sh.error_by_degree(values, grid, 5))
    assert analysis.coefficients.size == 16 and analysis.errors.size == 6
    # A pure harmonic of degree 2 is rebuilt exactly once degree 2 is kept.
    assert analysis.error_at_l_max == pytest.approx(0.0, abs=1e-10)
    assert analysis.theta.shape == analysis.phi.shape == analysis.original.shape == (9, 17)
    np.testing.assert_allclose(analysis.rebuilt, analysis.original, atol=1e-10)
    assert analysis.phi[0, -1] == pytest.approx(2 * np.pi)
