"""The `keras-aae` argument parser: it imports neither Keras nor TensorFlow.

Parsing and checking the arguments takes milliseconds, so a bad argument is
answered at once, before a command loads TensorFlow (seconds).
"""

import argparse

PROG = "keras-aae"
ARCHITECTURES = ("mlp", "conv")
STRATEGIES = ("default", "mirrored", "multi_worker")
# `keras_aae.priors.names()`, `keras_aae.posteriors.names()` and
# `keras_aae.variants.VARIANTS`, spelled out
# here because importing either loads TensorFlow (tests/cli keep them equal).
PRIOR_NAMES = (
    "categorical",
    "gaussian",
    "mixture",
    "mixture_of_gaussians",
    "normal",
    "swiss_roll",
    "uniform",
)
POSTERIOR_NAMES = ("deterministic", "gaussian", "universal")
VARIANT_NAMES = (
    "clustering",
    "dimensionality_reduction",
    "domain_adaptation",
    "label_informed",
    "semi_supervised",
    "supervised",
    "unsupervised",
)
RECIPE_NAMES = (
    "consistent_clustering",
    "consistent_domain_adaptation",
    "consistent_semi_supervised",
    "conv_anomaly",
    "fast_anomaly",
    "fast_clustering",
    "fast_dimensionality_reduction",
    "fast_label_informed",
    "fast_semi_supervised",
    "fast_supervised",
    "independent_supervised",
    "likelihood",
    "paper_clustering",
    "paper_dimensionality_reduction",
    "paper_label_informed",
    "paper_semi_supervised",
    "paper_supervised",
    "showcase",
)
# What `train` uses for an argument that neither the command line nor a
# recipe sets (the parser's defaults are None, so a recipe can tell them
# apart from the user's own choices).
TRAIN_DEFAULTS = {
    "epochs": 10,
    "batch_size": 128,
    "latent_dim": 8,
    "hidden": [1000, 1000],
    "variant": "unsupervised",
    "architecture": "mlp",
    "num_classes": 10,
    "posterior": "deterministic",
    "reconstruction_loss": "mse",
}


class UsageError(Exception):
    """A user error: reported as one line, exit status 2."""


def user_errors():
    """The exceptions a command reports as a `UsageError`: bad values and
    missing data. (Called by the commands, once TensorFlow is loaded.)"""
    from keras_aae.data import DatasetNotFoundError

    return (ValueError, TypeError, DatasetNotFoundError)


def one_line(error):
    """`error`'s message on one line."""
    return " ".join(str(error).split())


class _Parser(argparse.ArgumentParser):
    """Raises `UsageError` instead of printing usage and exiting."""

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
            raise argparse.ArgumentTypeError(
                f"expected {expected}, received {text!r}"
            )
        return value

    return parse


_positive_int = _typed(int, lambda v: v > 0, "a positive integer")
_non_negative_int = _typed(int, lambda v: v >= 0, "a non-negative integer")
_positive_float = _typed(
    float, lambda v: 0 < v < float("inf"), "a positive number"
)
_non_negative_float = _typed(
    float, lambda v: 0 <= v < float("inf"), "a non-negative number"
)


def _label_budget(text):
    if text == "all":
        return None
    return _positive_int(text)


def _train_label_budget(text):
    # "all" stays a word here: None means "not given", which a recipe fills.
    return "all" if text == "all" else _positive_int(text)


def _one_of(names, what):
    """An argparse type accepting `names` (any case, '-' or '_')."""

    def parse(text):
        key = text.lower().replace("-", "_")
        if key not in names:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {text!r}; expected one of {', '.join(names)}"
            )
        return key

    return parse


_unit_fraction = _typed(float, lambda v: 0 < v < 1, "a number in (0, 1)")
_prior_name = _one_of(PRIOR_NAMES, "prior")
_variant_name = _one_of(VARIANT_NAMES, "variant")
_posterior_name = _one_of(POSTERIOR_NAMES, "posterior")
_recipe_name = _one_of(RECIPE_NAMES, "recipe")


def build_parser():
    """Returns the `keras-aae` argument parser."""
    parser = _Parser(
        prog=PROG, description="Adversarial autoencoders in Keras."
    )
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser
    )

    train = commands.add_parser("train", help="Train a model and export it.")
    train.add_argument(
        "--dataset", default="mnist", help="'digits' or a TFDS name."
    )
    train.add_argument("--data-dir", default=None, help="Prepared TFDS folder.")
    _add_image_arguments(train)
    train.add_argument(
        "--recipe",
        type=_recipe_name,
        default=None,
        help="A named configuration of `keras_aae.recipes` (networks, model, "
        "optimizers, batch, epochs); the other arguments given override it. "
        "'showcase': decoded prior draws that read as digits.",
    )
    train.add_argument("--epochs", type=_positive_int, default=None)
    train.add_argument(
        "--batch-size", type=_positive_int, default=None, help="Default: 128."
    )
    train.add_argument(
        "--latent-dim", type=_positive_int, default=None, help="Default: 8."
    )
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        default=None,
        help="Hidden layer sizes, e.g. --hidden 256 or --hidden 1000 1000 "
        "(the default).",
    )
    train.add_argument(
        "--architecture",
        choices=ARCHITECTURES,
        default=None,
        help="'mlp' (the default) or 'conv' (the unsupervised variant only).",
    )
    train.add_argument(
        "--variant",
        type=_variant_name,
        default=None,
        help="The paper's model: unsupervised (section 2), label_informed (2.3), "
        "supervised (4), semi_supervised (5), clustering (6), "
        "dimensionality_reduction (7); domain_adaptation (with "
        "--target-dataset).",
    )
    train.add_argument(
        "--target-dataset",
        default=None,
        help="For --variant domain_adaptation: the unlabeled target domain "
        "('digits' or a TFDS name; its labels never reach training), resized "
        "to --dataset's images.",
    )
    train.add_argument(
        "--num-classes",
        type=_positive_int,
        default=None,
        help="Classes (default 10), or clusters for --variant clustering (the paper: 16, 30).",
    )
    train.add_argument(
        "--num-labels",
        type=_train_label_budget,
        default=None,
        help="Labels kept (balanced, seeded) for label_informed, semi_supervised "
        "and dimensionality_reduction; the rest are unlabeled. Default: all.",
    )
    train.add_argument(
        "--holdout-labels",
        type=_non_negative_int,
        nargs="+",
        default=None,
        help="Classes left out of training (anomaly detection; score them with "
        "`evaluate --anomaly-labels`).",
    )
    train.add_argument(
        "--classes",
        nargs="+",
        default=None,
        metavar="CLASS",
        help="Train on these classes only (label numbers, or an --images "
        "folder's sub-folder names): the normal images of anomaly "
        "detection, e.g. --classes 3.",
    )
    train.add_argument(
        "--quantile",
        type=_unit_fraction,
        default=0.99,
        help="The anomaly threshold stored with the model: this quantile of "
        "the held-out normal images' scores (default 0.99: about 1 in 100 "
        "normal images is flagged).",
    )
    train.add_argument(
        "--prior",
        type=_prior_name,
        default=None,
        help="Default: gaussian (label_informed: mixture).",
    )
    train.add_argument(
        "--posterior",
        type=_posterior_name,
        default=None,
        help="The encoder's q(z|x), paper section 2.1: deterministic (the "
        "default), "
        "gaussian (learned mean and variance) or universal (noise of 0.3 on "
        "the input in training).",
    )
    train.add_argument(
        "--discriminator-noise",
        type=_non_negative_float,
        default=None,
        help="Instance noise on the discriminator's inputs, in prior "
        "standard deviations (default 1.5).",
    )
    train.add_argument(
        "--sample-adversary",
        type=_non_negative_float,
        default=None,
        metavar="WEIGHT",
        help="Beyond the paper: a second adversary, on decoded prior draws, "
        "with this weight in the decoder's loss; 0 trains the paper's model "
        "(default: the model's, 0.02 for the unsupervised variant, none "
        "for the others).",
    )
    train.add_argument(
        "--reconstruction-loss",
        default=None,
        choices=("mse", "binary_crossentropy"),
    )
    train.add_argument(
        "--reconstruction-lr", type=_positive_float, default=None
    )
    train.add_argument("--discriminator-lr", type=_positive_float, default=None)
    train.add_argument("--generator-lr", type=_positive_float, default=None)
    train.add_argument(
        "--steps-per-execution",
        type=_positive_int,
        default=None,
        help="Training steps per compiled call (default: 32).",
    )
    train.add_argument("--seed", type=_non_negative_int, default=0)
    train.add_argument(
        "--deterministic",
        action="store_true",
        help="Deterministic ops: a run that is killed and resumed ends with "
        "the same weights, bit for bit, as one that was not (slower).",
    )
    train.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="default",
        help="mirrored: every GPU of this machine (or every logical CPU); "
        "multi_worker: every worker in TF_CONFIG, each running this command.",
    )
    train.add_argument(
        "--mixed-precision",
        nargs="?",
        const="float16",
        default=None,
        choices=("float16", "bfloat16"),
        help="Compute in float16 (GPUs; every optimizer is loss-scaled) or "
        "bfloat16, keeping float32 weights.",
    )
    train.add_argument("--out", required=True, help="Output folder.")
    train.add_argument(
        "--projection",
        choices=("tsne", "pca"),
        default="tsne",
        help="How latent.png shows codes of more than two dimensions: "
        "t-SNE (neighbourhoods: classes as islands; about 4 s for its "
        "2,000 test images on a CPU) or PCA (the two widest directions).",
    )
    train.add_argument(
        "--tensorboard",
        default=None,
        metavar="DIR",
        help="TensorBoard log folder: the losses, a grid of samples each "
        "epoch, and the test codes with their labels in the embedding "
        "projector (`tensorboard --logdir DIR`).",
    )
    train.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1)

    _add_score_parser(commands)

    sample = commands.add_parser("sample", help="Decode prior samples.")
    sample.add_argument(
        "--decoder", required=True, help="Exported decoder folder."
    )
    sample.add_argument("--num", type=_positive_int, default=64)
    sample.add_argument("--seed", type=_non_negative_int, default=0)
    sample.add_argument(
        "--prior",
        type=_prior_name,
        default=None,
        help="Prior to draw from; defaults to the one recorded at export.",
    )
    sample.add_argument("--out", required=True, help="A .png or .npy path.")

    evaluate = commands.add_parser(
        "evaluate", help="Score a trained model; prints one JSON object."
    )
    evaluate.add_argument("--model", required=True, help="A model.keras file.")
    evaluate.add_argument(
        "--dataset", default="mnist", help="'digits' or a TFDS name."
    )
    evaluate.add_argument(
        "--data-dir", default=None, help="Prepared TFDS folder."
    )
    evaluate.add_argument(
        "--target-dataset",
        default=None,
        help="For a domain adaptation model: the target domain it was "
        "adapted to; prints its test accuracy beside the source's.",
    )
    evaluate.add_argument(
        "--num-samples",
        type=_positive_int,
        default=10000,
        help="Prior samples decoded for the Parzen and sample-quality figures.",
    )
    evaluate.add_argument(
        "--labels",
        type=_label_budget,
        nargs="+",
        default=[100, 1000, None],
        help="Label budgets of the latent probes ('all' for every label).",
    )
    evaluate.add_argument(
        "--no-parzen",
        action="store_true",
        help="Skip the Parzen-window log-likelihood.",
    )
    evaluate.add_argument(
        "--no-sample-quality",
        action="store_true",
        help=(
            "Skip the judge classifier's figures (Frechet distance, label "
            "entropy): its first use on a dataset trains it, about a minute "
            "for MNIST on a CPU."
        ),
    )
    evaluate.add_argument(
        "--anomaly-dataset",
        default=None,
        help="Test images of this dataset are scored as anomalies.",
    )
    evaluate.add_argument(
        "--anomaly-labels",
        type=_non_negative_int,
        nargs="+",
        default=None,
        help="Test images of these classes are the anomalies (train with the "
        "same --holdout-labels).",
    )
    evaluate.add_argument(
        "--classifier-cache",
        default=None,
        help="Folder caching the judging classifier.",
    )
    evaluate.add_argument("--seed", type=_non_negative_int, default=0)
    evaluate.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1),
        default=1,
        help="1 shows progress bars on standard error (Parzen, the judge "
        "classifier's training, the probes); 0 is silent.",
    )
    return parser


def _add_image_arguments(parser):
    parser.add_argument(
        "--images",
        default=None,
        metavar="DIR",
        help="A folder of PNG or JPEG images instead of --dataset (grayscale "
        "or colour; sub-folders, when the images sit in them, are labels).",
    )
    parser.add_argument(
        "--image-size",
        type=_positive_int,
        nargs=2,
        default=None,
        metavar=("HEIGHT", "WIDTH"),
        help="Resize every --images image to this size (needed when their "
        "sizes differ).",
    )


def _add_score_parser(commands):
    score = commands.add_parser(
        "score",
        help="Write an anomaly score for every image to a CSV file.",
    )
    score.add_argument(
        "--model",
        required=True,
        help="A model.keras written by `keras-aae train`, or its --out folder.",
    )
    source = score.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--images",
        default=None,
        metavar="DIR",
        help="A folder of PNG or JPEG images, resized to the model's.",
    )
    source.add_argument(
        "--dataset", default=None, help="'digits' or a TFDS name."
    )
    score.add_argument(
        "--split", default="test", help="The --dataset split (default test)."
    )
    score.add_argument("--data-dir", default=None, help="Prepared TFDS folder.")
    score.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="Flag scores above this instead of the model's stored threshold.",
    )
    score.add_argument(
        "--out", required=True, help="The CSV file to write (scores.csv)."
    )
