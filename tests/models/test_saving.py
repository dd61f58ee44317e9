"""`.keras` and `BackupAndRestore` restore everything training depends on."""

import json
import os

import keras
import numpy as np
import pytest

import keras_aae
from helpers import make_model
from helpers import optimizer_state
from helpers import weights_of
from keras_aae import callbacks

PHASES = ("reconstruction", "discriminator", "generator")


def _optimizers(model):
    return {p: getattr(model, f"{p}_optimizer") for p in PHASES}


def _assert_same_state(a, b):
    for wa, wb in zip(weights_of(a), weights_of(b), strict=True):
        np.testing.assert_array_equal(wa, wb)
    for phase in PHASES:
        sa = optimizer_state(_optimizers(a)[phase])
        sb = optimizer_state(_optimizers(b)[phase])
        assert sa.keys() == sb.keys()
        # Adam's slots (m, v) and iterations: nothing may be fresh.
        assert len(sa) > 2
        for key in sa:
            np.testing.assert_array_equal(
                sa[key], sb[key], err_msg=f"{phase}: {key}"
            )
    np.testing.assert_array_equal(
        a.seed_generator.state.numpy(), b.seed_generator.state.numpy()
    )


class _StopAfter(keras.callbacks.Callback):
    """Simulates a crash at the end of an epoch, after the backup is written."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            self.state = {
                p: optimizer_state(o)
                for p, o in _optimizers(self.model).items()
            }
            self.weights = weights_of(self.model)
            raise RuntimeError("simulated crash")


def _fresh():
    model = make_model(init_seed=123)
    # Without XLA (state, not compilation, is under test here): killed
    # XLA-compiled runs resume bit-identically in tests/cli/test_train_faults.
    model.compile(jit_compile=False)
    return model


def test_keras_file_restores_everything_and_training_continues_identically(
    tmp_path, small_images
):
    model = make_model(prior="mixture", latent_dim=2)
    # Without XLA, as `_fresh`: state is under test here.
    model.compile(discriminator_learning_rate=3e-4, jit_compile=False)
    model.fit(small_images, epochs=1, batch_size=32, shuffle=False, verbose=0)
    path = str(tmp_path / "aae.keras")
    model.save(path)
    restored = keras.models.load_model(path)

    assert type(restored) is type(model)
    assert restored.prior.get_config() == model.prior.get_config()
    assert (
        restored.discriminator_optimizer.learning_rate.numpy()
        == pytest.approx(3e-4)
    )
    assert (
        int(restored.generator_optimizer.iterations) == len(small_images) // 32
    )
    _assert_same_state(model, restored)

    for m in (model, restored):
        m.fit(small_images, epochs=1, batch_size=32, shuffle=False, verbose=0)
    _assert_same_state(model, restored)


def test_backup_and_restore_resumes_with_every_optimizer_state(
    tmp_path, small_images
):
    backup_dir = str(tmp_path / "backup")
    fit = dict(
        x=small_images, epochs=4, batch_size=32, shuffle=False, verbose=0
    )

    reference = _fresh()
    reference.fit(**fit)

    crashed = _fresh()
    stop = _StopAfter(epoch=1)
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashed.fit(
            callbacks=[callbacks.BackupAndRestore(backup_dir), stop], **fit
        )
    with open(
        os.path.join(backup_dir, "latest", "training_metadata.json")
    ) as f:
        assert json.load(f)["epoch"] == 2

    resumed = _fresh()
    epochs_run = []
    restore = callbacks.BackupAndRestore(backup_dir)
    probe = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: probe_state.update(
            {p: optimizer_state(o) for p, o in _optimizers(resumed).items()}
        ),
        on_epoch_begin=lambda epoch, logs: epochs_run.append(epoch),
    )
    probe_state = {}
    resumed.fit(callbacks=[restore, probe], **fit)

    assert epochs_run == [2, 3]
    for phase in PHASES:
        for key, value in stop.state[phase].items():
            np.testing.assert_array_equal(
                probe_state[phase][key], value, err_msg=key
            )
    # Same data order, same state: the resumed run ends where the
    # uninterrupted one does.
    for a, b in zip(weights_of(reference), weights_of(resumed), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not os.path.exists(backup_dir)


def test_corrupt_backup_is_reported_not_replaced(tmp_path, small_images):
    backup_dir = tmp_path / "backup"
    model = _fresh()
    model.fit(
        small_images,
        epochs=1,
        batch_size=64,
        verbose=0,
        callbacks=[
            callbacks.BackupAndRestore(str(backup_dir), delete_checkpoint=False)
        ],
    )
    weights = backup_dir / "latest" / "latest.weights.h5"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ValueError, match="latest.weights.h5") as info:
        _fresh().fit(
            small_images,
            epochs=2,
            batch_size=64,
            verbose=0,
            callbacks=[callbacks.BackupAndRestore(str(backup_dir))],
        )
    assert "Delete" in str(info.value)
    assert weights.stat().st_size == 100


def test_model_checkpoint_round_trip(tmp_path, small_images):
    model = _fresh()
    path = str(tmp_path / "epoch{epoch}.keras")
    model.fit(
        small_images,
        epochs=2,
        batch_size=64,
        verbose=0,
        callbacks=[
            # The epochs' checkpoints hold the weight averages that `fit`
            # leaves in the model at its end (Keras' recipe for use_ema).
            keras.callbacks.SwapEMAWeights(swap_on_epoch=True),
            keras.callbacks.ModelCheckpoint(path),
        ],
    )
    restored = keras.models.load_model(str(tmp_path / "epoch2.keras"))
    _assert_same_state(model, restored)


COMPAT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "compat")
# Float32 round-off of small MLPs summed in another order (seen: 6e-8).
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}
VARIANTS_0_1 = (
    "clustering",
    "dimensionality_reduction",
    "label_informed",
    "semi_supervised",
    "supervised",
    "unsupervised",
)


@pytest.mark.parametrize("variant", VARIANTS_0_1)
def test_keras_files_saved_by_0_1_load_and_compute_the_same(variant):
    # tests/compat holds one small model of each variant saved by keras-aae
    # 0.1.0, before the package was split into models/, training/, ...
    # (tests/compat/write_fixtures.py), with what it computed then.
    expected = np.load(os.path.join(COMPAT, "expected.npz"))
    model = keras_aae.load_model(os.path.join(COMPAT, f"{variant}.keras"))

    assert keras.saving.get_registered_name(type(model)).startswith(
        "keras_aae>"
    )
    images, labels = expected["images"], expected["labels"]
    # Computed in float32 on whatever CPU runs the suite (AVX2, AVX-512,
    # AMX sum in other orders): within float32 round-off of what 0.1.0
    # computed, not bit for bit. What was stored compares exactly below.
    np.testing.assert_allclose(
        model.encode(images), expected[f"{variant}/codes"], **FLOAT32
    )
    np.testing.assert_allclose(
        model.reconstruct(images, labels),
        expected[f"{variant}/reconstructions"],
        **FLOAT32,
    )
    saved = {
        key.split("/weights/", 1)[1]: expected[key]
        for key in expected.files
        if key.startswith(f"{variant}/weights/")
    }
    # By name: a sub-network's weights, wherever it sits in the model.
    now = {
        f"{net.name}/{v.path}": v for net in model.layers for v in net.weights
    }
    assert sorted(saved) == sorted(now)
    for path, variable in now.items():
        np.testing.assert_array_equal(variable.numpy(), saved[path])
    np.testing.assert_array_equal(
        model.seed_generator.state.numpy(), expected[f"{variant}/seed_state"]
    )
    for phase in model._PHASES:
        optimizer = getattr(model, f"{phase}_optimizer")
        assert len(optimizer.variables) > 2  # Adam's slots, not fresh ones
        for i, variable in enumerate(optimizer.variables):
            np.testing.assert_array_equal(
                variable.numpy(), expected[f"{variant}/{phase}_optimizer/{i}"]
            )
