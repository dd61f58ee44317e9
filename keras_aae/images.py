"""Image grids written as PNG with TensorFlow's own encoder (no Pillow needed).

Example:

>>> import numpy as np
>>> from keras_aae import images
>>> images.make_grid(np.zeros((4, 8, 8, 1))).shape
(65, 65, 1)
"""

import math

import numpy as np
import tensorflow as tf

from keras_aae._io import atomic_path


def make_grid(images, columns=None, min_size=28, gap=1, gap_value=0.5):
    """Tiles images `(n, h, w, c)` in [0, 1] into one uint8 image.

    Args:
        images: Array of images; values are clipped to [0, 1].
        columns: Images per row; defaults to a near-square grid.
        min_size: Images smaller than this are enlarged by an integer factor
            (nearest neighbour) so that small digits stay visible.
        gap: Pixels between neighbouring images (after enlarging), so that
            where one image ends and the next begins stays visible.
        gap_value: The gap's grey level in [0, 1] (mid-grey shows against
            both black backgrounds and white strokes).

    Returns:
        A uint8 array `(rows * (h * k + gap) - gap, columns * (w * k + gap) -
        gap, c)` for the enlarging factor `k`.
    """
    images = np.clip(np.asarray(images, dtype="float32"), 0.0, 1.0)
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    factor = max(1, math.ceil(min_size / max(h, w)))
    if factor > 1:
        images = images.repeat(factor, axis=1).repeat(factor, axis=2)
        h, w = h * factor, w * factor
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.full(
        (rows * (h + gap) - gap, columns * (w + gap) - gap, c),
        gap_value,
        dtype="float32",
    )
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        top, left = r * (h + gap), col * (w + gap)
        grid[top : top + h, left : left + w] = image
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
