"""Tests of keras_aae.evaluation.figures"""

import numpy as np

from helpers import build_variant
from keras_aae import evaluation


def test_variant_figures_and_held_out_anomaly_scores(digits_splits):
    (x, y), (x_test, y_test) = digits_splits
    splits = {"validation": (x[:100], y[:100]), "test": (x_test, y_test)}
    keep = y != 0
    model = build_variant("unsupervised", latent_dim=4)
    model.compile(jit_compile=False)  # figures, not XLA, under test
    model.fit(x[keep], epochs=15, batch_size=64, verbose=0)
    result = evaluation.held_out_class_auroc(model, x_test, y_test, 0, x[keep])
    assert set(result) == {"reconstruction", "code_density", "combined"}
    # Zeros were never seen: they reconstruct worse than the other digits.
    assert result["reconstruction"] > 0.6, result
    assert evaluation.variant_figures(model, splits) == {}
    clustering = build_variant("clustering", latent_dim=2, num_classes=12)
    figures = evaluation.variant_figures(clustering, splits)
    assert 0.0 <= figures["clustering_error"] <= 1.0
    assert figures["num_clusters"] == 12


def test_one_class_auroc_ranks_the_other_digits_as_anomalies(digits_splits):
    (x, y), (x_test, y_test) = digits_splits
    model = build_variant("unsupervised", latent_dim=4)
    model.compile(jit_compile=False)
    model.fit(x[y == 0], epochs=30, batch_size=32, verbose=0)
    result = evaluation.one_class_auroc(model, x_test, y_test, 0, x[y == 0])
    assert set(result) == {"reconstruction", "code_density", "combined"}
    # Trained on zeros alone: every other digit reconstructs worse.
    assert result["reconstruction"] > 0.8, result
    # The same scores, read the other way round, are the held-out protocol
    # with the normal class swapped: its AUROC is the complement.
    swapped = evaluation.held_out_class_auroc(
        model, x_test, y_test, 0, x[y == 0]
    )
    for name in result:
        assert abs(swapped[name] + result[name] - 1) < 1e-6, name


def test_swiss_roll_label_informed_models_score_their_segments(digits_splits):
    (x, y), (x_test, y_test) = digits_splits
    splits = {"validation": (x[:100], y[:100]), "test": (x_test, y_test)}
    model = build_variant("label_informed", prior="swiss_roll")
    figures = evaluation.variant_figures(model, splits)
    components = evaluation.swiss_roll_segments(
        model.encode(x_test), model.prior.num_components, model.prior.scale
    )
    assert figures["own_component_rate"] == np.mean(components == y_test)
