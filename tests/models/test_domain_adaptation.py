"""Tests of keras_aae.models.domain_adaptation"""

import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant
from helpers import changed
from helpers import snapshot
from keras_aae import data


@pytest.fixture(scope="module")
def domains(digits):
    """Source: digits; target: the same digits, inverted and shifted."""
    x, y = digits
    target = np.roll(1.0 - x[:200], 1, axis=2)
    return (x[:300], y[:300]), target


def _model(**kwargs):
    return build_variant("domain_adaptation", latent_dim=3, **kwargs)


def _batch(domains, n=32):
    (xs, ys), xt = domains
    x = np.concatenate([xs[:n], xt[:n]])
    y = {
        "label": np.concatenate([ys[:n], np.full(n, -1)]),
        "domain": np.repeat([0, 1], n),
    }
    return x, y


def test_trains_and_updates_the_domain_specific_parts(domains):
    model = _model()
    model.compile()
    decoder_kernel = model.decoder.trainable_variables[0]
    before = {
        name: snapshot(getattr(model, name))
        for name in (
            "domain_discriminator",
            "discriminator",
            "categorical_discriminator",
        )
    }
    decoder_before = decoder_kernel.numpy().copy()
    history = model.fit(
        data.domain_adaptation_dataset(*domains, batch_size=32, seed=0),
        epochs=2,
        verbose=0,
    )
    for key in ("loss", "domain_loss", "confusion_loss", "domain_accuracy"):
        assert np.isfinite(history.history[key]).all(), key
    for name, values in before.items():
        assert all(changed(values, getattr(model, name))), name
    # The decoder's rows that read the domain's one-hot were trained.
    domain_rows = slice(model.latent_dim, model.latent_dim + 2)
    assert not np.array_equal(
        decoder_before[domain_rows], decoder_kernel.numpy()[domain_rows]
    )


def test_decoder_reads_the_domain(domains):
    model = _model()
    x = domains[1][:8]
    as_source = model.reconstruct(x, {"domain": np.zeros(8, "int32")})
    as_target = model.reconstruct(x, {"domain": np.ones(8, "int32")})
    assert not np.allclose(as_source, as_target)


def _train_step_weights(model, x, y):
    # Without XLA: three models would each compile it (about 6 s apiece);
    # the compiled phases have their own test (tests/training/test_xla.py).
    model.compile(jit_compile=False)
    model.train_step(
        (tf.constant(x), {k: tf.constant(v) for k, v in y.items()})
    )
    return [v.numpy() for v in model.encoder.trainable_variables]


def test_target_labels_cannot_reach_training(domains):
    # `fit` refuses them; the step itself also masks them: a train step with
    # true target labels moves the encoder exactly as one with -1.
    x, y = _batch(domains)
    hidden = _train_step_weights(_model(), x, y)
    leaked = dict(y, label=np.concatenate([y["label"][:32], y["label"][:32]]))
    with_labels = _train_step_weights(_model(), x, leaked)
    for a, b in zip(hidden, with_labels, strict=True):
        np.testing.assert_array_equal(a, b)
    # ... while source labels do reach it.
    other = dict(y, label=np.roll(y["label"], 1))
    moved = _train_step_weights(_model(), x, other)
    assert any(
        not np.array_equal(a, b) for a, b in zip(hidden, moved, strict=True)
    )


def test_fit_refuses_target_labels(domains):
    model = _model()
    model.compile()
    x, y = _batch(domains)
    y["label"][-1] = 3
    with pytest.raises(ValueError) as error:
        model.fit(x, y, epochs=1, verbose=0)
    assert_clear(error, "Target labels must never reach training")


def test_fit_refuses_an_empty_domain_and_plain_labels(domains):
    model = _model()
    model.compile()
    x, y = _batch(domains)
    source_only = {k: v[:32] for k, v in y.items()}
    with pytest.raises(ValueError) as error:
        model.fit(x[:32], source_only, epochs=1, verbose=0)
    assert_clear(error, "target domain is empty")
    with pytest.raises(TypeError) as error:
        model.fit(x, y["label"], epochs=1, verbose=0)
    assert_clear(error, "domain")


def test_keras_file_round_trip(domains, tmp_path):
    model = _model()
    model.compile(jit_compile=False)  # saving is the subject, not XLA
    model.fit(
        data.domain_adaptation_dataset(*domains, batch_size=32, seed=0),
        epochs=1,
        verbose=0,
    )
    path = str(tmp_path / "da.keras")
    model.save(path)
    restored = keras_aae.load_model(path)
    assert type(restored) is keras_aae.DomainAdaptationAdversarialAutoencoder
    x = domains[1][:16]
    np.testing.assert_allclose(
        restored.predict_classes(x), model.predict_classes(x), atol=1e-6
    )
    assert restored.domain_optimizer is not None
    assert_config_round_trip(model)


def test_domain_discriminator_shape_is_checked():
    from keras_aae import networks

    good = _model()
    with pytest.raises(ValueError) as error:
        keras_aae.DomainAdaptationAdversarialAutoencoder(
            good.encoder,
            good.decoder,
            good.discriminator,
            good.categorical_discriminator,
            networks.mlp_discriminator(5, [8]),
            num_classes=10,
        )
    assert_clear(error, "domain discriminator")


def test_confusion_judges_target_codes_only():
    # ADDA's inverted label: the encoder is asked to make target codes look
    # like source codes; the source codes do not enter its confusion loss.
    model = _model()
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(8, model.latent_dim)).astype("float32")
    labels = (
        tf.constant([1, 2, 3, 4, -1, -1, -1, -1]),
        tf.constant([0] * 4 + [1] * 4),
    )
    _, confusion, _ = model._domain_losses(codes, labels, training=False)
    moved = codes.copy()
    moved[:4] += 5.0  # only the source codes change
    loss, same, _ = model._domain_losses(moved, labels, training=False)
    assert float(same) == pytest.approx(float(confusion))
    moved[4:] += 5.0  # now the target codes too
    _, other, _ = model._domain_losses(moved, labels, training=False)
    assert float(other) != pytest.approx(float(confusion))
    assert float(loss) > 0.0
