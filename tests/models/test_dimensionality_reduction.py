"""Tests of keras_aae.models.dimensionality_reduction"""

import tensorflow as tf

from helpers import build_variant
from helpers import run_phase


def test_dimensionality_reduction_pushes_cluster_heads_apart(digits):
    model = build_variant("dimensionality_reduction", latent_dim=2)
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
