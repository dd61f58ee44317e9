"""Tests of keras_aae.models.clustering"""

import pytest
import tensorflow as tf

import keras_aae
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant
from helpers import changed
from helpers import run_phase
from helpers import snapshot


def test_clustering_ignores_labels_and_uses_its_categorical_discriminator(
    digits,
):
    model = build_variant("clustering", latent_dim=3, num_classes=16)
    assert model.num_clusters == 16
    assert model._labels(tf.constant([1, 2])) is None
    model.compile()
    before = snapshot(model.categorical_discriminator)
    run_phase(model, "_discriminator_phase", tf.constant(digits[0][:32]))
    assert all(changed(before, model.categorical_discriminator))
    clusters = model.cluster(digits[0][:50])
    assert clusters.shape == (50,) and clusters.max() < 16
    assert "classification_loss" not in [m.name for m in model.metrics]


@pytest.mark.parametrize(
    "argument", ["num_classes", "classification_weight", "num_categories"]
)
def test_clustering_refuses_the_semi_supervised_arguments(argument):
    config = build_variant("clustering", latent_dim=3).get_config()
    with pytest.raises(ValueError) as error:
        keras_aae.ClusteringAdversarialAutoencoder.from_config(
            {**config, argument: 3}
        )
    assert_clear(error, argument, "num_clusters")


def test_clustering_has_no_classification_phase():
    model = build_variant("clustering", latent_dim=3, num_classes=16)
    model.compile()
    assert model._PHASES == ("reconstruction", "discriminator", "generator")
    assert not isinstance(model, keras_aae.SemiSupervisedAdversarialAutoencoder)
    assert_config_round_trip(
        model, "keras_aae>ClusteringAdversarialAutoencoder"
    )
