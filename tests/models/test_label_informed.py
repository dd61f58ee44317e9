"""Tests of keras_aae.models.label_informed"""

import numpy as np
import pytest
import tensorflow as tf

from helpers import build_variant
from helpers import run_phase


def test_label_informed_draws_each_labeled_example_from_its_component():
    model = build_variant("label_informed")
    labels = tf.constant(np.repeat(np.arange(10), 20).astype("int32"))
    part = model.regularized_parts()[0]
    draws = np.asarray(model._prior_draws(part, 2 * 200, labels))
    component = model.prior.component_log_probs(draws).argmax(1)
    assert np.mean(component == np.tile(labels.numpy(), 2)) > 0.9
    # Unlabeled examples draw from the whole mixture.
    unlabeled = tf.fill((400,), -1)
    draws = np.asarray(model._prior_draws(part, 400, unlabeled))
    assert (
        len(np.unique(model.prior.component_log_probs(draws).argmax(1))) == 10
    )


def test_label_informed_discriminator_reads_the_label(digits):
    model = build_variant("label_informed")
    model.compile()
    z = tf.zeros((4, 2))
    part = model.regularized_parts()[0]
    seen = model._discriminator_input(part, z, tf.constant([0, 3, -1, 9]))
    np.testing.assert_array_equal(np.argmax(seen[:, 2:], axis=1), [0, 3, 10, 9])
    first = model.discriminator.get_layer("hidden_0").kernel
    before = first.numpy()
    run_phase(
        model,
        "_discriminator_phase",
        tf.constant(digits[0][:32]),
        tf.constant(digits[1][:32].astype("int32")),
    )
    # The rows of the label inputs are trained too.
    assert not np.array_equal(before[2:], first.numpy()[2:])


def test_label_informed_needs_one_component_per_class():
    with pytest.raises(ValueError, match="one component per class"):
        build_variant("label_informed", prior="gaussian")
