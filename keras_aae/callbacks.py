"""Callbacks for training adversarial autoencoders with `fit`."""

import json
import os
import time

import keras
import numpy as np

from keras_aae.images import make_grid
from keras_aae.images import write_png
from keras_aae._io import atomic_path
from keras_aae._validation import check_positive_int

_WEIGHTS = "latest.weights.h5"
_METADATA = "training_metadata.json"


@keras.saving.register_keras_serializable(package="keras_aae")
class EpochSeconds(keras.callbacks.Callback):
    """Adds `epoch_seconds`, the epoch's wall time, to the epoch's logs.

    Put it before `CSVLogger` (or any callback that records logs) so the
    column is written; `keras-aae train` does, and `benchmarks/speed.py` reads
    it to measure the command line's throughput including its callbacks.

    Example:

    >>> # model.fit(x, callbacks=[EpochSeconds(), keras.callbacks.CSVLogger(p)])
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self._start

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_aae")
class SampleGrid(keras.callbacks.Callback):
    """Writes a grid of decoded prior samples at the end of each epoch.

    The same prior draws are decoded every epoch, so the grids show how the
    decoder's view of the prior evolves. The PNG is written atomically.

    Args:
        path: PNG path; may contain `{epoch}` (1-based) to keep every epoch.
        num_samples: Positive int, images in the grid.
        seed: Int seed of the fixed prior draws.
        log_dir: Optional TensorBoard log folder; the grid is also written
            there as an image summary named `samples`.
        every: Positive int, write every `every` epochs.

    Example:

    >>> callback = SampleGrid("samples.png", num_samples=64)
    >>> # model.fit(x, epochs=10, callbacks=[callback])
    """

    def __init__(self, path, num_samples=64, seed=0, log_dir=None, every=1):
        super().__init__()
        if not isinstance(path, str) or not path:
            raise TypeError(
                f"`path` must be a non-empty string. Received: path={path!r}"
            )
        self.path = path
        self.num_samples = check_positive_int(num_samples, "num_samples")
        self.seed = int(seed)
        self.log_dir = log_dir
        self.every = check_positive_int(every, "every")
        self._codes = None
        self._writer = None

    def on_train_begin(self, logs=None):
        self._codes = np.asarray(
            self.model.sample_codes(self.num_samples, seed=self.seed)
        )

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        images = self.model.decoder.predict(self._codes, verbose=0)
        grid = make_grid(images)
        write_png(grid, self.path.format(epoch=epoch + 1))
        if self.log_dir:
            self._write_summary(grid, epoch)

    def _write_summary(self, grid, epoch):
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        with self._writer.as_default():
            tf.summary.image("samples", grid[None], step=epoch)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def get_config(self):
        return {
            "path": self.path,
            "num_samples": self.num_samples,
            "seed": self.seed,
            "log_dir": self.log_dir,
            "every": self.every,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class BackupAndRestore(keras.callbacks.BackupAndRestore):
    """`keras.callbacks.BackupAndRestore` whose backups appear atomically.

    Keras writes the weights and the epoch counter as two files in place, so
    a kill during a save can leave a truncated weights file, or weights of
    one epoch with the counter of another. Here both go into a folder that
    is written aside and renamed into place, so a restart always finds one
    consistent backup (every optimizer's slots, the random state and the
    epoch) and resumes from the last finished epoch.

    Args:
        backup_dir: Folder for the backup; give the same one on restart.
        save_freq: `"epoch"` or a number of batches.
        delete_checkpoint: Whether to delete the backup when `fit` ends.

    Raises:
        ValueError: At the start of `fit`, if the backup cannot be read; the
            message names the file. The backup is kept, never replaced by a
            fresh start.

    Example:

    >>> callback = BackupAndRestore("runs/mnist/backup")
    >>> # model.fit(x, epochs=10, callbacks=[callback])  # rerun to resume
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__(
            backup_dir, save_freq=save_freq, delete_checkpoint=delete_checkpoint
        )
        self._snapshot_dir = os.path.join(backup_dir, "latest")
        self._weights_path = os.path.join(self._snapshot_dir, _WEIGHTS)
        self._training_metadata_path = os.path.join(self._snapshot_dir, _METADATA)

    def on_train_begin(self, logs=None):
        aside = self._snapshot_dir + ".old"
        # A kill between the two renames of a folder swap leaves only the
        # previous snapshot, moved aside: it is still a complete backup.
        if not os.path.exists(self._snapshot_dir) and os.path.isdir(aside):
            os.replace(aside, self._snapshot_dir)
        try:
            self._load_model()
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(
                f"Cannot restore the training backup {self._weights_path!r} "
                f"({type(error).__name__}: {error}). Delete {self.backup_dir!r} "
                "to start training afresh, or restore the folder from a copy."
            ) from None

    def _save_model(self):
        with atomic_path(self._snapshot_dir) as tmp:
            os.makedirs(tmp)
            self.model.save_weights(os.path.join(tmp, _WEIGHTS))
            with open(os.path.join(tmp, _METADATA), "w") as f:
                json.dump(
                    {"epoch": self._current_epoch, "batch": self._last_batch_seen}, f
                )
