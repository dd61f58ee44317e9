"""Fixtures: small real data, small models, and the shared MNIST.

Helpers that tests call directly are in `helpers.py`."""

import os
import shutil
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# xdist runs one worker per core: OpenMP's pools (scikit-learn's t-SNE and
# k-means) would start a thread per core in each worker and spin against the
# other worker (t-SNE of 297 codes 1-2.5 s instead of 0.5 s). Set before
# anything loads OpenMP; the CLI processes the tests start inherit it.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Decoded datasets are cached for this run only, never in the user's
# ~/.cache: the first process (xdist's controller) makes the folder, the
# workers inherit its environment, and the controller removes it at the end.
if "KERAS_AAE_TEST_CACHE" not in os.environ:
    os.environ["KERAS_AAE_TEST_CACHE"] = tempfile.mkdtemp(
        prefix="keras_aae-test-cache-"
    )
os.environ["KERAS_AAE_CACHE"] = os.environ["KERAS_AAE_TEST_CACHE"]

import tensorflow as tf  # noqa: E402

# Two logical CPU devices, so that MirroredStrategy has two replicas here
# (tests/test_distribute.py). It must happen before TensorFlow runs any op;
# everything else still runs on /cpu:0.
tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration()] * 2,
)

import pytest  # noqa: E402

from helpers import make_model  # noqa: E402
from helpers import mnist_data_dir  # noqa: E402
from keras_aae import data  # noqa: E402


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the controller
        shutil.rmtree(os.environ["KERAS_AAE_CACHE"], ignore_errors=True)


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
    # Without XLA: what it is trained for is evaluated; the compiled phases
    # have their own test (tests/training/test_xla.py).
    m.compile(jit_compile=False)
    m.fit(x_train, epochs=30, batch_size=64, verbose=0)
    return m


@pytest.fixture
def small_images(digits):
    return digits[0][:256]


@pytest.fixture
def model():
    m = make_model()
    m.compile()
    return m
