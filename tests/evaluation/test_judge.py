"""Tests of keras_aae.evaluation.judge"""

import keras
import numpy as np
import pytest

from helpers import rng
from keras_aae import data
from keras_aae import evaluation


def test_judge_classifier_is_cached_and_judges_real_digits(
    digits_splits, tmp_path
):
    (x_train, y_train), (x_test, y_test) = digits_splits
    classifier = evaluation.judge_classifier(
        x_train, y_train, "digits", str(tmp_path)
    )
    cached = list(tmp_path.glob("judge-digits-*.keras"))
    assert len(cached) == 1
    again = evaluation.judge_classifier(
        x_train, y_train, "digits", str(tmp_path)
    )
    np.testing.assert_array_equal(
        classifier.predict(x_test, verbose=0), again.predict(x_test, verbose=0)
    )
    quality = evaluation.sample_quality(classifier, x_test, x_train)
    noise = evaluation.sample_quality(
        classifier, rng().random(x_test.shape), x_train
    )
    assert quality["frechet_distance"] < noise["frechet_distance"] / 5
    assert quality["label_entropy"] > 2.1  # real test digits cover all classes


def test_mnist_judge_is_a_convolutional_network_that_reads_digits(mnist_dir):
    images, labels = data.load_arrays("mnist", "test", data_dir=mnist_dir)
    x_train, y_train = images[:4000], labels[:4000]
    x_test, y_test = images[4000:6000], labels[4000:6000]
    classifier = evaluation.train_digit_classifier(x_train, y_train, epochs=2)
    assert any(
        isinstance(layer, keras.layers.Conv2D) for layer in classifier.layers
    )
    predicted = np.argmax(classifier.predict(x_test, verbose=0), axis=1)
    assert np.mean(predicted == y_test) > 0.85
    quality = evaluation.sample_quality(classifier, x_test, x_train)
    noise = evaluation.sample_quality(
        classifier, rng().random(x_test.shape).astype("float32"), x_train
    )
    assert quality["frechet_distance"] < noise["frechet_distance"] / 5
    assert quality["label_entropy"] > 2.1


def test_style_transfer_accuracy_tells_a_grid_that_writes_its_labels(
    digits_splits, tmp_path
):
    (x_train, y_train), (x_test, y_test) = digits_splits
    judge = evaluation.judge_classifier(
        x_train, y_train, "digits", str(tmp_path)
    )
    # Column j holds a real test image of digit j: the grid a perfect
    # style transfer writes; every column the row's own image: the grid of
    # a style that carries its digit.
    by_digit = np.stack([x_test[y_test == j][:20] for j in range(10)], axis=1)
    own = np.repeat(x_test[:20, None], 10, axis=1)
    written = evaluation.style_transfer_accuracy(judge, by_digit)
    ignored = evaluation.style_transfer_accuracy(judge, own)
    assert written["style_transfer_accuracy"] > 0.85
    assert ignored["style_transfer_accuracy"] < 0.2
    assert len(written["per_label"]) == 10
    shifted = evaluation.style_transfer_accuracy(
        judge, by_digit[:, :3], labels=[1, 2, 3]
    )
    assert shifted["style_transfer_accuracy"] < 0.2
    with pytest.raises(ValueError, match=r"Received: shape \(20, 8, 8, 1\)"):
        evaluation.style_transfer_accuracy(judge, by_digit[:, 0])
