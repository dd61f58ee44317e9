"""The `keras-aae` command line: a thin layer over the library.

    keras-aae train --dataset mnist --epochs 10 --out runs/mnist
    keras-aae sample --decoder runs/mnist/decoder --num 64 --out grid.png
    keras-aae evaluate --model runs/mnist/model.keras --dataset mnist

User errors (bad arguments, missing data) exit with status 2 and one line on
stderr that names the bad value; they never print a traceback.
"""

import argparse
import csv
import json
import os
import sys

_PROG = "keras-aae"
_ARCHITECTURES = ("mlp", "conv")
_STRATEGIES = ("default", "mirrored", "multi_worker")


class UsageError(Exception):
    """A user error: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _typed(convert, accept, expected):
    """An argparse type: `convert` the text, then require `accept(value)`."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, received {text!r}")
        return value

    return parse


_positive_int = _typed(int, lambda v: v > 0, "a positive integer")
_non_negative_int = _typed(int, lambda v: v >= 0, "a non-negative integer")
_positive_float = _typed(float, lambda v: 0 < v < float("inf"), "a positive number")


def _label_budget(text):
    if text == "all":
        return None
    return _positive_int(text)


def _prior_name(text):
    from keras_aae import priors

    if text.lower().replace("-", "_") not in priors.names():
        raise argparse.ArgumentTypeError(
            f"unknown prior {text!r}; expected one of {', '.join(priors.names())}"
        )
    return text


def _variant_name(text):
    from keras_aae import variants

    key = text.lower().replace("-", "_")
    if key not in variants.VARIANTS:
        raise argparse.ArgumentTypeError(
            f"unknown variant {text!r}; expected one of "
            f"{', '.join(sorted(variants.VARIANTS))}"
        )
    return key


def build_parser():
    """Returns the `keras-aae` argument parser."""
    parser = _Parser(prog=_PROG, description="Adversarial autoencoders in Keras.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="Train a model and export it.")
    train.add_argument("--dataset", default="mnist", help="'digits' or a TFDS name.")
    train.add_argument("--data-dir", default=None, help="Prepared TFDS folder.")
    train.add_argument("--epochs", type=_positive_int, default=10)
    train.add_argument("--batch-size", type=_positive_int, default=128)
    train.add_argument("--latent-dim", type=_positive_int, default=8)
    train.add_argument(
        "--hidden", type=_positive_int, nargs="+", default=[1000, 1000],
        help="Hidden layer sizes, e.g. --hidden 256 or --hidden 1000 1000.",
    )
    train.add_argument("--architecture", choices=_ARCHITECTURES, default="mlp",
                       help="'conv' is for the unsupervised variant only.")
    train.add_argument(
        "--variant", type=_variant_name, default="unsupervised",
        help="The paper's model: unsupervised (section 2), label_informed (2.3), "
        "supervised (4), semi_supervised (5), clustering (6), "
        "dimensionality_reduction (7).",
    )
    train.add_argument(
        "--num-classes", type=_positive_int, default=10,
        help="Classes, or clusters for --variant clustering (the paper: 16, 30).",
    )
    train.add_argument(
        "--num-labels", type=_label_budget, default=None,
        help="Labels kept (balanced, seeded) for label_informed, semi_supervised "
        "and dimensionality_reduction; the rest are unlabeled. Default: all.",
    )
    train.add_argument(
        "--holdout-labels", type=_non_negative_int, nargs="+", default=None,
        help="Classes left out of training (anomaly detection; score them with "
        "`evaluate --anomaly-labels`).",
    )
    train.add_argument("--prior", type=_prior_name, default=None,
                       help="Default: gaussian (label_informed: mixture).")
    train.add_argument("--reconstruction-loss", default="mse",
                       choices=("mse", "binary_crossentropy"))
    train.add_argument("--reconstruction-lr", type=_positive_float, default=None)
    train.add_argument("--discriminator-lr", type=_positive_float, default=None)
    train.add_argument("--generator-lr", type=_positive_float, default=None)
    train.add_argument(
        "--steps-per-execution", type=_positive_int, default=None,
        help="Training steps per compiled call (default: the model's, 32).",
    )
    train.add_argument("--seed", type=_non_negative_int, default=0)
    train.add_argument(
        "--deterministic", action="store_true",
        help="Deterministic ops: a run that is killed and resumed ends with "
        "the same weights, bit for bit, as one that was not (slower).",
    )
    train.add_argument(
        "--strategy", choices=_STRATEGIES, default="default",
        help="mirrored: every GPU of this machine (or every logical CPU); "
        "multi_worker: every worker in TF_CONFIG, each running this command.",
    )
    train.add_argument(
        "--mixed-precision", nargs="?", const="float16", default=None,
        choices=("float16", "bfloat16"),
        help="Compute in float16 (GPUs; every optimizer is loss-scaled) or "
        "bfloat16, keeping float32 weights.",
    )
    train.add_argument("--out", required=True, help="Output folder.")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1)

    sample = commands.add_parser("sample", help="Decode prior samples.")
    sample.add_argument("--decoder", required=True, help="Exported decoder folder.")
    sample.add_argument("--num", type=_positive_int, default=64)
    sample.add_argument("--seed", type=_non_negative_int, default=0)
    sample.add_argument(
        "--prior", type=_prior_name, default=None,
        help="Prior to draw from; defaults to the one recorded at export.",
    )
    sample.add_argument("--out", required=True, help="A .png or .npy path.")

    evaluate = commands.add_parser(
        "evaluate", help="Score a trained model; prints one JSON object."
    )
    evaluate.add_argument("--model", required=True, help="A model.keras file.")
    evaluate.add_argument("--dataset", default="mnist", help="'digits' or a TFDS name.")
    evaluate.add_argument("--data-dir", default=None, help="Prepared TFDS folder.")
    evaluate.add_argument(
        "--num-samples", type=_positive_int, default=10000,
        help="Prior samples decoded for the Parzen and sample-quality figures.",
    )
    evaluate.add_argument(
        "--labels", type=_label_budget, nargs="+", default=[100, 1000, None],
        help="Label budgets of the latent probes ('all' for every label).",
    )
    evaluate.add_argument("--no-parzen", action="store_true",
                          help="Skip the Parzen-window log-likelihood.")
    evaluate.add_argument("--anomaly-dataset", default=None,
                          help="Test images of this dataset are scored as anomalies.")
    evaluate.add_argument(
        "--anomaly-labels", type=_non_negative_int, nargs="+", default=None,
        help="Test images of these classes are the anomalies (train with the "
        "same --holdout-labels).",
    )
    evaluate.add_argument("--classifier-cache", default=None,
                          help="Folder caching the judging classifier.")
    evaluate.add_argument("--seed", type=_non_negative_int, default=0)
    return parser


def main(argv=None):
    """Runs the command line; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except UsageError as error:
        print(f"{_PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130


def _user_errors():
    from keras_aae.data import DatasetNotFoundError

    return (ValueError, TypeError, DatasetNotFoundError)


def _one_line(error):
    return " ".join(str(error).split())


# ------------------------------------------------------------------- train


def _train(args):
    try:
        run = _prepare_training(args)
    except _user_errors() as error:
        raise UsageError(_one_line(error)) from None
    from keras_aae.callbacks import NonFiniteLossError

    try:
        _fit(run, args)
    except NonFiniteLossError as error:
        epoch = _backup_epoch(run["paths"]["backup"])
        kept = (f"the backup of epoch {epoch} is kept in {run['paths']['backup']}"
                if epoch else "no epoch had finished, so there is no backup")
        print(f"{_PROG}: error: {_one_line(error)} {kept}; nothing else was "
              "written. Lower the learning rates and run again.", file=sys.stderr)
        return 1
    _finish(run, args)
    return 0


def _prepare_training(args):
    import keras
    import numpy as np

    from keras_aae import data
    from keras_aae import variants

    # Before anything else touches TensorFlow: the multi-worker strategy
    # sets up collective ops, which must happen at program start.
    strategy = _strategy(args.strategy)
    if strategy.num_replicas_in_sync > 1:
        print(f"Training on {strategy.num_replicas_in_sync} replicas ({args.strategy})")
    _configure_numerics(args)
    out = _worker_out(args.out, strategy)
    paths = _paths(out)
    resumed_epoch = _check_resumable(paths)
    # The validation images stay out of training: `keras-aae evaluate`
    # chooses the Parzen bandwidth on them.
    splits = data.load_splits(args.dataset, data_dir=args.data_dir)
    (x_train, y_train), (x_test, y_test) = splits["train"], splits["test"]
    if args.holdout_labels:
        kept = ~np.isin(y_train, args.holdout_labels)
        x_train, y_train = x_train[kept], y_train[kept]
    keras.utils.set_random_seed(args.seed)
    steps = data.steps_per_epoch(len(x_train), args.batch_size)
    with strategy.scope():
        model = _build_model(args, x_train.shape[1:])
        model.compile(**_compile_arguments(args, steps, strategy))
    # Epoch e's batches depend on (seed, e) only, so a resumed run sees what
    # an uninterrupted one would; a finished run still gets one epoch (never
    # trained on: the backup says it is done) so `fit` restores the weights.
    train = variants.training_dataset(
        args.variant, x_train, y_train, num_labels=args.num_labels,
        batch_size=args.batch_size, seed=args.seed, epochs=args.epochs,
        initial_epoch=min(resumed_epoch, args.epochs - 1),
    )
    if args.strategy == "multi_worker":
        train = train.with_options(_shard_by_data())
    os.makedirs(out, exist_ok=True)
    return {
        "model": model, "train": train, "x_test": x_test, "y_test": y_test,
        "paths": paths, "out": out, "resumed_epoch": resumed_epoch,
        "steps_per_epoch": steps,
    }


def _strategy(name):
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "multi_worker":
        if not os.environ.get("TF_CONFIG"):
            raise ValueError(
                "--strategy multi_worker needs the TF_CONFIG environment variable "
                "(the cluster's workers and this one's index). Received: no TF_CONFIG"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    devices = gpus or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([d.name for d in devices])


def _configure_numerics(args):
    import keras
    import tensorflow as tf

    if args.deterministic:
        tf.config.experimental.enable_op_determinism()
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(f"mixed_{args.mixed_precision}")


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
    import tensorflow as tf

    # The arrays live in memory: shard the batches, not files.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA
    )
    return options


def _compile_arguments(args, steps_per_epoch, strategy):
    from keras_aae.model import DEFAULT_STEPS_PER_EXECUTION

    arguments = {
        "reconstruction_learning_rate": args.reconstruction_lr,
        "discriminator_learning_rate": args.discriminator_lr,
        "generator_learning_rate": args.generator_lr,
    }
    if strategy.num_replicas_in_sync == 1 and args.strategy == "default":
        requested = args.steps_per_execution or DEFAULT_STEPS_PER_EXECUTION
        arguments["steps_per_execution"] = _divisor_at_most(steps_per_epoch, requested)
    elif args.steps_per_execution is not None:
        arguments["steps_per_execution"] = args.steps_per_execution
    return {k: v for k, v in arguments.items() if v is not None}


def _divisor_at_most(steps_per_epoch, limit):
    """The largest divisor of `steps_per_epoch` that is at most `limit`.

    With `steps_per_epoch` given, Keras' last call of an epoch still runs
    `steps_per_execution` steps, eating into the next epoch's batches; then
    epochs drift off the data's epochs and a resumed run would not see the
    batches an uninterrupted one did. A divisor keeps them aligned.
    """
    return max(d for d in range(1, min(limit, steps_per_epoch) + 1)
               if steps_per_epoch % d == 0)


def _check_resumable(paths):
    """The epoch to resume from; refuses to overwrite a finished model.

    Raises:
        ValueError: If `model.keras` is there without a backup: the run
            finished before backups were kept, or the backup was deleted. A
            fresh start would silently replace the model.
    """
    epoch = _backup_epoch(paths["backup"])
    has_backup = os.path.isdir(paths["backup"]) and os.listdir(paths["backup"])
    if os.path.exists(paths["model"]) and not has_backup:
        raise ValueError(
            f"{paths['model']} exists but there is no training backup to resume "
            f"from in {paths['backup']}. Pass another --out, or delete the model "
            "to train afresh."
        )
    return epoch


def _build_model(args, input_shape):
    from keras_aae import networks
    from keras_aae import variants
    from keras_aae.model import AdversarialAutoencoder

    common = {"reconstruction_loss": args.reconstruction_loss, "seed": args.seed}
    if args.variant != "unsupervised" or args.architecture == "mlp":
        if args.architecture != "mlp":
            raise ValueError(
                "--architecture conv is for the unsupervised variant. "
                f"Received: --variant {args.variant}"
            )
        return variants.build(
            args.variant, input_shape, args.latent_dim, hidden=args.hidden,
            num_classes=args.num_classes, prior=args.prior, **common,
        )
    encoder, decoder, discriminator = networks.build_networks(
        input_shape, args.latent_dim, args.hidden, args.architecture
    )
    return AdversarialAutoencoder(
        encoder, decoder, discriminator, prior=args.prior or "gaussian", **common
    )


def _paths(out):
    names = ("model.keras", "decoder", "encoder", "history.csv", "samples.png",
             "reconstructions.png", "latent.png", "styles.png", "backup")
    return {name.split(".")[0]: os.path.join(out, name) for name in names}


def _fit(run, args):
    from keras_aae import callbacks

    paths = run["paths"]
    # Kept when training ends: rerunning a finished command then restores
    # it and only writes the outputs again (a kill during the exports).
    backup = callbacks.BackupAndRestore(paths["backup"], delete_checkpoint=False)
    _trim_history(paths["history"], run["resumed_epoch"])
    if run["resumed_epoch"]:
        print(f"Resuming from epoch {run['resumed_epoch']} (backup in {paths['backup']})")
    try:
        run["model"].fit(
            run["train"],
            epochs=args.epochs,
            steps_per_epoch=run["steps_per_epoch"],
            verbose=args.verbose,
            # The backup goes last: an epoch's CSV row is on disk before the
            # backup says the epoch is done, and a resume trims rows the
            # backup does not cover, so each epoch appears exactly once.
            callbacks=[
                callbacks.TerminateOnNaN(),
                callbacks.SampleGrid(paths["samples"], seed=args.seed),
                callbacks.EpochSeconds(),
                callbacks.CSVLogger(paths["history"], append=True),
                backup,
            ],
        )
    except ValueError as error:
        if "training backup" in str(error):
            raise UsageError(_one_line(error)) from None
        raise


def _backup_epoch(backup_dir):
    """The epochs the backup has finished (0 if none or unreadable).

    The `.old` folder is the previous snapshot, left alone by a kill during
    the swap of two snapshots; `BackupAndRestore` restores it then.
    """
    for snapshot in ("latest", "latest.old"):
        metadata = os.path.join(backup_dir, snapshot, "training_metadata.json")
        try:
            with open(metadata) as f:
                return int(json.load(f)["epoch"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return 0


def _trim_history(path, resumed_epoch):
    """Keeps only the CSV rows of epochs the backup has (0 keeps none)."""
    if not os.path.exists(path):
        return
    from keras_aae._io import atomic_path

    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    kept = rows[:1] + [r for r in rows[1:] if r and int(r[0]) < resumed_epoch]
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="") as f:
            if resumed_epoch:
                csv.writer(f).writerows(kept)


def _finish(run, args):
    import numpy as np

    from keras_aae import evaluation
    from keras_aae import export
    from keras_aae import images
    from keras_aae.images import save_image_grid

    model = run["model"]
    paths = run["paths"]
    model.save(paths["model"])  # atomic: written aside, then renamed
    export.export_model(model, run["out"])  # with decoder/prior.json
    x_test, y_test = run["x_test"], run["y_test"]
    originals = x_test[:32]
    reconstructions = model.reconstruct(originals, y_test[:32])
    pairs = np.concatenate([originals[:16], reconstructions[:16],
                            originals[16:], reconstructions[16:]])
    save_image_grid(pairs, paths["reconstructions"], columns=16)
    # Paper figures 4 and 11: the test set in the latent space, by class.
    points = evaluation.latent_points(model, x_test[:5000])
    images.write_png(images.scatter_image(points, y_test[:5000]), paths["latent"])
    if hasattr(model, "transfer_style"):
        # Paper figure 6: rows are test images' styles, columns the classes.
        grid = model.transfer_style(x_test[:10])
        save_image_grid(grid.reshape((-1,) + grid.shape[2:]), paths["styles"],
                        columns=grid.shape[1])
    print(f"Wrote {', '.join(sorted(os.listdir(run['out'])))} to {run['out']}")


# ------------------------------------------------------------------ sample


def _sample(args):
    if not args.out.endswith((".png", ".npy")):
        raise UsageError(f"--out must end in .png or .npy, received {args.out!r}")
    if not os.path.isdir(args.decoder):
        raise UsageError(f"--decoder {args.decoder!r} is not an exported decoder folder")
    import numpy as np
    import tensorflow as tf

    from keras_aae import priors
    from keras_aae.images import save_image_grid

    serve = tf.saved_model.load(args.decoder).signatures["serving_default"]
    latent_dim = serve.structured_input_signature[1]["codes"].shape[-1]
    prior = _sampling_prior(args, priors, latent_dim)
    images = serve(codes=prior.sample(args.num, seed=args.seed))["images"].numpy()
    if args.out.endswith(".npy"):
        from keras_aae._io import atomic_path

        with atomic_path(args.out) as tmp:
            np.save(tmp, images)
    else:
        save_image_grid(images, args.out)
    print(f"Wrote {args.num} samples to {args.out}")
    return 0


def _sampling_prior(args, priors, latent_dim):
    try:
        if args.prior is not None:
            return priors.get(args.prior, latent_dim=latent_dim)
        recorded = os.path.join(args.decoder, "prior.json")
        if os.path.exists(recorded):
            with open(recorded) as f:
                return priors.get(json.load(f))
        return priors.get("gaussian", latent_dim=latent_dim)
    except (ValueError, TypeError) as error:
        raise UsageError(_one_line(error)) from None


# ---------------------------------------------------------------- evaluate


def _evaluate(args):
    if not os.path.isfile(args.model):
        raise UsageError(f"--model {args.model!r} is not a file; expected a model.keras")
    from keras_aae import evaluation

    try:
        model = _load_model(args.model)
        result = evaluation.evaluate(
            model,
            args.dataset,
            data_dir=args.data_dir,
            num_samples=args.num_samples,
            probe_labels=tuple(args.labels),
            parzen=not args.no_parzen,
            anomaly_dataset=args.anomaly_dataset,
            anomaly_labels=args.anomaly_labels,
            classifier_cache_dir=args.classifier_cache,
            seed=args.seed,
        )
    except _user_errors() as error:
        raise UsageError(_one_line(error)) from None
    print(json.dumps({"model": args.model, **result}))
    return 0


def _load_model(path):
    from keras_aae.model import load_model

    return load_model(path)


_COMMANDS = {"train": _train, "sample": _sample, "evaluate": _evaluate}


if __name__ == "__main__":
    sys.exit(main())
