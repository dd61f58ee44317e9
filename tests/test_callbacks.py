"""Tests of keras_aae.callbacks"""

import os
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_aae
from helpers import assert_config_round_trip
from helpers import make_model


def test_standard_callbacks_work_with_fit(tmp_path, small_images):
    model = make_model()
    model.compile(jit_compile=False)  # the callbacks, not XLA, under test
    log_dir = str(tmp_path / "tb")
    csv_path = str(tmp_path / "history.csv")
    history = model.fit(
        small_images,
        validation_data=(small_images[:64],),
        epochs=3,
        batch_size=64,
        verbose=0,
        callbacks=[
            keras.callbacks.ModelCheckpoint(
                str(tmp_path / "best.keras"), monitor="val_loss"
            ),
            keras.callbacks.EarlyStopping(
                monitor="reconstruction_loss", mode="min", patience=5
            ),
            keras.callbacks.TensorBoard(log_dir),
            keras.callbacks.CSVLogger(csv_path),
            keras.callbacks.TerminateOnNaN(),
            keras_aae.SampleGrid(
                str(tmp_path / "samples_{epoch}.png"),
                num_samples=16,
                log_dir=log_dir,
            ),
            keras_aae.callbacks.TrainingCurves(
                csv_path, str(tmp_path / "curves.png")
            ),
            keras_aae.callbacks.LatentProjector(
                small_images[:50], np.arange(50) % 10, log_dir
            ),
        ],
    )
    assert len(history.history["loss"]) == 3
    assert "val_discriminator_accuracy" in history.history
    with open(csv_path) as f:
        header = f.readline().strip().split(",")
        rows = f.read().strip().splitlines()
    assert "discriminator_accuracy" in header and len(rows) == 3
    assert os.path.exists(tmp_path / "best.keras")
    assert os.listdir(os.path.join(log_dir, "train"))
    png = tf.io.decode_png(tf.io.read_file(str(tmp_path / "samples_3.png")))
    # 16 samples of 8x8 shown 4x larger, 4x4, one pixel between them.
    assert png.shape == (131, 131, 1)
    assert int(tf.reduce_max(png)) > 0
    curves = tf.io.decode_png(tf.io.read_file(str(tmp_path / "curves.png")))
    assert curves.shape[0] > 200 and curves.shape[1] > 500
    reader = tf.train.load_checkpoint(log_dir)
    codes = reader.get_tensor("embedding/.ATTRIBUTES/VARIABLE_VALUE")
    np.testing.assert_allclose(
        codes, model.encode(small_images[:50]), atol=1e-5
    )
    with open(os.path.join(log_dir, "metadata.tsv")) as f:
        assert f.read().split() == [str(i % 10) for i in range(50)]


def test_training_curves_and_projector_configs_round_trip(tmp_path):
    assert_config_round_trip(
        keras_aae.callbacks.TrainingCurves(
            "h.csv", "c.png", title="run", max_time_fraction=0.5
        )
    )
    for bad in (0, 1.5, "0.1"):
        with pytest.raises(ValueError, match="max_time_fraction="):
            keras_aae.callbacks.TrainingCurves("h.csv", "c.png", None, bad)
    projector = keras_aae.callbacks.LatentProjector(
        np.zeros((3, 4, 4, 1)), [0, 1, 2], str(tmp_path), max_sprite_images=2
    )
    restored = assert_config_round_trip(projector)
    np.testing.assert_array_equal(restored.images, projector.images)
    assert restored.labels.tolist() == [0, 1, 2]
    assert restored.max_sprite_images == 2
    with pytest.raises(ValueError, match="one label per image"):
        keras_aae.callbacks.LatentProjector(np.zeros((3, 4, 4, 1)), [0], "l")


def test_training_curves_redraw_within_their_time_share_and_at_the_end(
    tmp_path,
):
    history = tmp_path / "history.csv"
    history.write_text("epoch,loss\n0,1.0\n1,0.5\n2,0.25\n")
    path = tmp_path / "curves.png"
    curves = keras_aae.callbacks.TrainingCurves(str(history), str(path))
    curves.on_train_begin()
    curves.on_epoch_end(0)
    assert path.exists()  # the first epoch is always drawn
    path.unlink()
    # Right after a drawing, another would take more than 2 % of the time.
    curves.on_epoch_end(1)
    curves.on_epoch_end(2)
    assert not path.exists()
    curves.on_train_end()
    assert path.exists()  # the last epoch is drawn when training ends
    path.unlink()
    curves.on_train_end()
    assert not path.exists()  # already drawn: not twice
    every_epoch = keras_aae.callbacks.TrainingCurves(
        str(history), str(path), max_time_fraction=1
    )
    every_epoch.on_train_begin()
    start = time.perf_counter()
    every_epoch.on_epoch_end(0)
    drawing = time.perf_counter() - start
    path.unlink()
    time.sleep(drawing + 0.05)  # as long as the drawing: its share is free
    every_epoch.on_epoch_end(1)
    assert path.exists()


def test_terminate_on_nan_keeps_the_last_good_checkpoint(
    tmp_path, small_images
):
    model = make_model()
    model.compile()
    checkpoint = str(tmp_path / "last.keras")
    backup_dir = str(tmp_path / "backup")

    class Diverge(keras.callbacks.Callback):
        """Records the weights after epoch 1, then poisons one with NaN
        (as a diverged update would): every loss from then on is NaN."""

        def on_epoch_end(self, epoch, logs=None):
            self.good = [w.copy() for w in self.model.get_weights()]
            kernel = self.model.decoder.layers[-2].kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))

    diverge = Diverge()
    with pytest.raises(keras_aae.callbacks.NonFiniteLossError, match="epoch 2"):
        model.fit(
            small_images,
            epochs=3,
            batch_size=64,
            verbose=0,
            callbacks=[
                keras_aae.callbacks.TerminateOnNaN(),
                keras.callbacks.ModelCheckpoint(checkpoint),
                keras_aae.callbacks.BackupAndRestore(
                    backup_dir, delete_checkpoint=False
                ),
                diverge,
            ],
        )
    good = diverge.good
    saved = keras.models.load_model(checkpoint)
    for expected, got in zip(good, saved.get_weights(), strict=True):
        np.testing.assert_array_equal(expected, got)
    restored = make_model()
    restored.compile()
    restored.load_weights(
        os.path.join(backup_dir, "latest", "latest.weights.h5")
    )
    assert all(np.isfinite(w).all() for w in restored.get_weights())
    config = keras_aae.callbacks.TerminateOnNaN().get_config()
    assert isinstance(
        keras_aae.callbacks.TerminateOnNaN.from_config(config),
        keras_aae.callbacks.TerminateOnNaN,
    )


def test_csv_logger_rewrites_atomically_and_appends(tmp_path, small_images):
    path = str(tmp_path / "h.csv")
    model = make_model()
    model.compile()
    model.fit(
        small_images[:64],
        epochs=2,
        batch_size=64,
        verbose=0,
        callbacks=[keras_aae.callbacks.CSVLogger(path)],
    )
    model.fit(
        small_images[:64],
        epochs=3,
        initial_epoch=2,
        batch_size=64,
        verbose=0,
        callbacks=[keras_aae.callbacks.CSVLogger(path, append=True)],
    )
    with open(path) as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    assert rows[0][0] == "epoch" and "loss" in rows[0]
    assert [r[0] for r in rows[1:]] == ["0", "1", "2"]
    assert all(np.isfinite(float(v)) for r in rows[1:] for v in r[1:])
    # No temporary file is left beside it.
    assert sorted(os.listdir(tmp_path)) == ["h.csv"]
    logger = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(
            keras_aae.callbacks.CSVLogger(path, True)
        )
    )
    assert logger.get_config() == {"filename": path, "append": True}


def test_sample_grid_uses_fixed_draws(tmp_path, small_images):
    model = make_model()
    model.compile(
        reconstruction_learning_rate=1e-9, generator_learning_rate=1e-9
    )
    path = str(tmp_path / "s{epoch}.png")
    grid = keras_aae.SampleGrid(path, num_samples=4, seed=3)
    model.fit(
        small_images[:64], epochs=2, batch_size=64, verbose=0, callbacks=[grid]
    )
    first = tf.io.read_file(str(tmp_path / "s1.png")).numpy()
    second = tf.io.read_file(str(tmp_path / "s2.png")).numpy()
    # The decoder barely moved, so the same draws decode to the same grid.
    assert first == second
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(grid)
    )
    assert restored.get_config() == grid.get_config()


def test_epoch_seconds_logs_positive_times_and_round_trips(digits):
    model = make_model()
    model.compile()
    timer = keras_aae.callbacks.EpochSeconds()
    history = model.fit(
        digits[0][:128], epochs=2, batch_size=64, verbose=0, callbacks=[timer]
    )
    assert len(history.history["epoch_seconds"]) == 2
    assert all(s > 0 for s in history.history["epoch_seconds"])
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(timer)
    )
    assert isinstance(restored, keras_aae.callbacks.EpochSeconds)


@pytest.mark.parametrize(
    "callback",
    [
        keras_aae.callbacks.EpochSeconds(),
        keras_aae.callbacks.TerminateOnNaN(),
        keras_aae.callbacks.CSVLogger("history.csv", append=True),
        keras_aae.callbacks.SampleGrid("s.png", num_samples=9, seed=2, every=3),
    ],
    ids=lambda c: type(c).__name__,
)
def test_callbacks_round_trip_through_json(callback):
    name = type(callback).__name__
    assert_config_round_trip(callback, f"keras_aae>{name}")


def test_trim_history_keeps_the_backed_up_epochs(tmp_path):
    path = str(tmp_path / "history.csv")
    with open(path, "w") as f:
        f.write("epoch,loss\n0,1.0\n1,0.5\n2,0.25\n")
    keras_aae.callbacks.trim_history(path, 2)
    with open(path) as f:
        assert f.read().split() == ["epoch,loss", "0,1.0", "1,0.5"]
    keras_aae.callbacks.trim_history(path, 0)
    assert os.path.getsize(path) == 0
    keras_aae.callbacks.trim_history(str(tmp_path / "none.csv"), 1)
    assert not (tmp_path / "none.csv").exists()
