"""Callbacks for training adversarial autoencoders with `fit`."""

import csv
import json
import math
import os
import time

import keras
import numpy as np

from keras_aae import plots
from keras_aae._io import atomic_path
from keras_aae._validation import check_positive_int
from keras_aae.images import make_grid
from keras_aae.images import write_png

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
        """The constructor's arguments, JSON-ready."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Builds the callback from `get_config`'s dict."""
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
        # One small batch: a direct call, not `predict`, whose per-call
        # setup costs more than the decoding.
        images = keras.ops.convert_to_numpy(
            self.model.decoder(self._codes, training=False)
        )
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
        """The constructor's arguments, JSON-ready."""
        return {
            "path": self.path,
            "num_samples": self.num_samples,
            "seed": self.seed,
            "log_dir": self.log_dir,
            "every": self.every,
        }

    @classmethod
    def from_config(cls, config):
        """Builds the callback from `get_config`'s dict."""
        return cls(**config)


class NonFiniteLossError(RuntimeError):
    """Raised by `TerminateOnNaN` when a loss becomes NaN or infinite."""


@keras.saving.register_keras_serializable(package="keras_aae")
class TerminateOnNaN(keras.callbacks.Callback):
    """Stops training with an error as soon as a logged loss is not finite.

    Unlike `keras.callbacks.TerminateOnNaN` (which by default lets the epoch
    end), it raises before `on_epoch_end`, so no checkpoint or backup
    callback ever saves the diverged weights: the last good ones stay on
    disk. Every `*loss` in the logs is watched (the adversarial losses can
    diverge while the reconstruction loss is still finite).

    Raises:
        NonFiniteLossError: From `fit`, naming the epoch, batch and loss.

    Example:

    >>> # model.fit(x, callbacks=[TerminateOnNaN(), BackupAndRestore(d)])
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if not name.endswith("loss"):
                continue
            value = float(value)
            if not math.isfinite(value):
                self.model.stop_training = True
                raise NonFiniteLossError(
                    f"Training stopped: {name} became {value} in epoch "
                    f"{getattr(self, '_epoch', 0) + 1}, batch {batch + 1}. "
                    "Nothing from this epoch was saved."
                )

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Builds the callback from `get_config`'s dict."""
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_aae")
class CSVLogger(keras.callbacks.Callback):
    """Records each epoch's logs in a CSV file that is replaced atomically.

    The columns are those of `keras.callbacks.CSVLogger` (`epoch`, then the
    logs in sorted order), but instead of appending to an open file, each
    epoch writes the whole table aside and renames it into place: a kill
    never leaves a half-written row.

    Args:
        filename: Path of the CSV file.
        append: Whether to keep the rows already in the file (resuming).

    Example:

    >>> # model.fit(x, epochs=5, callbacks=[CSVLogger("history.csv")])
    """

    def __init__(self, filename, append=False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)) or not os.fspath(
            filename
        ):
            raise TypeError(
                f"`filename` must be a non-empty path. Received: filename={filename!r}"
            )
        self.filename = os.fspath(filename)
        self.append = bool(append)
        self._rows = []

    def on_train_begin(self, logs=None):
        self._rows = []
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as f:
                self._rows = [row for row in csv.reader(f) if row]

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not self._rows:
            self._rows = [["epoch"] + sorted(logs)]
        header = self._rows[0]
        self._rows.append(
            [str(epoch)] + [_csv_value(logs.get(key, "")) for key in header[1:]]
        )
        with atomic_path(self.filename) as tmp:
            with open(tmp, "w", newline="") as f:
                csv.writer(f).writerows(self._rows)

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {"filename": self.filename, "append": self.append}

    @classmethod
    def from_config(cls, config):
        """Builds the callback from `get_config`'s dict."""
        return cls(**config)


def trim_history(filename, num_epochs):
    """Keeps only the rows of a `CSVLogger` file for epochs below
    `num_epochs` (0 empties it), atomically: a resumed run then appends each
    epoch exactly once. A missing file is left missing."""
    if not os.path.exists(filename):
        return
    with open(filename, newline="") as f:
        rows = list(csv.reader(f))
    kept = rows[:1] + [r for r in rows[1:] if r and int(r[0]) < num_epochs]
    with atomic_path(filename) as tmp:
        with open(tmp, "w", newline="") as f:
            if num_epochs:
                csv.writer(f).writerows(kept)


def _csv_value(value):
    if isinstance(value, str):
        return value
    return repr(float(np.asarray(value)))


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

    @staticmethod
    def finished_epochs(backup_dir):
        """The number of epochs a backup folder holds (0 if none or unreadable).

        The `.old` snapshot is the previous one, left alone by a kill during
        the swap of two snapshots; `on_train_begin` restores it then.
        """
        for snapshot in ("latest", "latest.old"):
            path = os.path.join(backup_dir, snapshot, _METADATA)
            try:
                with open(path) as f:
                    return int(json.load(f)["epoch"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return 0

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__(
            backup_dir, save_freq=save_freq, delete_checkpoint=delete_checkpoint
        )
        self._snapshot_dir = os.path.join(backup_dir, "latest")
        self._weights_path = os.path.join(self._snapshot_dir, _WEIGHTS)
        self._training_metadata_path = os.path.join(
            self._snapshot_dir, _METADATA
        )

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
                    {
                        "epoch": self._current_epoch,
                        "batch": self._last_batch_seen,
                    },
                    f,
                )


@keras.saving.register_keras_serializable(package="keras_aae")
class TrainingCurves(keras.callbacks.Callback):
    """Redraws the training curves from a `CSVLogger` file while training.

    Put it after the `CSVLogger` whose file it reads, so that the curves
    include the epoch that just ended (and, when resuming, every earlier
    one). The PNG (`keras_aae.plots.curves_figure`: the losses on a log
    scale, the discriminators' accuracies beside them) is written atomically
    after the first epoch, then whenever drawing it again keeps the time
    spent drawing under `max_time_fraction` of the time since the last
    drawing, and always when training ends: on a small model an epoch takes
    seconds and a drawing about half a second, which redrawn every epoch
    cost a fifth of the training (benchmarks/README.md).

    Args:
        history_path: The `CSVLogger` file.
        path: The PNG path.
        title: The figure's title.
        max_time_fraction: Number in (0, 1]: the most of the training's wall
            time spent drawing; 1 redraws after every epoch.

    Raises:
        ValueError: If `max_time_fraction` is not in (0, 1].

    Example:

    >>> curves = TrainingCurves("history.csv", "curves.png")
    >>> # model.fit(x, callbacks=[CSVLogger("history.csv"), curves])
    """

    def __init__(
        self,
        history_path,
        path,
        title="Training curves",
        max_time_fraction=0.02,
    ):
        super().__init__()
        self.history_path = os.fspath(history_path)
        self.path = os.fspath(path)
        self.title = str(title)
        if not (
            isinstance(max_time_fraction, (int, float))
            and 0 < max_time_fraction <= 1
        ):
            raise ValueError(
                "`max_time_fraction` must be a number in (0, 1]. Received: "
                f"max_time_fraction={max_time_fraction!r}"
            )
        self.max_time_fraction = float(max_time_fraction)
        self._next_draw = None
        self._last_epoch = None
        self._drawn_epoch = None

    def on_train_begin(self, logs=None):
        self._next_draw = None
        self._last_epoch = None
        self._drawn_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        if self._next_draw is None or now >= self._next_draw:
            self._draw(epoch)
            spent = time.perf_counter() - now
            self._next_draw = now + spent / self.max_time_fraction
        self._last_epoch = epoch

    def on_train_end(self, logs=None):
        if self._last_epoch not in (None, self._drawn_epoch):
            self._draw(self._last_epoch)

    def _draw(self, epoch):
        if os.path.exists(self.history_path):
            figure = plots.curves_figure(self.history_path, title=self.title)
            plots.save_figure(figure, self.path)
            self._drawn_epoch = epoch

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        return {
            "history_path": self.history_path,
            "path": self.path,
            "title": self.title,
            "max_time_fraction": self.max_time_fraction,
        }

    @classmethod
    def from_config(cls, config):
        """Builds the callback from `get_config`'s dict."""
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_aae")
class LatentProjector(keras.callbacks.Callback):
    """Writes images' codes, labels and thumbnails for TensorBoard's
    embedding projector when training ends.

    `tensorboard --logdir LOG_DIR` then shows the codes in its "Projector"
    tab (PCA, t-SNE, UMAP), coloured by the labels, each point with its
    image: the latent space of paper figures 2, 4 and 11, in 3-D and
    searchable.

    Args:
        images: Array `(n, h, w, c)` in [0, 1] to encode (a few thousand).
        labels: Int labels `(n,)`, written as the projector's metadata.
        log_dir: The TensorBoard log folder.
        max_sprite_images: The most images drawn in the sprite (TensorBoard
            reads sprites up to 8192x8192 pixels).

    Raises:
        ValueError: If `labels` does not give one label per image.

    Example:

    >>> # projector = LatentProjector(x_test[:2000], y_test[:2000], "logs")
    >>> # model.fit(x, callbacks=[keras.callbacks.TensorBoard("logs"), projector])
    """

    def __init__(self, images, labels, log_dir, max_sprite_images=4096):
        super().__init__()
        self.images = np.asarray(images, dtype="float32")
        self.labels = np.asarray(labels).reshape(-1)
        if len(self.labels) != len(self.images):
            raise ValueError(
                f"Expected one label per image ({len(self.images)}). "
                f"Received: {len(self.labels)} labels"
            )
        self.log_dir = os.fspath(log_dir)
        self.max_sprite_images = check_positive_int(
            max_sprite_images, "max_sprite_images"
        )

    def on_train_end(self, logs=None):
        write_projector(
            self.model.encode(self.images),
            self.labels,
            self.log_dir,
            images=self.images[: self.max_sprite_images],
        )

    def get_config(self):
        """The constructor's arguments, JSON-ready."""
        # The images are part of what it does: kept, as nested lists.
        return {
            "images": self.images.tolist(),
            "labels": self.labels.tolist(),
            "log_dir": self.log_dir,
            "max_sprite_images": self.max_sprite_images,
        }

    @classmethod
    def from_config(cls, config):
        """Builds the callback from `get_config`'s dict."""
        return cls(**config)


def write_projector(codes, labels, log_dir, images=None):
    """Writes codes as a TensorBoard projector embedding in `log_dir`.

    Args:
        codes: Array `(n, d)`.
        labels: Labels `(n,)`, one metadata row each.
        log_dir: The TensorBoard log folder (created if missing).
        images: Optional images `(m, h, w, c)`, `m <= n`, for the first `m`
            codes: drawn as the sprite (thumbnails); the points are then
            limited to those `m`.
    """
    import tensorflow as tf
    from tensorboard.plugins import projector

    codes = np.asarray(codes, dtype="float32")
    labels = np.asarray(labels).reshape(-1)
    if images is not None:
        codes, labels = codes[: len(images)], labels[: len(images)]
    os.makedirs(log_dir, exist_ok=True)
    with atomic_path(os.path.join(log_dir, "metadata.tsv")) as tmp:
        with open(tmp, "w") as f:
            f.writelines(f"{label}\n" for label in labels)
    checkpoint = tf.train.Checkpoint(embedding=tf.Variable(codes))
    checkpoint.save(os.path.join(log_dir, "embedding.ckpt"))
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
    embedding.metadata_path = "metadata.tsv"
    if images is not None:
        # The projector reads a square sprite, thumbnails row by row.
        columns = math.ceil(math.sqrt(len(images)))
        padding = np.zeros((columns**2 - len(images),) + images.shape[1:])
        write_png(
            make_grid(
                np.concatenate([images, padding]),
                columns=columns,
                min_size=1,
                gap=0,
            ),
            os.path.join(log_dir, "sprite.png"),
        )
        embedding.sprite.image_path = "sprite.png"
        embedding.sprite.single_image_dim.extend(images.shape[1:3])
    projector.visualize_embeddings(log_dir, config)
