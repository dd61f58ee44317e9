"""Tests of keras_aae.images"""

import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from keras_aae import images


def test_grid_layout_and_scaling():
    tiles = np.stack([np.full((2, 2, 1), v) for v in (0.0, 0.5, 1.0)])
    grid = images.make_grid(tiles, columns=2, min_size=4)
    assert grid.shape == (8, 8, 1) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0 and grid[0, 4, 0] == 128 and grid[4, 0, 0] == 255
    assert grid[4, 4, 0] == 0  # the empty fourth cell


def test_png_round_trip(tmp_path):
    path = str(tmp_path / "g.png")
    images.save_image_grid(
        np.random.default_rng(0).random((4, 28, 28, 1)), path
    )
    png = tf.io.decode_png(tf.io.read_file(path)).numpy()
    assert png.shape == (56, 56, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["g.png"]


def test_scatter_image_colours_points_by_label():
    points = np.array([[0.0, 0.0], [1.0, 1.0]])
    image = keras_aae.images.scatter_image(points, [0, 1], size=64, margin=4)
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    colours = {tuple(c) for c in image.reshape(-1, 3)}
    assert tuple(keras_aae.images._PALETTE[0]) in colours
    assert tuple(keras_aae.images._PALETTE[1]) in colours
    # Bottom-left is the first point, top-right the second.
    assert tuple(image[64 - 5, 4]) == tuple(keras_aae.images._PALETTE[0])
    assert tuple(image[4, 64 - 5]) == tuple(keras_aae.images._PALETTE[1])
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        keras_aae.images.scatter_image(np.zeros((3, 3)))
