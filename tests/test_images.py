"""Tests of keras_aae.images"""

import numpy as np
import tensorflow as tf

from keras_aae import images


def test_grid_layout_scaling_and_gaps():
    tiles = np.stack([np.full((2, 2, 1), v) for v in (0.0, 0.4, 1.0)])
    grid = images.make_grid(tiles, columns=2, min_size=4, gap=1)
    # Each 2x2 tile enlarged to 4x4, one grey pixel between tiles.
    assert grid.shape == (9, 9, 1) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0 and grid[3, 3, 0] == 0
    assert grid[0, 5, 0] == 102 and grid[5, 0, 0] == 255
    assert (grid[4, :, 0] == 128).all() and (grid[:, 4, 0] == 128).all()
    assert (grid[5:, 5:, 0] == 128).all()  # the empty fourth cell


def test_grid_without_gap_is_plain_tiling():
    tiles = np.random.default_rng(0).random((4, 3, 3, 1))
    grid = images.make_grid(tiles, columns=2, min_size=1, gap=0)
    assert grid.shape == (6, 6, 1)
    np.testing.assert_array_equal(
        grid[3:, :3, 0], np.round(tiles[2, ..., 0] * 255).astype("uint8")
    )


def test_png_round_trip(tmp_path):
    path = str(tmp_path / "g.png")
    images.save_image_grid(
        np.random.default_rng(0).random((4, 28, 28, 1)), path
    )
    png = tf.io.decode_png(tf.io.read_file(path)).numpy()
    assert png.shape == (57, 57, 1)
    assert [p.name for p in tmp_path.iterdir()] == ["g.png"]
