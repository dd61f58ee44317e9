"""Shared fixtures: small real data, small models, and the shared MNIST."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

# Two logical CPU devices, so that MirroredStrategy has two replicas here
# (tests/test_distribute.py). It must happen before TensorFlow runs any op;
# everything else still runs on /cpu:0.
tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration()] * 2,
)

import keras  # noqa: E402
import pytest  # noqa: E402

import keras_aae  # noqa: E402
from keras_aae import data  # noqa: E402
from keras_aae import networks  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_TFDS = os.path.join(ROOT, "..", "shared", "data", "tensorflow_datasets")


def mnist_data_dir():
    """The prepared TFDS folder holding MNIST, or None."""
    for candidate in (os.environ.get("TFDS_DATA_DIR"), SHARED_TFDS):
        if candidate and os.path.isdir(os.path.join(candidate, "mnist")):
            return os.path.abspath(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_dir():
    path = mnist_data_dir()
    if path is None:
        pytest.skip(
            "MNIST is not prepared here: set TFDS_DATA_DIR to a "
            "tensorflow-datasets folder holding mnist (CI uses "
            "../shared/data/tensorflow_datasets)."
        )
    return path


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's real 8x8 digits: (train images, train labels)."""
    return data.load_arrays("digits", "train")


@pytest.fixture(scope="session")
def digits_splits():
    """The digits' train (without validation) and test splits."""
    splits = data.load_splits("digits")
    return splits["train"], splits["test"]


@pytest.fixture(scope="session")
def trained_digits_model(digits_splits):
    """A small model trained on the digits long enough to mean something."""
    (x_train, _), _ = digits_splits
    m = make_model(latent_dim=8, hidden=(128,))
    m.compile()
    m.fit(x_train, epochs=30, batch_size=64, verbose=0)
    return m


@pytest.fixture
def small_images(digits):
    return digits[0][:256]


def make_model(latent_dim=4, hidden=(32,), shape=(8, 8, 1), prior="gaussian", **kw):
    """A small MLP adversarial autoencoder for 8x8 images."""
    keras.utils.set_random_seed(kw.pop("init_seed", 0))
    return keras_aae.AdversarialAutoencoder(
        encoder=networks.mlp_encoder(shape, latent_dim, list(hidden)),
        decoder=networks.mlp_decoder(latent_dim, shape, list(hidden)),
        discriminator=networks.mlp_discriminator(latent_dim, list(hidden)),
        prior=prior,
        seed=kw.pop("seed", 0),
        **kw,
    )


@pytest.fixture
def model():
    m = make_model()
    m.compile()
    return m


def run_phase(model, phase, x, labels=None):
    """Runs one training phase of `model` by itself on the batch `x`."""
    import tensorflow as tf

    if phase == "_reconstruction_phase":
        return model._reconstruction_phase(x, labels)
    real_codes, noise = model._draw_step_randomness(x.shape[0], labels)
    with tf.GradientTape(persistent=True) as tape:
        codes = model.encoder(x, training=True)
    if phase == "_discriminator_phase":
        return model._discriminator_phase(codes, labels, real_codes, noise)
    if phase == "_classification_phase":
        return model._classification_phase(x, labels)
    noise = [None if n is None else n[-1] for n in noise]
    return model._generator_phase(codes, labels, tape, noise)


def weights_of(model):
    return [v.numpy() for v in model.weights]


def optimizer_state(optimizer):
    """Every variable of an optimizer (iterations, slots), as numpy."""
    return {f"{i}:{v.name}": v.numpy() for i, v in enumerate(optimizer.variables)}
