"""Bad input, everywhere a user can reach: a clear ValueError/TypeError (CLI:
exit status 2 and one line) that names the bad value, before training."""

import math

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import keras_aae
from keras_aae import cli, data, networks, priors, variants
from conftest import make_model

_FAST = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])

# Values that are not a positive int, of every kind a user might pass.
_NOT_POSITIVE_INT = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
# Values that are not a non-negative finite number.
_NOT_NON_NEGATIVE = st.one_of(
    st.floats(max_value=-1e-9), st.just(math.nan), st.just(math.inf),
    st.integers(max_value=-1), st.text(max_size=5), st.none(),
)


def _assert_clear(error, *words):
    message = str(error.value)
    assert "Received" in message or "expected" in message, message
    for word in words:
        assert word in message, message


@_FAST
@given(latent_dim=_NOT_POSITIVE_INT)
def test_networks_refuse_bad_sizes(latent_dim):
    for build in (lambda: networks.mlp_encoder((8, 8, 1), latent_dim, [16]),
                  lambda: networks.mlp_decoder(latent_dim, (8, 8, 1), [16]),
                  lambda: networks.mlp_discriminator(latent_dim, [16]),
                  lambda: priors.GaussianPrior(latent_dim)):
        with pytest.raises((ValueError, TypeError)) as error:
            build()
        _assert_clear(error, "latent_dim")


@_FAST
@given(hidden=st.lists(_NOT_POSITIVE_INT, min_size=1, max_size=3))
def test_networks_refuse_bad_hidden_sizes(hidden):
    with pytest.raises((ValueError, TypeError)) as error:
        networks.mlp_encoder((8, 8, 1), 2, hidden)
    _assert_clear(error, "hidden")


@_FAST
@given(
    name=st.sampled_from(["reconstruction_weight", "adversarial_weight",
                          "gradient_penalty_weight", "discriminator_noise",
                          "discriminator_steps", "reconstruction_loss"]),
    value=st.one_of(_NOT_NON_NEGATIVE, st.integers(max_value=0)),
)
def test_model_refuses_bad_arguments(name, value):
    if name != "discriminator_steps" and isinstance(value, int) and value == 0:
        value = -1  # a zero weight is a valid choice
    with pytest.raises((ValueError, TypeError)) as error:
        make_model(**{name: value})
    _assert_clear(error, name)


@_FAST
@given(name=st.text(min_size=1, max_size=12))
def test_unknown_names_are_refused(name):
    key = name.lower().replace("-", "_")
    if key not in priors.names():
        with pytest.raises(ValueError) as error:
            priors.get(name, latent_dim=2)
        _assert_clear(error, repr(name))
    if key not in variants.VARIANTS:
        with pytest.raises(ValueError) as error:
            variants.build(name, (8, 8, 1), 2, hidden=[16])
        _assert_clear(error)
    if key != data.DIGITS:
        with pytest.raises((ValueError, data.DatasetNotFoundError)) as error:
            data.load_arrays(name, download=False)
        assert name in str(error.value)


_CLI_BAD_VALUES = {
    "--epochs": st.one_of(st.integers(max_value=0).map(str), st.sampled_from(["1.5", "x"])),
    "--batch-size": st.one_of(st.integers(max_value=0).map(str), st.just("many")),
    "--latent-dim": st.one_of(st.integers(max_value=0).map(str), st.just("2d")),
    "--hidden": st.one_of(st.integers(max_value=0).map(str), st.just("wide")),
    "--seed": st.one_of(st.integers(max_value=-1).map(str), st.just("s")),
    "--num-classes": st.integers(max_value=0).map(str),
    "--reconstruction-lr": st.sampled_from(["0", "-1e-3", "nan", "inf", "fast"]),
    "--prior": st.text(alphabet="abcxyz_", min_size=1, max_size=8).filter(
        lambda t: t not in priors.names()),
    "--variant": st.text(alphabet="abcxyz_", min_size=1, max_size=8).filter(
        lambda t: t not in variants.VARIANTS),
    "--strategy": st.sampled_from(["tpu", "parameter_server", ""]),
    "--mixed-precision": st.sampled_from(["float8", "half"]),
    "--architecture": st.sampled_from(["rnn", "transformer"]),
}


@_FAST
@given(flag=st.sampled_from(sorted(_CLI_BAD_VALUES)), data_=st.data())
def test_cli_bad_arguments_exit_2_with_one_line(tmp_path, capsys, flag, data_):
    value = data_.draw(_CLI_BAD_VALUES[flag])
    out = tmp_path / "never"
    status = cli.main(["train", "--dataset", "digits", "--out", str(out), flag, value])
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keras-aae: error:"), captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()


# --------------------------------------------------------------- fit checks


@pytest.fixture(scope="module")
def model():
    m = make_model(latent_dim=2, hidden=(16,))
    m.compile()
    return m


def _images(n=8):
    return np.random.default_rng(0).uniform(size=(n, 8, 8, 1)).astype("float32")


@pytest.mark.parametrize("bad, error_type, words", [
    (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 5, np.nan, x),
     ValueError, ["finite", "1 NaN"]),
    (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 70, np.inf, x),
     ValueError, ["finite", "example 1"]),
    (lambda x: x * 255.0, ValueError, ["[0, 1]", "sigmoid", "255"]),
    (lambda x: x - 0.5, ValueError, ["[0, 1]", "-0.49"]),
    (lambda x: x[:0], ValueError, ["empty"]),
    (lambda x: x[..., 0], ValueError, ["(8, 8, 1)", "(8, 8)"]),
    (lambda x: x.reshape(len(x), -1), ValueError, ["(8, 8, 1)", "(64,)"]),
    (lambda x: x.astype(str), TypeError, ["dtype"]),
    (lambda x: np.array([[["a"]]] * len(x), dtype=object), TypeError, ["dtype object"]),
])
def test_fit_refuses_bad_arrays_before_training(model, bad, error_type, words):
    before = model.reconstruction_optimizer.iterations.numpy()
    with pytest.raises(error_type) as error:
        model.fit(bad(_images()), epochs=1, verbose=0)
    _assert_clear(error, *words)
    assert model.reconstruction_optimizer.iterations.numpy() == before


@pytest.mark.parametrize("dataset, error_type, words", [
    (lambda: tf.data.Dataset.from_tensor_slices(_images()).take(0).batch(4),
     ValueError, ["empty"]),
    (lambda: tf.data.Dataset.from_tensor_slices(_images()).filter(
        lambda x: False).batch(4), ValueError, ["empty"]),
    (lambda: tf.data.Dataset.from_tensor_slices(_images() * np.nan).batch(4),
     ValueError, ["finite"]),
    (lambda: tf.data.Dataset.from_tensor_slices(_images()[..., 0]).batch(4),
     ValueError, ["(8, 8, 1)"]),
    (lambda: tf.data.Dataset.from_tensor_slices(["a", "b"]).batch(2),
     TypeError, ["string"]),
])
def test_fit_refuses_bad_datasets_before_training(model, dataset, error_type, words):
    with pytest.raises(error_type) as error:
        model.fit(dataset(), epochs=1, verbose=0)
    for word in words:
        assert word in str(error.value)


@pytest.mark.parametrize("variant, labels, words", [
    ("supervised", [0, 1, 2, 10, 0, 1, 2, 3], ["[0, 9]", "label 10"]),
    ("supervised", [0, 1, 2, -1, 0, 1, 2, 3], ["[0, 9]", "label -1"]),
    ("semi_supervised", [0, 1, 2, -2, 0, 1, 2, 3], ["or -1 for unlabeled", "label -2"]),
    ("label_informed", [0, 1, 2, 3, 0, 1, 2, 12], ["label 12"]),
    ("supervised", [0.5] * 8, ["integer"]),
    ("supervised", [0, 1, 2], ["one label per example (8)"]),
])
def test_labels_out_of_range_are_refused(variant, labels, words):
    m = variants.build(variant, (8, 8, 1), 2, hidden=[16])
    m.compile()
    with pytest.raises(ValueError) as error:
        m.fit(_images(), np.array(labels), epochs=1, verbose=0)
    _assert_clear(error, *words)
    # The same check guards a tf.data pipeline (on its first batch).
    if len(labels) == 8:
        ds = tf.data.Dataset.from_tensor_slices((_images(), np.array(labels))).batch(8)
        with pytest.raises(ValueError):
            m.fit(ds, epochs=1, verbose=0)


@pytest.mark.parametrize("kwargs, words", [
    ({"encoder": networks.mlp_encoder((8, 8, 1), 3, [16])}, ["decoder input", "(3,)"]),
    ({"discriminator": networks.mlp_discriminator(3, [16])}, ["discriminator", "(2,)"]),
    ({"decoder": networks.mlp_decoder(2, (7, 7, 1), [16])}, ["decoder output"]),
    ({"prior": priors.GaussianPrior(3)}, ["latent_dim", "3"]),
    ({"prior": "swiss_roll", "latent": 3}, ["latent_dim=3"]),
    ({"encoder": "not a model"}, ["encoder", "str"]),
])
def test_mismatched_networks_and_priors_are_refused(kwargs, words):
    latent = kwargs.pop("latent", 2)
    parts = {
        "encoder": networks.mlp_encoder((8, 8, 1), latent, [16]),
        "decoder": networks.mlp_decoder(latent, (8, 8, 1), [16]),
        "discriminator": networks.mlp_discriminator(latent, [16]),
    }
    with pytest.raises((ValueError, TypeError)) as error:
        keras_aae.AdversarialAutoencoder(**{**parts, **kwargs})
    _assert_clear(error, *words)


def test_steps_per_execution_above_one_is_refused_under_a_strategy():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    with tf.distribute.MirroredStrategy(devices).scope():
        m = make_model(latent_dim=2, hidden=(16,))
        with pytest.raises(ValueError) as error:
            m.compile(steps_per_execution=8)
        _assert_clear(error, "steps_per_execution=8")
        m.compile()
        assert m.steps_per_execution == 1
