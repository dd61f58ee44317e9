"""Tests of keras_aae.evaluation.judge"""

import numpy as np

from helpers import rng
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
