"""`keras-aae train`: train a model, resumably, and export it.

The command is a thin layer over the library: `prepare` builds a
`TrainingRun` (the model, its data, the output paths) from the arguments,
`fit` trains it with the package's callbacks and a backup, `finish` writes
the model, the exports and the figures.
"""

import dataclasses
import json
import os
import sys

import keras
import numpy as np
import tensorflow as tf

from keras_aae import callbacks
from keras_aae import data
from keras_aae import evaluation
from keras_aae import export
from keras_aae import images
from keras_aae import plots
from keras_aae import scores
from keras_aae import variants
from keras_aae._io import atomic_path
from keras_aae._io import cache_directory
from keras_aae.cli import defaults
from keras_aae.cli import inputs
from keras_aae.cli.parser import PROG
from keras_aae.cli.parser import UsageError
from keras_aae.cli.parser import one_line
from keras_aae.cli.parser import user_errors
from keras_aae.models import DomainAdaptationAdversarialAutoencoder
from keras_aae.models import SampleAdversary
from keras_aae.training import xla

RUN_FILE = "run.json"
# The arguments that fix the model and the order of the data: a backup can
# only resume a run that had the same ones.
RUN_DEFINING = (
    "recipe",
    "dataset",
    "batch_size",
    "latent_dim",
    "hidden",
    "architecture",
    "variant",
    "num_classes",
    "num_labels",
    "holdout_labels",
    "classes",
    "images",
    "image_size",
    "target_dataset",
    "prior",
    "posterior",
    "discriminator_noise",
    "sample_adversary",
    "reconstruction_loss",
    "reconstruction_lr",
    "discriminator_lr",
    "generator_lr",
    "seed",
    "mixed_precision",
)


ARGUMENTS_BEFORE_THEY_EXISTED = {
    "posterior": "deterministic",
    "discriminator_noise": None,
    "target_dataset": None,
    "recipe": None,
    "sample_adversary": None,
    "classes": None,
    "images": None,
    "image_size": None,
}


@dataclasses.dataclass(frozen=True)
class OutputPaths:
    """Where `keras-aae train` writes, inside `--out`."""

    out: str

    @property
    def model(self):
        return os.path.join(self.out, "model.keras")

    @property
    def run(self):
        return os.path.join(self.out, RUN_FILE)

    @property
    def history(self):
        return os.path.join(self.out, "history.csv")

    @property
    def saved_model(self):
        return os.path.join(self.out, "saved_model")

    @property
    def backup(self):
        return os.path.join(self.out, "backup")

    def figure(self, name):
        """The path of the PNG figure `name` (e.g. `"samples"`)."""
        return os.path.join(self.out, f"{name}.png")


@dataclasses.dataclass
class TrainingRun:
    """Everything one `keras-aae train` command trains and writes.

    Attributes:
        model: The compiled model (restored from the backup by `fit`).
        train: The `tf.data` pipeline of one epoch, in `order`.
        order: The `keras_aae.data.EpochOrder` callback that tells `train`
            which epoch's order to give.
        test: `(images, labels)` of the test split, for the figures.
        train_images: The training images (the anomaly score is fitted on
            them).
        held_out: Normal images kept out of training (the validation split):
            the anomaly threshold is a quantile of their scores.
        quantile: That quantile (`--quantile`).
        dataset: The dataset's name, for the figures' titles.
        projection: How `latent.png` projects codes (`--projection`).
        paths: The output paths.
        resumed_epoch: Epochs the backup had finished (0 for a fresh run).
    """

    model: keras.Model
    train: tf.data.Dataset
    order: data.EpochOrder
    test: tuple
    train_images: np.ndarray
    held_out: np.ndarray
    quantile: float
    dataset: str
    projection: str
    paths: OutputPaths
    resumed_epoch: int


def run(args):
    """Trains as the arguments say; returns the exit status."""
    # A second run of the same model loads its XLA programs instead of
    # compiling them again (about a second and a half of the first epoch).
    xla.enable_persistent_cache(cache_directory("xla"))
    try:
        training = prepare(defaults.complete(args))
    except user_errors() as error:
        raise UsageError(one_line(error)) from None
    try:
        fit(training, args)
    except callbacks.NonFiniteLossError as error:
        backup = training.paths.backup
        epoch = callbacks.BackupAndRestore.finished_epochs(backup)
        kept = (
            f"the backup of epoch {epoch} is kept in {backup}"
            if epoch
            else "no epoch had finished, so there is no backup"
        )
        print(
            f"{PROG}: error: {one_line(error)} {kept}; nothing else was "
            "written. Lower the learning rates and run again.",
            file=sys.stderr,
        )
        return 1
    finish(training)
    return 0


def prepare(args):
    """Builds the run: strategy, data, model, and the epoch to resume from.

    Raises:
        ValueError: On arguments the library refuses, or a backup that
            cannot resume with these arguments.
    """
    # Before anything else touches TensorFlow: the multi-worker strategy
    # sets up collective ops, which must happen at program start.
    strategy = _strategy(args.strategy)
    if strategy.num_replicas_in_sync > 1:
        print(
            f"Training on {strategy.num_replicas_in_sync} replicas "
            f"({args.strategy})"
        )
    if args.deterministic:
        tf.config.experimental.enable_op_determinism()
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(f"mixed_{args.mixed_precision}")
    paths = OutputPaths(_worker_out(args.out, strategy))
    resumed_epoch = _check_resumable(paths, args)
    # The validation images stay out of training: `keras-aae evaluate`
    # chooses the Parzen bandwidth on them.
    splits, target_images = inputs.training_splits(args)
    x_train, y_train = splits["train"]
    keras.utils.set_random_seed(args.seed)
    steps_per_epoch = max(len(x_train) // args.batch_size, 1)
    with strategy.scope():
        model = _build_model(args, x_train.shape[1:])
        model.compile(**_compile_arguments(args, model, steps_per_epoch))
    # Epoch e's batches depend on (seed, e) only, so a resumed run sees what
    # an uninterrupted one would, and each epoch ends where its data does.
    order = data.EpochOrder(seed=args.seed)
    train = variants.training_dataset(
        args.variant,
        x_train,
        y_train,
        num_labels=args.num_labels,
        batch_size=args.batch_size,
        seed=args.seed,
        order=order,
        # A smaller last batch costs XLA a second compilation of the step
        # (about 1.8 s on MNIST); each epoch drops a different remainder.
        drop_remainder=len(x_train) > args.batch_size,
        target_images=target_images,
    )
    if args.strategy == "multi_worker":
        train = train.with_options(_shard_by_data())
    os.makedirs(paths.out, exist_ok=True)
    _write_run_file(paths, args)
    return TrainingRun(
        model,
        train,
        order,
        splits["test"],
        x_train,
        splits["validation"][0],
        args.quantile,
        _dataset_name(args),
        args.projection,
        paths,
        resumed_epoch,
    )


def _dataset_name(args):
    if args.images:
        return os.path.basename(os.path.normpath(args.images))
    if args.target_dataset:
        return f"{args.dataset} -> {args.target_dataset}"
    return args.dataset


def _strategy(name):
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "multi_worker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError(
                "--strategy multi_worker needs the TF_CONFIG environment "
                "variable (the cluster's workers and this one's index). "
                "Received: no TF_CONFIG"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    devices = gpus or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([d.name for d in devices])


def _worker_out(out, strategy):
    """`out` for the chief; a private folder inside it for other workers.

    Every worker runs the same callbacks and exports (they include
    collective ops), but only the chief's files are the run's.
    """
    extended = getattr(strategy, "extended", None)
    if extended is None or getattr(extended, "should_checkpoint", True):
        return out
    task = getattr(strategy.cluster_resolver, "task_id", 0)
    return os.path.join(out, "workers", str(task))


def _shard_by_data():
    # The arrays live in memory: shard the batches, not files.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA
    )
    return options


def _compile_arguments(args, model, steps_per_epoch):
    # `steps_per_execution` needs no fitting to the epoch: the data ends
    # with its epoch, and Keras' last call of an epoch stops there.
    arguments = defaults.recipe_compile_arguments(
        args, model._PHASES, steps_per_epoch
    )
    arguments |= {
        "reconstruction_learning_rate": args.reconstruction_lr,
        "discriminator_learning_rate": args.discriminator_lr,
        "generator_learning_rate": args.generator_lr,
        "steps_per_execution": args.steps_per_execution,
    }
    return {k: v for k, v in arguments.items() if v is not None}


def _run_record(args):
    return {name: getattr(args, name) for name in RUN_DEFINING}


def _check_resumable(paths, args):
    """The epoch to resume from; refuses what would lose or mix a model.

    Raises:
        ValueError: If `model.keras` is there without a backup (a fresh
            start would silently replace it), or the backup's run had other
            arguments that fix the model or the data order.
    """
    has_backup = os.path.isdir(paths.backup) and os.listdir(paths.backup)
    if os.path.exists(paths.model) and not has_backup:
        raise ValueError(
            f"{paths.model} exists but there is no training backup to resume "
            f"from in {paths.backup}. Pass another --out, or delete the model "
            "to train afresh."
        )
    if has_backup and os.path.exists(paths.run):
        with open(paths.run) as f:
            recorded = json.load(f).get("arguments", {})
        # Runs recorded before an argument existed ran with this value.
        recorded = {**ARGUMENTS_BEFORE_THEY_EXISTED, **recorded}
        asked = json.loads(json.dumps(_run_record(args)))
        changed = [
            k for k in RUN_DEFINING if k in recorded and recorded[k] != asked[k]
        ]
        if changed:
            flags = ", ".join(
                f"--{k.replace('_', '-')} {recorded[k]!r} (now {asked[k]!r})"
                for k in changed
            )
            raise ValueError(
                f"{paths.out} holds a backup of a run with other arguments "
                f"that fix the model or the data order: {flags}. Resume with "
                "the same arguments, or pass another --out."
            )
    return callbacks.BackupAndRestore.finished_epochs(paths.backup)


def _write_run_file(paths, args):
    from keras_aae import __version__

    record = {
        "version": __version__,
        "arguments": _run_record(args),
        "command": sys.argv[1:],
    }
    with atomic_path(paths.run) as tmp:
        with open(tmp, "w") as f:
            json.dump(record, f, indent=1)


def _build_model(args, input_shape):
    common = {
        "reconstruction_loss": args.reconstruction_loss,
        "seed": args.seed,
        "posterior": args.posterior,
    }
    if args.discriminator_noise is not None:
        common["discriminator_noise"] = args.discriminator_noise
    if args.sample_adversary is not None:
        common["sample_adversary"] = (
            SampleAdversary.for_images(
                input_shape, weight=args.sample_adversary
            )
            if args.sample_adversary
            else None
        )
    recipe_arguments = defaults.recipe_model_arguments(args)
    discriminator_hidden = recipe_arguments.pop("discriminator_hidden", None)
    common |= recipe_arguments
    return variants.build(
        args.variant,
        input_shape,
        args.latent_dim,
        hidden=args.hidden,
        num_classes=args.num_classes,
        prior=args.prior,
        discriminator_hidden=discriminator_hidden,
        architecture=args.architecture,
        **common,
    )


def fit(training, args):
    """Trains `training.model` from its backup's epoch to `--epochs`."""
    paths = training.paths
    # Kept when training ends: rerunning a finished command then restores
    # it and only writes the outputs again (a kill during the exports).
    backup = callbacks.BackupAndRestore(paths.backup, delete_checkpoint=False)
    callbacks.trim_history(paths.history, training.resumed_epoch)
    if training.resumed_epoch:
        print(
            f"Resuming from epoch {training.resumed_epoch} "
            f"(backup in {paths.backup})"
        )
    try:
        training.model.fit(
            training.train,
            epochs=args.epochs,
            # The data is shuffled by epoch already (resumably).
            shuffle=False,
            verbose=args.verbose,
            # The backup goes last: an epoch's CSV row is on disk before the
            # backup says the epoch is done, and a resume trims rows the
            # backup does not cover, so each epoch appears exactly once.
            callbacks=[
                training.order,
                callbacks.TerminateOnNaN(),
                callbacks.SampleGrid(
                    paths.figure("samples"),
                    seed=args.seed,
                    log_dir=args.tensorboard,
                ),
                callbacks.EpochSeconds(),
                callbacks.CSVLogger(paths.history, append=True),
                callbacks.TrainingCurves(
                    paths.history, paths.figure("curves"), _title(training)
                ),
                *_tensorboard(training, args.tensorboard),
                backup,
            ],
        )
    except ValueError as error:
        if "training backup" in str(error):
            raise UsageError(one_line(error)) from None
        raise


def _tensorboard(training, log_dir):
    """TensorBoard's scalars and the test codes for its projector."""
    if not log_dir:
        return []
    x_test, y_test = training.test
    return [
        keras.callbacks.TensorBoard(log_dir),
        callbacks.LatentProjector(x_test[:2000], y_test[:2000], log_dir),
    ]


def _title(training, epochs=None):
    """Names the model and its data (and epoch) in the figures' titles."""
    name = f"{type(training.model).__name__} on {training.dataset}"
    return f"{name}, epoch {epochs}" if epochs else name


def _decoder_labels(model, labels):
    """What the decoder reads beside the code for these (source) images."""
    if isinstance(model, DomainAdaptationAdversarialAutoencoder):
        return {"label": labels, "domain": np.zeros_like(labels)}
    return labels


def _fit_anomaly_score(training):
    """Fits the default anomaly score on a sample of the training images,
    its threshold on the held-out normal images (`keras-aae score`)."""
    model = training.model
    if not model.scores_anomalies or not len(training.held_out):
        return
    score = model.fit_anomaly_score(
        scores.fitting_sample(training.train_images),
        held_out=training.held_out,
        quantile=training.quantile,
    )
    print(
        f"Anomaly score: {type(score).__name__}, threshold {score.threshold:.4g}"
        f" (quantile {score.quantile} of {len(training.held_out)} held-out "
        "images)"
    )


def finish(training):
    """Writes the model, its exports and the figures into `--out`."""
    model, paths = training.model, training.paths
    _fit_anomaly_score(training)
    model.save(paths.model)  # atomic: written aside, then renamed
    export.export_model(model, paths.out)  # with decoder/prior.json
    # The whole model, one SavedModel: with its `score` signature, a server
    # without keras-aae scores images as `keras-aae score` does.
    model.export(paths.saved_model)
    x_test, y_test = training.test
    originals = x_test[:32]
    reconstructions = model.reconstruct(
        originals, _decoder_labels(model, y_test[:32])
    )
    pairs = np.concatenate(
        [
            originals[:16],
            reconstructions[:16],
            originals[16:],
            reconstructions[16:],
        ]
    )
    images.save_image_grid(pairs, paths.figure("reconstructions"), columns=16)
    # Paper figures 4 and 11: the test set in the latent space, by class.
    epochs = callbacks.BackupAndRestore.finished_epochs(paths.backup)
    count = 2000 if training.projection == "tsne" else 5000
    figure = plots.latent_figure(
        evaluation.latent_codes(model, x_test[:count]),
        y_test[:count],
        title=f"{_title(training, epochs)}: test codes",
        method=training.projection,
    )
    plots.save_figure(figure, paths.figure("latent"))
    if hasattr(model, "transfer_style"):
        # Paper figure 6: rows are test images' styles, columns the classes.
        grid = model.transfer_style(x_test[:10])
        images.save_image_grid(
            grid.reshape((-1,) + grid.shape[2:]),
            paths.figure("styles"),
            columns=grid.shape[1],
        )
    print(f"Wrote {', '.join(sorted(os.listdir(paths.out)))} to {paths.out}")
