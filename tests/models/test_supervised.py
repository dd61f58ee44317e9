"""Tests of keras_aae.models.supervised"""

import numpy as np
import pytest

from helpers import SHAPE
from helpers import build_variant


def test_supervised_decoder_reads_the_label(digits):
    model = build_variant("supervised", latent_dim=3)
    model.compile()
    model.fit(
        digits[0][:128], digits[1][:128], epochs=1, batch_size=32, verbose=0
    )
    x = digits[0][:5]
    as_zero = model.reconstruct(x, np.zeros(5, "int64"))
    as_one = model.reconstruct(x, np.ones(5, "int64"))
    assert np.abs(as_zero - as_one).max() > 1e-3
    grid = model.transfer_style(x, labels=[0, 1, 2])
    assert grid.shape == (5, 3) + SHAPE
    np.testing.assert_allclose(grid[:, 1], as_one, atol=1e-5)
    with pytest.raises(ValueError, match="needs the label of every example"):
        model.fit(digits[0][:32], epochs=1, verbose=0)
