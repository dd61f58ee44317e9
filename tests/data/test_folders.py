"""Tests of keras_aae.data.folders: a user's folder of images."""

import numpy as np
import pytest
import tensorflow as tf

from keras_aae import data


def _write(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tf.io.encode_png(np.asarray(pixels, np.uint8)).numpy())


def _gray(value, size=(8, 8)):
    return np.full((*size, 1), value, np.uint8)


def test_sub_folders_are_labels_and_pixels_are_exact(tmp_path):
    _write(tmp_path / "b" / "2.png", _gray(255))
    _write(tmp_path / "a" / "1.png", _gray(0))
    _write(tmp_path / "a" / "0.png", _gray(51))
    folder = data.load_image_folder(tmp_path)
    assert folder.class_names == ("a", "b")
    assert folder.labels.tolist() == [0, 0, 1]
    assert [p.split("/")[-1] for p in folder.paths] == [
        "0.png",
        "1.png",
        "2.png",
    ]
    assert folder.images.shape == (3, 8, 8, 1)
    np.testing.assert_array_equal(
        folder.images[:, 0, 0, 0], np.float32([51, 0, 255]) / np.float32(255)
    )


def test_gray_and_colour_become_colour_and_sizes_one_size(tmp_path):
    _write(tmp_path / "gray.png", _gray(255, (8, 8)))
    _write(tmp_path / "rgb.png", np.zeros((10, 6, 3), np.uint8))
    with pytest.raises(
        ValueError, match=r"gray.png' is 8x8, 'rgb.png' is 10x6"
    ):
        data.load_image_folder(tmp_path)
    folder = data.load_image_folder(tmp_path, image_size=(4, 4))
    assert folder.images.shape == (2, 4, 4, 3) and folder.labels is None
    assert folder.images[0].min() == 1.0 and folder.images[1].max() == 0.0
    gray = data.load_image_folder(tmp_path, image_size=(4, 4), channels=1)
    assert gray.images.shape == (2, 4, 4, 1)


def test_bad_folders_get_one_line_naming_the_problem(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        data.load_image_folder(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images")
    with pytest.raises(ValueError, match="holds no PNG or JPEG"):
        data.load_image_folder(tmp_path / "empty")
    _write(tmp_path / "mixed" / "top.png", _gray(0))
    _write(tmp_path / "mixed" / "cats" / "1.png", _gray(0))
    with pytest.raises(ValueError, match="mixes images at its top"):
        data.load_image_folder(tmp_path / "mixed")
    _write(tmp_path / "corrupt" / "good.png", _gray(0))
    (tmp_path / "corrupt" / "bad.png").write_bytes(b"\x89PNG\r\n not a png")
    with pytest.raises(ValueError) as error:
        data.load_image_folder(tmp_path / "corrupt")
    message = str(error.value)
    assert "bad.png" in message and "\n" not in message and "{{" not in message
    with pytest.raises(ValueError, match="channels=2"):
        data.load_image_folder(tmp_path / "corrupt", channels=2)
