"""Tests of keras_aae.posteriors and the models built with each posterior."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import assert_clear
from helpers import assert_config_round_trip
from helpers import build_variant
from helpers import make_model
from keras_aae import export
from keras_aae import networks
from keras_aae import posteriors
from keras_aae.models import draws

POSTERIORS = ["deterministic", "gaussian", "universal"]


@pytest.mark.parametrize(
    "posterior, name",
    [
        (posteriors.DeterministicPosterior(), "DeterministicPosterior"),
        (posteriors.GaussianPosterior(), "GaussianPosterior"),
        (posteriors.GaussianPosterior(min_stddev=0.4), "GaussianPosterior"),
        (posteriors.UniversalPosterior(input_noise=0.2), "UniversalPosterior"),
    ],
)
def test_posteriors_round_trip(posterior, name):
    restored = assert_config_round_trip(posterior, f"keras_aae>{name}")
    assert type(restored) is type(posterior)
    assert repr(restored) == repr(posterior)


def test_get_answers_names_configs_and_bad_input():
    assert posteriors.names() == POSTERIORS
    assert isinstance(posteriors.get("Gaussian"), posteriors.GaussianPosterior)
    config = keras.saving.serialize_keras_object(
        posteriors.UniversalPosterior(0.5)
    )
    assert posteriors.get(config).input_noise == 0.5
    with pytest.raises(ValueError) as error:
        posteriors.get("laplace")
    assert_clear(error, "laplace", "gaussian")
    with pytest.raises(TypeError) as error:
        posteriors.get(3)
    assert_clear(error, "posterior=3", "int")
    with pytest.raises(ValueError) as error:
        posteriors.UniversalPosterior(input_noise=-0.1)
    assert_clear(error, "input_noise")


def test_gaussian_posterior_reparametrizes_mean_and_log_variance():
    posterior = posteriors.GaussianPosterior()
    mean = np.array([[1.0, -2.0]], "float32")
    log_var = np.array([[0.0, np.log(4.0)]], "float32")
    outputs = np.concatenate([mean, log_var], axis=1)
    normals = np.array([[0.5, -1.0]], "float32")
    np.testing.assert_allclose(posterior.mean(outputs), mean)
    np.testing.assert_allclose(
        posterior.sample(outputs, normals), [[1.5, -4.0]], rtol=1e-6
    )
    # An overflowing log-variance is clipped: samples stay finite.
    huge = np.array([[0.0, 0.0, 1e4, 1e4]], "float32")
    assert np.isfinite(posterior.sample(huge, np.ones((1, 2), "float32"))).all()


def test_gaussian_posterior_keeps_its_standard_deviation_above_the_floor():
    posterior = posteriors.GaussianPosterior(min_stddev=0.6)
    # log-variances: collapsed (clipped at -8), then exactly 0.64.
    outputs = np.array([[0.0, 1.0, -50.0, np.log(0.64)]], "float32")
    normals = np.ones((1, 2), "float32")
    np.testing.assert_allclose(
        posterior.sample(outputs, normals),
        [[np.sqrt(0.36 + np.exp(-8.0)), 1.0 + 1.0]],
        rtol=1e-5,
    )
    # Files saved before the floor existed hold an empty config.
    assert posteriors.GaussianPosterior.from_config({}).min_stddev == 0.0
    with pytest.raises(ValueError) as error:
        posteriors.GaussianPosterior(min_stddev=-0.1)
    assert_clear(error, "min_stddev=-0.1")


def test_posterior_uniforms_have_the_noise_shapes():
    seed = keras.random.SeedGenerator(0)
    shapes = {}
    for name in POSTERIORS:
        posterior = posteriors.get(name)
        pair = draws.posterior_uniforms(posterior, 5, (8, 8, 1), 3, seed)
        shapes[name] = [None if u is None else tuple(u.shape) for u in pair]
        for u in pair:
            if u is not None:
                assert 0.0 < float(np.min(u)) and float(np.max(u)) < 1.0
    assert shapes == {
        "deterministic": [None, None],
        "gaussian": [None, (5, 3)],
        "universal": [(5, 8, 8, 1), None],
    }


def test_gaussian_posterior_halves_the_encoders_output():
    model = make_model(latent_dim=3, posterior="gaussian")
    assert model.latent_dim == 3
    assert model.encoder.outputs[0].shape[-1] == 6
    keras.utils.set_random_seed(0)
    odd = networks.mlp_encoder((8, 8, 1), 5, [16])
    with pytest.raises(ValueError) as error:
        keras_aae.AdversarialAutoencoder(
            odd,
            networks.mlp_decoder(2, (8, 8, 1), [16]),
            networks.mlp_discriminator(2, [16]),
            posterior="gaussian",
        )
    assert_clear(error, "encoder output size 5", "multiple of 2")


def test_categorical_codes_refuse_a_gaussian_posterior():
    with pytest.raises(ValueError) as error:
        build_variant("semi_supervised", posterior="gaussian")
    assert_clear(error, "GaussianPosterior", "universal")
    model = build_variant("semi_supervised", posterior="universal")
    assert isinstance(model.posterior, posteriors.UniversalPosterior)


@pytest.mark.parametrize("name", ["gaussian", "universal"])
def test_training_codes_are_drawn_from_the_posterior(name, small_images):
    # Same weights, same batch: the first step's reconstruction loss
    # differs from the deterministic model's only through the posterior's
    # noise; inference codes are the noise-free ones.
    x = small_images[:64]
    logs = {}
    for posterior in ("deterministic", name):
        model = make_model(latent_dim=3, posterior=posterior)
        if posterior == "gaussian":
            # The deterministic model's weights as the means; log-variance
            # weights of zero give unit variance.
            reference = make_model(latent_dim=3)
            _copy_mean_weights(reference.encoder, model.encoder)
            model.decoder.set_weights(reference.decoder.get_weights())
        model.compile(jit_compile=False)
        logs[posterior] = model.train_on_batch(x, return_dict=True)
        np.testing.assert_allclose(
            model.encode(x[:4]),
            model.posterior.mean(model.encoder(x[:4])).numpy(),
            atol=1e-6,
        )
    # The first step's loss is measured before any update: without the
    # noise the two would be equal to the last bit.
    gap = abs(
        logs[name]["reconstruction_loss"]
        - logs["deterministic"]["reconstruction_loss"]
    )
    assert gap > 1e-4, logs


def _copy_mean_weights(source, target):
    """`source`'s weights into `target`, whose last layer is twice as wide
    (means from `source`, log-variances zero)."""
    for s, t in zip(source.weights, target.weights, strict=True):
        value = s.numpy()
        if tuple(t.shape) != value.shape:
            value = np.concatenate([value, np.zeros_like(value)], axis=-1)
        t.assign(value)


def test_gaussian_posterior_learns_its_variance_and_round_trips(
    tmp_path, small_images
):
    model = make_model(latent_dim=3, posterior="gaussian")
    model.compile(jit_compile=False)
    kernel = model.encoder.get_layer("codes").kernel
    before = kernel.numpy()
    model.fit(small_images, epochs=2, batch_size=64, verbose=0)
    moved = np.abs(kernel.numpy() - before).max(axis=0)
    assert (moved[3:] > 0).all(), "the log-variance outputs never trained"
    path = str(tmp_path / "m.keras")
    model.save(path)
    restored = keras_aae.load_model(path)
    assert isinstance(restored.posterior, posteriors.GaussianPosterior)
    np.testing.assert_allclose(
        restored.encode(small_images[:8]), model.encode(small_images[:8])
    )
    assert model.encode(small_images[:8]).shape == (8, 3)


SERVE_SAMPLES = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    encoder = tf.saved_model.load(sys.argv[1])
    x = tf.constant(np.load(sys.argv[2]))
    seed = lambda s: tf.constant(s, tf.int64)
    out = {
        "codes": encoder.signatures["serving_default"](images=x)["codes"],
        "a": encoder.signatures["sample"](images=x, seed=seed(1))["codes"],
        "b": encoder.signatures["sample"](images=x, seed=seed(1))["codes"],
        "c": encoder.signatures["sample"](images=x, seed=seed(2))["codes"],
    }
    np.savez(sys.argv[3], **{k: v.numpy() for k, v in out.items()})
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("keras_aae"))))
    """
)


@pytest.mark.parametrize("name", ["gaussian", "universal"])
def test_exported_encoder_serves_means_and_samples_without_the_package(
    name, tmp_path, small_images
):
    model = make_model(latent_dim=3, posterior=name)
    model.compile(jit_compile=False)
    model.fit(small_images, epochs=1, batch_size=64, verbose=0)
    paths = export.export_model(model, str(tmp_path / "export"))
    x = small_images[:16]
    np.save(tmp_path / "x.npy", x)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVE_SAMPLES,
            paths["encoder"],
            str(tmp_path / "x.npy"),
            str(tmp_path / "out.npz"),
        ],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        env=env,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    out = np.load(tmp_path / "out.npz")
    np.testing.assert_allclose(out["codes"], model.encode(x), atol=1e-5)
    np.testing.assert_array_equal(out["a"], out["b"])
    assert not np.allclose(out["a"], out["c"])
    assert not np.allclose(out["a"], out["codes"])
    if name == "gaussian":
        # The samples' spread is the learned standard deviation.
        outputs = model.encoder(x).numpy()
        stddev = np.exp(0.5 * np.clip(outputs[:, 3:], -8, 4))
        z = (out["a"] - out["codes"]) / stddev
        assert 0.5 < z.std() < 1.5


def test_a_deterministic_model_exports_no_sample_signature(tmp_path):
    model = make_model(latent_dim=2, posterior="deterministic")
    path = export.export_model(model, str(tmp_path / "e"))["encoder"]
    loaded = tf.saved_model.load(path)
    assert set(loaded.signatures) == {"serving_default"}
    with pytest.raises(ValueError) as error:
        export.export_encoder(model.encoder, str(tmp_path / "n"), samples=True)
    assert_clear(error, "samples=True", "Functional")
