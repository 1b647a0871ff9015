"""Shared plotting style: colour-blind-safe palettes used by every figure builder."""

from __future__ import annotations

__all__ = ["DIVERGING", "METHOD_COLORS", "OKABE_ITO", "SEQUENTIAL"]

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

# Nonnegative quantities (data, H, W): perceptually uniform, colour-blind safe.
SEQUENTIAL = "Viridis"
# Signed quantities (SVD/PCA factors, residuals): centred on zero (use zmid=0).
DIVERGING = "RdBu_r"

METHOD_COLORS = {
    "NMF": OKABE_ITO[0],
    "SVD": OKABE_ITO[1],
    "PCA": OKABE_ITO[2],
    "mu": OKABE_ITO[0],
    "hals": OKABE_ITO[1],
    "anls": OKABE_ITO[2],
    "als": OKABE_ITO[5],
}
