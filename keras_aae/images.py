"""Image grids written as PNG with TensorFlow's own encoder (no Pillow needed).

Example:

>>> import numpy as np
>>> from keras_aae import images
>>> images.make_grid(np.zeros((4, 8, 8, 1))).shape
(64, 64, 1)
"""

import math

import numpy as np
import tensorflow as tf

from keras_aae._io import atomic_path


def make_grid(images, columns=None, min_size=28):
    """Tiles images `(n, h, w, c)` in [0, 1] into one uint8 image.

    Args:
        images: Array of images; values are clipped to [0, 1].
        columns: Images per row; defaults to a near-square grid.
        min_size: Images smaller than this are enlarged by an integer factor
            (nearest neighbour) so that small digits stay visible.

    Returns:
        A uint8 array `(rows * h * k, columns * w * k, c)` for the factor `k`.
    """
    images = np.clip(np.asarray(images, dtype="float32"), 0.0, 1.0)
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.zeros((rows * h, columns * w, c), dtype="float32")
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        grid[r * h : (r + 1) * h, col * w : (col + 1) * w] = image
    factor = max(1, math.ceil(min_size / max(h, w)))
    if factor > 1:
        grid = grid.repeat(factor, axis=0).repeat(factor, axis=1)
    return np.round(grid * 255).astype("uint8")


def write_png(grid, path):
    """Writes a uint8 image `(h, w, c)` to `path` atomically."""
    encoded = tf.io.encode_png(grid).numpy()
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(encoded)


def save_image_grid(images, path, columns=None, min_size=28):
    """Tiles `images` into a grid and writes it as a PNG at `path`."""
    write_png(make_grid(images, columns, min_size), path)


# Ten distinct colours (matplotlib's "tab10"), one per class.
_PALETTE = np.array(
    [
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [214, 39, 40],
        [148, 103, 189],
        [140, 86, 75],
        [227, 119, 194],
        [127, 127, 127],
        [188, 189, 34],
        [23, 190, 207],
    ],
    dtype="uint8",
)


def scatter_image(points, labels=None, size=512, margin=16, dot=2):
    """Draws 2-D points as coloured dots on a white RGB image.

    A dependency-free scatter plot for latent spaces (paper figures 4, 11):
    class `c` gets colour `c` of a ten-colour palette (cycling beyond ten).

    Args:
        points: Array `(n, 2)`.
        labels: Optional int labels `(n,)`; without them every dot is black.
        size: Side of the square image in pixels.
        margin: Empty border in pixels.
        dot: Half-width of each dot in pixels.

    Returns:
        A uint8 array `(size, size, 3)`.

    Raises:
        ValueError: If `points` is not `(n, 2)` or the labels do not match.
    """
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"`points` must have shape (n, 2). Received: {points.shape}"
        )
    colours = np.zeros((len(points), 3), dtype="uint8")
    if labels is not None:
        labels = np.asarray(labels).astype("int64").reshape(-1)
        if len(labels) != len(points):
            raise ValueError(
                f"Expected one label per point ({len(points)}). Received: "
                f"{len(labels)} labels"
            )
        colours = _PALETTE[labels % len(_PALETTE)]
    image = np.full((size, size, 3), 255, dtype="uint8")
    finite = np.all(np.isfinite(points), axis=1)
    points, colours = points[finite], colours[finite]
    if not len(points):
        return image
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-9).max()
    centre = (low + high) / 2
    scaled = (points - centre) / span * (size - 2 * margin - 1) + size / 2
    cols = np.clip(np.round(scaled[:, 0]).astype(int), 0, size - 1)
    rows = np.clip(np.round(size - 1 - scaled[:, 1]).astype(int), 0, size - 1)
    for dr in range(-dot, dot + 1):
        for dc in range(-dot, dot + 1):
            image[
                np.clip(rows + dr, 0, size - 1), np.clip(cols + dc, 0, size - 1)
            ] = colours
    return image
