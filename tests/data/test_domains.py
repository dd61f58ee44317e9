"""Tests of keras_aae.data.domains and `domain_adaptation_dataset`."""

import numpy as np
import pytest

from helpers import assert_clear
from helpers import mnist_data_dir
from keras_aae import data


def test_resize_images_into_mnists_box():
    images = np.ones((3, 8, 8, 1), "float32")
    resized = data.resize_images(images, (28, 28), data.MNIST_BOX_FRACTION)
    assert resized.shape == (3, 28, 28, 1)
    # A 20x20 box of ones, a 4-pixel margin of zeros.
    np.testing.assert_allclose(resized[:, 4:24, 4:24], 1.0)
    assert resized[:, :4].max() == 0.0 and resized[:, 24:].max() == 0.0
    with pytest.raises(ValueError) as error:
        data.resize_images(images[0], (28, 28))
    assert_clear(error, "(n, height, width, channels)")


def test_dataset_batches_both_domains_with_target_labels_hidden(digits):
    x, y = digits
    target = x[:100]
    ds = data.domain_adaptation_dataset(
        (x[:300], y[:300]), target, batch_size=32, seed=0
    )
    batches = list(ds)
    # One pass over the larger (source) domain, remainders dropped.
    assert len(batches) == 300 // 32
    images, targets = batches[0]
    assert images.shape == (64, 8, 8, 1)
    np.testing.assert_array_equal(targets["domain"], [0] * 32 + [1] * 32)
    assert (targets["label"].numpy()[32:] == -1).all()
    assert (targets["label"].numpy()[:32] >= 0).all()
    # The target half is drawn from the target images only.
    for image in images.numpy()[32:]:
        assert np.any(np.all(target == image, axis=(1, 2, 3)))


def test_dataset_resumes_by_epoch(digits):
    x, y = digits
    order = data.EpochOrder(seed=3)
    ds = data.domain_adaptation_dataset(
        (x[:128], y[:128]), x[200:700], batch_size=32, order=order
    )
    order.on_epoch_begin(2)
    first = [b[0].numpy() for b in ds]
    order.on_epoch_begin(2)
    again = [b[0].numpy() for b in ds]
    order.on_epoch_begin(3)
    other = [b[0].numpy() for b in ds]
    assert len(first) == 500 // 32  # the larger domain is the target here
    np.testing.assert_array_equal(np.stack(first), np.stack(again))
    assert not np.array_equal(np.stack(first), np.stack(other))


@pytest.mark.parametrize(
    "source, target, words",
    [
        ("ok", "labeled", ["target labels must never reach training"]),
        ("ok", "empty", ["target domain is empty"]),
        ("empty", "ok", ["source domain is empty"]),
        ("ok", "other_shape", ["resize_images", "(28, 28, 1)"]),
        ("unlabeled", "ok", ["No source image is labeled"]),
    ],
)
def test_dataset_refuses_bad_domains(digits, source, target, words):
    x, y = digits
    sources = {
        "ok": (x[:64], y[:64]),
        "empty": (x[:0], y[:0]),
        "unlabeled": (x[:64], np.full(64, -1)),
    }
    targets = {
        "ok": x[64:128],
        "labeled": (x[64:128], y[64:128]),
        "empty": x[:0],
        "other_shape": np.zeros((10, 28, 28, 1), "float32"),
    }
    with pytest.raises(ValueError) as error:
        data.domain_adaptation_dataset(sources[source], targets[target])
    for word in words:
        assert word in str(error.value), str(error.value)


def test_check_training_data_reads_domain_targets(digits):
    x = digits[0][:4]
    good = {"label": np.array([1, 2, -1, -1]), "domain": np.array([0, 0, 1, 1])}
    data.check_training_data(x, good, domains=10)
    with pytest.raises(ValueError) as error:
        data.check_training_data(
            x, dict(good, domain=np.array([0, 0, 1, 2])), domains=10
        )
    assert_clear(error, "Domains must be 0 (source) or 1 (target)")
    with pytest.raises(ValueError) as error:
        data.check_training_data(
            x, dict(good, label=np.array([1, 12, -1, -1])), domains=10
        )
    assert_clear(error, "[0, 9]")
    with pytest.raises(TypeError) as error:
        data.check_training_data(x, {"label": good["label"]}, domains=10)
    assert_clear(error, "domain")


def test_load_domain_splits_refuses_one_dataset_twice():
    with pytest.raises(ValueError) as error:
        data.load_domain_splits("digits", "digits")
    assert_clear(error, "two different datasets")


@pytest.mark.skipif(
    mnist_data_dir() is None,
    reason="MNIST is not prepared (set TFDS_DATA_DIR to ../shared/data/"
    "tensorflow_datasets)",
)
def test_load_domain_splits_puts_digits_in_mnists_box():
    pair = data.load_domain_splits("mnist", "digits", data_dir=mnist_data_dir())
    x_test, y_test = pair["target"]["test"]
    assert x_test.shape == (297, 28, 28, 1) and len(y_test) == 297
    assert x_test[:, :4].max() == 0.0 and x_test[:, 4:24].max() > 0.5
    assert pair["source"]["train"][0].shape[1:] == (28, 28, 1)
