"""Sinusoidal positional encoding and rotary position embedding (RoPE), computed and plotted with NumPy.

Run from the repository root: python docs/snippets/positional_encoding.py
"""

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def sinusoidal(positions: int, d_model: int) -> np.ndarray:
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))  (Vaswani et al., 2017)."""
    p = np.arange(positions)[:, None]
    frequencies = 1.0 / 10000 ** (np.arange(0, d_model, 2) / d_model)
    pe = np.zeros((positions, d_model))
    pe[:, 0::2] = np.sin(p * frequencies)
    pe[:, 1::2] = np.cos(p * frequencies)
    return pe


def rope(x: np.ndarray, position: int | np.ndarray, base: float = 10000.0) -> np.ndarray:
    """Rotate each pair (x[2i], x[2i+1]) by the angle position·θ_i, θ_i = base^(−2i/d)  (Su et al., 2021)."""
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)
    angle = np.asarray(position)[..., None] * theta
    cos, sin = np.cos(angle), np.sin(angle)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


d = 64
pe = sinusoidal(128, d)
# The dot product of two sinusoidal encodings depends only on the distance between the positions.
print(f"- sinusoidal: PE[10]·PE[30] = {pe[10] @ pe[30]:.6f}, PE[70]·PE[90] = {pe[70] @ pe[90]:.6f} "
      f"(both equal Σ_i cos(20·ω_i))")

rng = np.random.default_rng(0)
q, k = rng.standard_normal(d), rng.standard_normal(d)
a = rope(q, 5) @ rope(k, 2)
b = rope(q, 105) @ rope(k, 102)
print(f"- RoPE: q at 5 · k at 2 = {a:.6f}; q at 105 · k at 102 = {b:.6f} (same offset 3, same score)")
print(f"- RoPE keeps lengths: |q| = {np.linalg.norm(q):.6f}, |RoPE(q, 77)| = {np.linalg.norm(rope(q, 77)):.6f}")

# Decay with distance: the same all-ones vector at positions 0 and m scores (2/d)·Σ_i cos(m·θ_i) per unit.
distances = np.arange(0, 512)
ones = np.ones(d)
decay = [rope(ones, 0) @ rope(ones, int(m)) / d for m in distances]
print(f"- RoPE(1, 0)·RoPE(1, m) / d: m=0 → {decay[0]:.3f}, m=16 → {decay[16]:.3f}, "
      f"m=128 → {decay[128]:.3f}; mean over m = 0–127 → {np.mean(decay[:128]):.3f}, "
      f"128–255 → {np.mean(decay[128:256]):.3f}, 256–511 → {np.mean(decay[256:]):.3f}; "
      f"smallest value {min(decay):.3f}\n")

fig, axes = plt.subplots(1, 2, figsize=(11, 4), facecolor="white")
# interpolation "none": the SVG embeds the 128 x 64 data as is (a few KB), not a resampled full-size bitmap
image = axes[0].imshow(pe, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, interpolation="none")
axes[0].set(xlabel="embedding dimension", ylabel="position", title="sinusoidal encoding, d = 64")
fig.colorbar(image, ax=axes[0])
axes[1].plot(distances, decay, color="tab:blue")
axes[1].axhline(0, color="grey", linewidth=0.5)
axes[1].set(xlabel="distance m (tokens)", ylabel="mean score / d", title="RoPE: one vector, m tokens apart")
plt.rcParams["svg.hashsalt"] = "llm-atlas"  # stable ids: the same input gives the same page
svg = io.StringIO()
fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
plt.close(fig)
data = base64.b64encode(svg.getvalue().encode()).decode()
alt = "Sinusoidal encoding heatmap and RoPE decay"
print(f'<img class="atlas-figure" alt="{alt}" src="data:image/svg+xml;base64,{data}">')
