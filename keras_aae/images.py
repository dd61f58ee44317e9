"""Image grids written as PNG with TensorFlow's own encoder (no Pillow needed).

Example:

>>> import numpy as np
>>> from keras_aae import images
>>> images.make_grid(np.zeros((4, 8, 8, 1))).shape
(16, 16, 1)
"""

import math

import numpy as np
import tensorflow as tf

from keras_aae._io import atomic_path


def make_grid(images, columns=None):
    """Tiles images `(n, h, w, c)` in [0, 1] into one uint8 image.

    Args:
        images: Array of images; values are clipped to [0, 1].
        columns: Images per row; defaults to a near-square grid.

    Returns:
        A uint8 array `(rows * h, columns * w, c)`.
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
    return np.round(grid * 255).astype("uint8")


def write_png(grid, path):
    """Writes a uint8 image `(h, w, c)` to `path` atomically."""
    encoded = tf.io.encode_png(grid).numpy()
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(encoded)


def save_image_grid(images, path, columns=None):
    """Tiles `images` into a grid and writes it as a PNG at `path`."""
    write_png(make_grid(images, columns), path)
