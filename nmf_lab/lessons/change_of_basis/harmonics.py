"""Real spherical harmonics: coordinates of a function on the sphere in another basis.

The real spherical harmonics ``Y_l^m`` (degree ``l ≥ 0``, order ``−l ≤ m ≤ l``) are an
orthonormal basis of functions on the unit sphere. Expanding ``f(θ, φ) = Σ f_l^m Y_l^m(θ, φ)``
is the same idea as writing a point in a basis: the numbers ``f_l^m`` are its coordinates.
Truncating at degree ``l_max`` keeps the ``(l_max + 1)²`` coordinates of the smoothest basis
functions.

Angles follow SciPy: ``θ ∈ [0, π]`` is the polar angle (colatitude), ``φ ∈ [0, 2π)`` the
azimuth. Coefficients are stored in a flat vector, ``index(l, m) = l² + l + m``.

Integrals over the sphere use Gauss–Legendre nodes in ``cos θ`` times uniform nodes in ``φ``.
With ``n_theta`` and ``n_phi`` nodes the rule is exact for products of harmonics up to degree
``l_max`` when ``n_theta ≥ l_max + 1`` and ``n_phi ≥ 2 l_max + 1``, so the sampled harmonics are
orthonormal to rounding error and the projection is an exact orthogonal projection for the
discrete inner product (the truncation error then never grows with ``l_max``).

>>> grid = quadrature_grid(16)
>>> values = real_spherical_harmonic(2, -1, grid.theta, grid.phi)
>>> coeffs = project(values, grid, l_max=3)
>>> int(np.argmax(np.abs(coeffs))) == harmonic_index(2, -1)
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.special

__all__ = [
    "DEFAULT_GRID_SIZE",
    "PRESETS",
    "HarmonicAnalysis",
    "SphereGrid",
    "analyse_function",
    "coefficients_from_terms",
    "degree_order_pairs",
    "error_by_degree",
    "harmonic_index",
    "parse_terms",
    "preset_values",
    "project",
    "quadrature_grid",
    "real_spherical_harmonic",
    "real_spherical_harmonics",
    "reconstruct",
    "relative_l2_error",
    "sphere_to_cartesian",
    "terms_as_tuple",
]

# Gauss–Legendre nodes in cos θ for the projection grid: exact up to l_max = 47, far beyond
# the page's slider, and accurate for the smooth presets.
DEFAULT_GRID_SIZE = 48

PRESETS = (
    "Smooth bump",
    "Two bumps (signed)",
    "Polar cap (sharp edge)",
    "Pure Y_l^m",
    "Your coefficients",
)

# Centres of the preset bumps as (θ, φ), away from the poles so that many orders m take part.
_BUMP_CENTRE = (0.9, 0.8)
_SECOND_BUMP_CENTRE = (2.2, 3.6)
_BUMP_CONCENTRATION = 4.0
_CAP_ANGLE = math.pi / 4


def harmonic_index(l: int, m: int) -> int:  # noqa: E741 -- l is the standard name of the degree
    """Position of ``Y_l^m`` in a flat coefficient vector: ``l² + l + m``."""
    if l < 0 or abs(m) > l:
        raise ValueError(f"Need l ≥ 0 and −l ≤ m ≤ l; got l={l}, m={m}.")
    return l * l + l + m


def degree_order_pairs(l_max: int) -> list[tuple[int, int]]:
    """All ``(l, m)`` with ``l ≤ l_max`` in coefficient-vector order."""
    if l_max < 0:
        raise ValueError(f"l_max must be ≥ 0, got {l_max}.")
    return [(l, m) for l in range(l_max + 1) for m in range(-l, l + 1)]  # noqa: E741


def _complex_harmonic(l: int, m: int, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:  # noqa: E741
    """SciPy's complex ``Y_l^m`` (Condon–Shortley phase), across the SciPy API change.

    ``sph_harm_y(l, m, θ_polar, φ_azimuth)`` exists since SciPy 1.15; the older
    ``sph_harm(m, l, φ_azimuth, θ_polar)`` (other argument order) was removed in 1.17.
    """
    if hasattr(scipy.special, "sph_harm_y"):
        return scipy.special.sph_harm_y(l, m, theta, phi)
    return scipy.special.sph_harm(m, l, phi, theta)  # pragma: no cover - SciPy < 1.15


def _polar_factor(l: int, m: int, theta: np.ndarray) -> np.ndarray:  # noqa: E741
    """``Y_l^|m|(θ, 0)``: the normalised associated-Legendre part, evaluated once per angle.

    Grids repeat the same few polar angles many times, so the (slow) special function runs on
    the unique angles only.
    """
    unique, inverse = np.unique(theta, return_inverse=True)
    values = _complex_harmonic(l, abs(m), unique, np.zeros_like(unique)).real
    return values[inverse].reshape(theta.shape)


def _real_harmonic(l: int, m: int, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:  # noqa: E741
    polar = _polar_factor(l, m, theta)
    if m == 0:
        return polar
    # √2 (−1)^m cancels the Condon–Shortley phase and normalises the cosine/sine pair.
    scale = math.sqrt(2.0) * (-1.0 if m % 2 else 1.0)
    azimuthal = np.cos(m * phi) if m > 0 else np.sin(-m * phi)
    return scale * polar * azimuthal


def real_spherical_harmonic(l: int, m: int, theta: Any, phi: Any) -> np.ndarray:  # noqa: E741
    """The real, orthonormal spherical harmonic ``Y_l^m`` at the given angles.

    ``m > 0`` gives ``√2 (−1)^m Re Y_l^m`` (a cosine in φ), ``m < 0`` gives
    ``√2 (−1)^m Im Y_l^|m|`` (a sine in φ), ``m = 0`` the zonal ``Y_l^0``; the factor
    ``(−1)^m`` cancels SciPy's Condon–Shortley phase.

    Parameters
    ----------
    l, m : int
        Degree ``l ≥ 0`` and order ``−l ≤ m ≤ l``.
    theta, phi : array_like, same shape
        Polar angle and azimuth in radians.

    Returns
    -------
    ndarray, same shape as ``theta``
    """
    harmonic_index(l, m)  # validates l and m
    theta, phi = np.broadcast_arrays(np.asarray(theta, dtype=float), np.asarray(phi, dtype=float))
    return _real_harmonic(l, m, theta, phi)


def real_spherical_harmonics(l_max: int, theta: Any, phi: Any) -> np.ndarray:
    """All real harmonics up to ``l_max``, stacked in coefficient-vector order.

    Returns
    -------
    ndarray, shape ((l_max + 1)², *theta.shape)
    """
    theta, phi = np.broadcast_arrays(np.asarray(theta, dtype=float), np.asarray(phi, dtype=float))
    # Shared work done once: the distinct polar angles, and cos/sin of mφ per order.
    unique, inverse = np.unique(theta, return_inverse=True)
    inverse = inverse.reshape(theta.shape)
    zeros = np.zeros_like(unique)
    azimuthal = {0: np.ones(theta.shape)}
    for order in range(1, l_max + 1):
        scale = math.sqrt(2.0) * (-1.0 if order % 2 else 1.0)
        azimuthal[order] = scale * np.cos(order * phi)
        azimuthal[-order] = scale * np.sin(order * phi)
    stacked = np.empty(((l_max + 1) ** 2, *theta.shape))
    for index, (l, m) in enumerate(degree_order_pairs(l_max)):  # noqa: E741
        polar = _complex_harmonic(l, abs(m), unique, zeros).real
        stacked[index] = polar[inverse] * azimuthal[m]
    return stacked


@dataclass(frozen=True)
class SphereGrid:
    """Quadrature nodes on the sphere: ``Σ weights · f(theta, phi) ≈ ∫ f dΩ``.

    Attributes
    ----------
    theta, phi : ndarray, shape (n_theta, n_phi)
        Polar angle and azimuth of each node.
    weights : ndarray, shape (n_theta, n_phi)
        Area weights; they sum to ``4π``.
    """

    theta: np.ndarray
    phi: np.ndarray
    weights: np.ndarray


def quadrature_grid(n_theta: int = DEFAULT_GRID_SIZE, n_phi: int | None = None) -> SphereGrid:
    """Gauss–Legendre in ``cos θ`` times the uniform (trapezoid) rule in ``φ``.

    Parameters
    ----------
    n_theta : int
        Number of Gauss–Legendre nodes; exact for harmonics products up to
        ``l_max = n_theta − 1``.
    n_phi : int, optional
        Number of azimuth nodes, default ``2 n_theta`` (needs ``≥ 2 l_max + 1``).

    Returns
    -------
    SphereGrid
    """
    if n_theta < 1:
        raise ValueError(f"n_theta must be ≥ 1, got {n_theta}.")
    n_phi = 2 * n_theta if n_phi is None else n_phi
    if n_phi < 1:
        raise ValueError(f"n_phi must be ≥ 1, got {n_phi}.")
    nodes, gl_weights = np.polynomial.legendre.leggauss(n_theta)
    theta_1d = np.arccos(nodes)
    phi_1d = 2.0 * np.pi * np.arange(n_phi) / n_phi
    theta, phi = np.meshgrid(theta_1d, phi_1d, indexing="ij")
    weights = np.outer(gl_weights, np.full(n_phi, 2.0 * np.pi / n_phi))
    return SphereGrid(theta=theta, phi=phi, weights=weights)


def _check_grid_supports(grid: SphereGrid, l_max: int) -> None:
    n_theta, n_phi = grid.theta.shape
    if n_theta < l_max + 1 or n_phi < 2 * l_max + 1:
        raise ValueError(
            f"A {n_theta}×{n_phi} grid cannot resolve degree {l_max}: it needs at least "
            f"{l_max + 1} × {2 * l_max + 1} nodes."
        )


def project(values: Any, grid: SphereGrid, l_max: int) -> np.ndarray:
    """Coefficients ``f_l^m = ∫ f Y_l^m dΩ`` of sampled values, up to degree ``l_max``.

    Parameters
    ----------
    values : array_like, shape (n_theta, n_phi)
        ``f`` at the nodes of ``grid``.
    grid : SphereGrid
    l_max : int

    Returns
    -------
    ndarray, shape ((l_max + 1)²,)
        In coefficient-vector order (see :func:`harmonic_index`).
    """
    values = np.asarray(values, dtype=float)
    if values.shape != grid.theta.shape:
        raise ValueError(f"values {values.shape} do not match the grid {grid.theta.shape}.")
    _check_grid_supports(grid, l_max)
    basis = real_spherical_harmonics(l_max, grid.theta, grid.phi)
    return np.tensordot(basis, values * grid.weights, axes=2)


def reconstruct(coefficients: Any, theta: Any, phi: Any) -> np.ndarray:
    """``Σ f_l^m Y_l^m(θ, φ)`` from a coefficient vector of length ``(l_max + 1)²``.

    Returns
    -------
    ndarray, same shape as ``theta``
    """
    coefficients = np.asarray(coefficients, dtype=float)
    l_max = math.isqrt(coefficients.size) - 1
    if coefficients.ndim != 1 or (l_max + 1) ** 2 != coefficients.size:
        raise ValueError(
            f"A coefficient vector has (l_max + 1)² entries; got {coefficients.shape}."
        )
    basis = real_spherical_harmonics(l_max, theta, phi)
    return np.tensordot(coefficients, basis, axes=1)


def relative_l2_error(reference: Any, approximation: Any, grid: SphereGrid) -> float:
    """``‖f − g‖ / ‖f‖`` in the L² norm of the sphere (0 when both vanish)."""
    f = np.asarray(reference, dtype=float)
    g = np.asarray(approximation, dtype=float)
    norm = float(np.sum(grid.weights * f * f))
    distance = float(np.sum(grid.weights * (f - g) ** 2))
    if norm == 0:
        return 0.0 if distance == 0 else math.inf
    return math.sqrt(distance / norm)


def error_by_degree(values: Any, grid: SphereGrid, l_max: int) -> np.ndarray:
    """Relative L² error of the truncated expansion at each degree ``L = 0 … l_max``.

    Uses Parseval's identity for the discrete inner product (exact because the sampled
    harmonics are orthonormal under the quadrature): ``‖f − f_L‖² = ‖f‖² − Σ_{l ≤ L} (f_l^m)²``.

    Returns
    -------
    ndarray, shape (l_max + 1,)
        Non-increasing in ``L``.
    """
    values = np.asarray(values, dtype=float)
    coefficients = project(values, grid, l_max)
    norm = float(np.sum(grid.weights * values * values))
    if norm == 0:
        return np.zeros(l_max + 1)
    per_degree = np.array(
        [np.sum(coefficients[l * l : (l + 1) ** 2] ** 2) for l in range(l_max + 1)]  # noqa: E741
    )
    remaining = np.maximum(norm - np.cumsum(per_degree), 0.0)
    return np.sqrt(remaining / norm)


def sphere_to_cartesian(theta: Any, phi: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit-sphere points ``(x, y, z)`` for polar angle ``θ`` and azimuth ``φ``."""
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    return np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)


def _bump(theta: np.ndarray, phi: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    # A von Mises–Fisher-shaped bump: smooth, so its coefficients fall off quickly with l.
    x, y, z = sphere_to_cartesian(theta, phi)
    cx, cy, cz = sphere_to_cartesian(*centre)
    return np.exp(_BUMP_CONCENTRATION * (x * cx + y * cy + z * cz - 1.0))


_TERM = re.compile(r"^\s*([+-]?\d+)\s*[, ]\s*([+-]?\d+)\s*[,: =]\s*([^\s].*?)\s*$")


def parse_terms(text: str, *, max_degree: int) -> dict[tuple[int, int], float]:
    """Parse user coefficients ``"l m value; l m value; …"``.

    Parameters
    ----------
    text : str
        Terms separated by ``;`` or new lines; inside a term ``l``, ``m`` and the value are
        separated by spaces or commas (``"2 1 0.5"``, ``"2, -1, 0.5"``, ``"2 -1: 0.5"``).
    max_degree : int
        Largest accepted ``l``.

    Returns
    -------
    dict
        ``{(l, m): value}``; repeated ``(l, m)`` add up.

    Raises
    ------
    ValueError
        On a malformed term, an ``(l, m)`` out of range or a non-finite value; the message
        quotes the offending term.
    """
    terms: dict[tuple[int, int], float] = {}
    pieces = [piece for piece in re.split(r"[;\n]", text) if piece.strip()]
    if not pieces:
        raise ValueError("Enter at least one term as 'l m value', e.g. '2 1 0.5'.")
    for piece in pieces:
        match = _TERM.match(piece)
        if not match:
            raise ValueError(
                f"Cannot read '{piece.strip()[:40]}': write each term as 'l m value', "
                "e.g. '2 1 0.5'."
            )
        l, m = int(match.group(1)), int(match.group(2))  # noqa: E741
        try:
            value = float(match.group(3))
        except ValueError:
            raise ValueError(
                f"'{match.group(3)[:20]}' in '{piece.strip()[:40]}' is not a number."
            ) from None
        if not math.isfinite(value):
            raise ValueError(f"The value in '{piece.strip()[:40]}' is not finite.")
        if not 0 <= l <= max_degree:
            raise ValueError(f"Degree l={l} is outside 0…{max_degree}.")
        if abs(m) > l:
            raise ValueError(f"Order m={m} is impossible for degree l={l}: need −l ≤ m ≤ l.")
        terms[(l, m)] = terms.get((l, m), 0.0) + value
    return terms


def terms_as_tuple(terms: dict[tuple[int, int], float]) -> tuple[tuple[int, int, float], ...]:
    """``{(l, m): value}`` as a tuple of ``(l, m, value)`` sorted by ``(l, m)``: hashable.

    Examples
    --------
    >>> terms_as_tuple({(2, 1): 0.5, (0, 0): 1.0})
    ((0, 0, 1.0), (2, 1, 0.5))
    """
    return tuple((l, m, float(value)) for (l, m), value in sorted(terms.items()))  # noqa: E741


def coefficients_from_terms(terms: dict[tuple[int, int], float]) -> np.ndarray:
    """A coefficient vector (long enough for the largest degree) from ``{(l, m): value}``."""
    l_max = max((l for l, _ in terms), default=0)  # noqa: E741
    coefficients = np.zeros((l_max + 1) ** 2)
    for (l, m), value in terms.items():  # noqa: E741
        coefficients[harmonic_index(l, m)] += value
    return coefficients


def preset_values(
    name: str,
    theta: Any,
    phi: Any,
    *,
    degree: int = 2,
    order: int = 1,
    terms: dict[tuple[int, int], float] | None = None,
) -> np.ndarray:
    """A function on the sphere from :data:`PRESETS`, sampled at the given angles.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`.
    theta, phi : array_like, same shape
    degree, order : int
        ``l`` and ``m`` for ``"Pure Y_l^m"``.
    terms : dict, optional
        ``{(l, m): value}`` for ``"Your coefficients"`` (see :func:`parse_terms`).

    Returns
    -------
    ndarray, same shape as ``theta``
    """
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    if name == "Smooth bump":
        return _bump(theta, phi, _BUMP_CENTRE)
    if name == "Two bumps (signed)":
        return _bump(theta, phi, _BUMP_CENTRE) - 0.7 * _bump(theta, phi, _SECOND_BUMP_CENTRE)
    if name == "Polar cap (sharp edge)":
        return (theta < _CAP_ANGLE).astype(float)
    if name == "Pure Y_l^m":
        return real_spherical_harmonic(degree, order, theta, phi)
    if name == "Your coefficients":
        if not terms:
            raise ValueError("'Your coefficients' needs at least one term.")
        return reconstruct(coefficients_from_terms(terms), theta, phi)
    raise ValueError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")


@dataclass(frozen=True)
class HarmonicAnalysis:
    """A function on the sphere, its coordinates up to ``l_max`` and what they rebuild.

    Attributes
    ----------
    coefficients : ndarray, shape ((l_max + 1)²,)
        The coordinates ``f_l^m`` kept.
    errors : ndarray, shape (curve_l_max + 1,)
        Relative L² error of the expansion truncated at each ``l_max = 0 … curve_l_max``.
    error_at_l_max : float
        Relative L² error of the kept expansion.
    theta, phi : ndarray, shape (display_theta, display_phi)
        The drawing grid (``phi`` includes 2π, so the seam closes).
    original, rebuilt : ndarray, same shape as ``theta``
        The function and the kept expansion on the drawing grid.
    """

    coefficients: np.ndarray
    errors: np.ndarray
    error_at_l_max: float
    theta: np.ndarray
    phi: np.ndarray
    original: np.ndarray
    rebuilt: np.ndarray


def analyse_function(
    preset: str,
    *,
    l_max: int,
    curve_l_max: int,
    degree: int = 2,
    order: int = 1,
    terms: dict[tuple[int, int], float] | None = None,
    display_theta: int = 41,
    display_phi: int = 81,
) -> HarmonicAnalysis:
    """Expand a preset function in real spherical harmonics and rebuild it from degrees ≤ l_max.

    Parameters
    ----------
    preset : str
        One of :data:`PRESETS`.
    l_max : int
        Largest degree kept.
    curve_l_max : int
        Largest degree of the error curve.
    degree, order, terms
        As in :func:`preset_values`.
    display_theta, display_phi : int
        Resolution of the drawing grid.

    Returns
    -------
    HarmonicAnalysis
    """
    grid = quadrature_grid()
    values = preset_values(preset, grid.theta, grid.phi, degree=degree, order=order, terms=terms)
    coefficients = project(values, grid, l_max)
    errors = error_by_degree(values, grid, curve_l_max)
    error_at_l_max = relative_l2_error(
        values, reconstruct(coefficients, grid.theta, grid.phi), grid
    )
    theta, phi = np.meshgrid(
        np.linspace(0, np.pi, display_theta),
        np.linspace(0, 2 * np.pi, display_phi),
        indexing="ij",
    )
    original = preset_values(preset, theta, phi, degree=degree, order=order, terms=terms)
    rebuilt = reconstruct(coefficients, theta, phi)
    return HarmonicAnalysis(coefficients, errors, error_at_l_max, theta, phi, original, rebuilt)
