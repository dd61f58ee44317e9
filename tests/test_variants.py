"""The paper's variants: they train, update the parts they add, and round-trip."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from conftest import run_phase
from conftest import weights_of
from keras_aae import data
from keras_aae import evaluation
from keras_aae import networks
from keras_aae import priors
from keras_aae import variants

SHAPE = (8, 8, 1)
HIDDEN = [32]


def _build(variant, latent_dim=2, num_classes=10, **kwargs):
    keras.utils.set_random_seed(0)
    return variants.build(
        variant, SHAPE, latent_dim, hidden=HIDDEN, num_classes=num_classes,
        seed=0, **kwargs,
    )


def _snapshot(net):
    return [v.numpy() for v in net.trainable_variables]


def _all_changed(before, net):
    return all(
        not np.array_equal(b, v.numpy())
        for b, v in zip(before, net.trainable_variables, strict=True)
    )


@pytest.mark.parametrize("variant", sorted(variants.VARIANTS))
def test_variant_trains_and_round_trips_through_keras_file(variant, digits, tmp_path):
    x, y = digits[0][:256], digits[1][:256]
    model = _build(variant)
    model.compile(steps_per_execution=2)
    ds = variants.training_dataset(variant, x, y, num_labels=50, batch_size=32, seed=0)
    history = model.fit(ds, epochs=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    if isinstance(model, variants.SemiSupervisedAdversarialAutoencoder) and not (
        isinstance(model, variants.ClusteringAdversarialAutoencoder)
    ):
        assert history.history["classification_loss"][-1] > 0

    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    # Compared as JSON: a reloaded config holds lists where tuples were.
    assert json.dumps(restored.get_config(), sort_keys=True) == json.dumps(
        model.get_config(), sort_keys=True
    )
    for a, b in zip(weights_of(model), weights_of(restored), strict=True):
        np.testing.assert_array_equal(a, b)
    labels = y[:16]
    np.testing.assert_allclose(
        model.reconstruct(x[:16], labels), restored.reconstruct(x[:16], labels),
        atol=1e-6,
    )
    # Training continues from the restored optimizers.
    restored.fit(ds.take(2), epochs=1, verbose=0)


def test_unknown_variant_is_a_clear_error():
    with pytest.raises(ValueError, match="variant='bogus'"):
        variants.build("bogus", SHAPE, 2)


def test_semi_supervised_discriminator_phase_updates_both_discriminators(digits):
    model = _build("semi_supervised", latent_dim=3)
    model.compile()
    before = {
        name: _snapshot(getattr(model, name))
        for name in ("discriminator", "categorical_discriminator", "encoder")
    }
    run_phase(model, "_discriminator_phase", tf.constant(digits[0][:32]))
    assert _all_changed(before["categorical_discriminator"], model.categorical_discriminator)
    assert _all_changed(before["discriminator"], model.discriminator)
    for b, v in zip(before["encoder"], model.encoder.trainable_variables, strict=True):
        np.testing.assert_array_equal(b, v.numpy())


def test_semi_supervised_generator_phase_is_judged_by_both_discriminators(digits):
    model = _build("semi_supervised", latent_dim=3)
    model.compile()
    x = tf.constant(digits[0][:32])
    codes = model.encoder(x)
    # The generator's loss is the sum of both parts' losses: zeroing the
    # categorical discriminator's output layer changes it.
    full = float(model._generator_loss(codes, None))
    for v in model.categorical_discriminator.get_layer("logits").weights:
        v.assign(tf.zeros_like(v) + 5.0)
    assert float(model._generator_loss(codes, None)) != pytest.approx(full)


def test_classification_phase_lowers_labeled_cross_entropy(digits):
    model = _build("semi_supervised", latent_dim=3)
    model.compile(classification_learning_rate=1e-2)
    x = tf.constant(digits[0][:64])
    labels = np.array(digits[1][:64], dtype="int32")
    labels[32:] = -1  # unlabeled: must not count
    labels = tf.constant(labels)

    def labeled_loss():
        probs = model.encoder(x)[:, :10]
        return float(model._classification_loss(probs, labels))

    before = labeled_loss()
    for _ in range(20):
        run_phase(model, "_classification_phase", x, labels)
    assert labeled_loss() < 0.5 * before
    # With no labeled example the loss is 0 and nothing moves.
    weights = _snapshot(model.encoder)
    loss = run_phase(model, "_classification_phase", x, tf.fill((64,), -1))
    assert float(loss) == 0.0
    for b, v in zip(weights, model.encoder.trainable_variables, strict=True):
        np.testing.assert_array_equal(b, v.numpy())


def test_semi_supervised_learns_to_classify_digits_with_100_labels(digits_splits):
    (x, y), (x_test, y_test) = digits_splits
    model = _build("semi_supervised", latent_dim=4)
    model.compile()
    ds = variants.training_dataset("semi_supervised", x, y, num_labels=100,
                                   batch_size=64, seed=0)
    model.fit(ds, epochs=15, verbose=0)
    error = float(np.mean(model.classify(x_test) != y_test))
    # Chance is 0.9; a model that ignored its 100 labels stays near it.
    assert error < 0.3, error


def test_clustering_ignores_labels_and_uses_its_categorical_discriminator(digits):
    model = _build("clustering", latent_dim=3, num_classes=16)
    assert model.num_clusters == 16
    assert model._labels(tf.constant([1, 2])) is None
    model.compile()
    before = _snapshot(model.categorical_discriminator)
    run_phase(model, "_discriminator_phase", tf.constant(digits[0][:32]))
    assert _all_changed(before, model.categorical_discriminator)
    clusters = model.cluster(digits[0][:50])
    assert clusters.shape == (50,) and clusters.max() < 16
    assert "classification_loss" not in [m.name for m in model.metrics]


def test_label_informed_draws_each_labeled_example_from_its_component():
    model = _build("label_informed")
    labels = tf.constant(np.repeat(np.arange(10), 20).astype("int32"))
    part = model._regularized_parts()[0]
    draws = np.asarray(model._prior_draws(part, 2 * 200, labels))
    component = model.prior.component_log_probs(draws).argmax(1)
    assert np.mean(component == np.tile(labels.numpy(), 2)) > 0.9
    # Unlabeled examples draw from the whole mixture.
    unlabeled = tf.fill((400,), -1)
    draws = np.asarray(model._prior_draws(part, 400, unlabeled))
    assert len(np.unique(model.prior.component_log_probs(draws).argmax(1))) == 10


def test_label_informed_discriminator_reads_the_label(digits):
    model = _build("label_informed")
    model.compile()
    z = tf.zeros((4, 2))
    part = model._regularized_parts()[0]
    seen = model._discriminator_input(part, z, tf.constant([0, 3, -1, 9]))
    np.testing.assert_array_equal(np.argmax(seen[:, 2:], axis=1), [0, 3, 10, 9])
    first = model.discriminator.get_layer("hidden_0").kernel
    before = first.numpy()
    run_phase(model, "_discriminator_phase", tf.constant(digits[0][:32]),
              tf.constant(digits[1][:32].astype("int32")))
    # The rows of the label inputs are trained too.
    assert not np.array_equal(before[2:], first.numpy()[2:])


def test_label_informed_needs_one_component_per_class():
    with pytest.raises(ValueError, match="one component per class"):
        _build("label_informed", prior="gaussian")


def test_supervised_decoder_reads_the_label(digits):
    model = _build("supervised", latent_dim=3)
    model.compile()
    model.fit(digits[0][:128], digits[1][:128], epochs=1, batch_size=32, verbose=0)
    x = digits[0][:5]
    as_zero = model.reconstruct(x, np.zeros(5, "int64"))
    as_one = model.reconstruct(x, np.ones(5, "int64"))
    assert np.abs(as_zero - as_one).max() > 1e-3
    grid = model.transfer_style(x, labels=[0, 1, 2])
    assert grid.shape == (5, 3) + SHAPE
    np.testing.assert_allclose(grid[:, 1], as_one, atol=1e-5)
    with pytest.raises(ValueError, match="needs the label of every example"):
        model.fit(digits[0][:32], epochs=1, verbose=0)


def test_dimensionality_reduction_pushes_cluster_heads_apart(digits):
    model = _build("dimensionality_reduction", latent_dim=2)
    # Adam moves each weight about one learning rate per step: a large rate
    # lets 30 steps move the heads by their own size.
    model.compile(reconstruction_learning_rate=0.1)
    heads = model._cluster_heads()
    heads.heads.assign(heads.heads.numpy() * 0.1)  # tangled: well inside eta
    before = float(heads.penalty())
    assert before > 0
    x = tf.constant(digits[0][:32])
    for _ in range(30):
        run_phase(model, "_reconstruction_phase", x)
    assert float(heads.penalty()) < 0.8 * before
    points = model.embed(digits[0][:7])
    assert points.shape == (7, 2)


def test_cluster_heads_penalty_matches_its_definition():
    layer = networks.ClusterHeads(3, 2, min_distance=2.0)
    layer.heads.assign(np.array([[0, 0], [1, 0], [5, 0]], "float32"))
    # Pairs at distance 1, 5, 4: only the first is closer than 2.
    assert float(layer.penalty()) == pytest.approx(1.0, abs=1e-3)
    out = layer(np.array([[0, 1, 0, 0.5, -0.5]], "float32"))
    np.testing.assert_allclose(out, [[1.5, -0.5]])
    clone = networks.ClusterHeads.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_concatenated_prior_samples_scores_and_round_trips():
    prior = priors.ConcatenatedPrior([priors.CategoricalPrior(3), priors.GaussianPrior(2)])
    z = np.asarray(prior.sample(500, seed=0))
    assert z.shape == (500, 5)
    np.testing.assert_array_equal(z[:, :3].sum(axis=1), 1.0)
    restored = priors.get(keras.saving.serialize_keras_object(prior))
    assert isinstance(restored, priors.ConcatenatedPrior)
    np.testing.assert_array_equal(np.asarray(restored.sample(4, seed=1)),
                                  np.asarray(prior.sample(4, seed=1)))
    gaussian = priors.GaussianPrior(2)
    both = priors.ConcatenatedPrior([gaussian, priors.GaussianPrior(1)])
    zz = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_allclose(
        both.log_prob(zz),
        gaussian.log_prob(zz[:, :2]) + priors.GaussianPrior(1).log_prob(zz[:, 2:]),
    )
    with pytest.raises(ValueError, match="non-empty list"):
        priors.ConcatenatedPrior([])


def test_hide_labels_keeps_a_balanced_seeded_subset():
    labels = np.repeat(np.arange(10), 30)
    kept = data.hide_labels(labels, 50, seed=3)
    shown = kept[kept >= 0]
    assert len(shown) == 50
    np.testing.assert_array_equal(np.bincount(shown), np.full(10, 5))
    np.testing.assert_array_equal(kept, data.hide_labels(labels, 50, seed=3))
    assert not np.array_equal(kept, data.hide_labels(labels, 50, seed=4))
    with pytest.raises(ValueError, match="non-negative"):
        data.hide_labels(np.array([0, -2]), None)


def test_semi_supervised_dataset_adds_a_labeled_batch_to_every_batch():
    images = np.zeros((100, 2, 2, 1), "float32")
    labels = np.full(100, -1)
    labels[:10] = np.arange(10)
    ds = data.semi_supervised_dataset(images, labels, batch_size=16,
                                      labeled_batch_size=4, seed=0)
    batches = list(ds)
    assert len(batches) == 7
    for x, y in batches:
        y = y.numpy()
        assert x.shape[0] == len(y)
        assert np.all(y[:-4] == -1) and np.all(y[-4:] >= 0)
    with pytest.raises(ValueError, match="no labeled example"):
        data.semi_supervised_dataset(images, np.full(100, -1))


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


def test_variant_figures_and_held_out_anomaly_scores(digits_splits):
    (x, y), (x_test, y_test) = digits_splits
    splits = {"validation": (x[:100], y[:100]), "test": (x_test, y_test)}
    keep = y != 0
    model = _build("unsupervised", latent_dim=4)
    model.compile()
    model.fit(x[keep], epochs=15, batch_size=64, verbose=0)
    result = evaluation.held_out_class_auroc(model, x_test, y_test, 0)
    assert set(result) == {"reconstruction", "latent"}
    # Zeros were never seen: they reconstruct worse than the other digits.
    assert result["reconstruction"] > 0.6, result
    assert evaluation.variant_figures(model, splits) == {}
    clustering = _build("clustering", latent_dim=2, num_classes=12)
    figures = evaluation.variant_figures(clustering, splits)
    assert 0.0 <= figures["clustering_error"] <= 1.0
    assert figures["num_clusters"] == 12
