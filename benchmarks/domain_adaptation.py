"""Unsupervised domain adaptation: the AAE against two baselines, one run.

MNIST and scikit-learn's digits (8x8 scans by other writers, resized into
MNIST's 20x20 box of 28x28 by `keras_aae.data.load_domain_splits`), in both
directions. For each direction and seed, three methods train on the same
batches (`keras_aae.data.domain_adaptation_dataset`: 100 labeled source and
100 unlabeled target images per step), with the same encoder
(`networks.mlp_categorical_encoder`, whose softmax head is the classifier),
the same input noise (Gaussian, 0.3: the AAE's universal posterior) and the
same number of steps:

- `source_only`: the encoder's classifier on the source labels alone;
- `dann@w`: plus a domain classifier on the encoder's output, trained
  through a gradient reversal (Ganin et al., 2016, with their schedule of
  the reversal's weight, `w (2 / (1 + exp(-10 p)) - 1)`), one run per
  weight of `--dann-weights`; a small reference here;
- `aae`: `keras_aae.models.DomainAdaptationAdversarialAutoencoder`;
- `aae_no_prior`: the same with `adversarial_weight=0` (no prior matching:
  reconstruction, classification and the domain discriminator), to measure
  what matching each domain to the prior adds;
- `aae_consistency`: the AAE with `keras_aae.ShiftConsistency(labeled=False)`
  (beyond the paper): its `q(y|x)` of every image, source or target, kept
  under shifts of up to two pixels and noise 0.3 (the source labels read
  on the images themselves: on shifted copies, MNIST -> digits lost five
  points, `benchmarks/README.md`).

Target labels are used only to score. Printed: one `ROW` JSON line per run
(source and target test accuracy), then a table of means and standard
deviations over the seeds; `--figure` writes the codes of both domains'
test images before (source-only) and after adaptation (the AAE), seed 0.

    TFDS_DATA_DIR=../shared/data/tensorflow_datasets \\
        python benchmarks/domain_adaptation.py --seeds 0 1 2 --epochs 5
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_aae import data  # noqa: E402
from keras_aae import models  # noqa: E402
from keras_aae import networks  # noqa: E402
from keras_aae import variants  # noqa: E402

METHODS = ("source_only", "dann", "aae", "aae_no_prior", "aae_consistency")
DIRECTIONS = ("mnist_to_digits", "digits_to_mnist")
INPUT_NOISE = 0.3


class DomainClassifierReference(keras.Model):
    """The baselines: an encoder's classifier on source labels, plus (when
    `domain_weight > 0`) DANN's domain classifier behind a gradient reversal.

    Args:
        encoder: `networks.mlp_categorical_encoder`; its first `num_classes`
            outputs are the class probabilities.
        domain_classifier: A network from the encoder's output to one logit
            ("target domain"), or None for source-only.
        num_classes: The number of classes.
        domain_weight: The reversal's final weight (0: source-only).
        total_steps: The steps of the run, for the weight's schedule.
        seed: Seed of the input noise.
    """

    def __init__(
        self,
        encoder,
        domain_classifier,
        num_classes,
        domain_weight,
        total_steps,
        seed,
    ):
        super().__init__()
        self.encoder = encoder
        self.domain_classifier = domain_classifier
        self.num_classes = num_classes
        self.domain_weight = domain_weight
        self.total_steps = float(total_steps)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.step = keras.Variable(0.0, trainable=False, name="step")
        self.trackers = {
            n: keras.metrics.Mean(name=n)
            for n in ("loss", "classification_loss", "domain_loss")
        }

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, x, training=False):
        return self.encoder(x, training=training)[:, : self.num_classes]

    def _reversal_weight(self):
        progress = self.step / self.total_steps
        schedule = 2.0 / (1.0 + keras.ops.exp(-10.0 * progress)) - 1.0
        return self.domain_weight * schedule

    def train_step(self, batch):
        x, y = batch
        labels, domains = y["label"], y["domain"]
        noisy = x + INPUT_NOISE * keras.random.normal(
            keras.ops.shape(x), seed=self.seed_generator
        )
        source = keras.ops.cast(domains == 0, "float32")
        with tf.GradientTape(persistent=True) as tape:
            codes = self.encoder(noisy, training=True)
            probabilities = codes[:, : self.num_classes]
            cross_entropy = keras.losses.sparse_categorical_crossentropy(
                keras.ops.where(labels >= 0, labels, 0), probabilities
            )
            classification = keras.ops.sum(cross_entropy * source) / (
                keras.ops.maximum(keras.ops.sum(source), 1.0)
            )
            domain = 0.0
            if self.domain_classifier is not None:
                logits = self.domain_classifier(codes, training=True)
                domain = keras.ops.mean(
                    keras.losses.binary_crossentropy(
                        keras.ops.cast(domains[:, None], "float32"),
                        logits,
                        from_logits=True,
                    )
                )
        encoder_vars = self.encoder.trainable_variables
        grads = tape.gradient(classification, encoder_vars)
        if self.domain_classifier is not None:
            # The reversal: the encoder climbs the domain loss that the
            # domain classifier descends.
            reversed_grads = tape.gradient(domain, encoder_vars)
            weight = self._reversal_weight()
            grads = [
                g - weight * r
                for g, r in zip(grads, reversed_grads, strict=True)
            ]
            judge_vars = self.domain_classifier.trainable_variables
            self.optimizer.apply(
                tape.gradient(domain, judge_vars) + grads,
                judge_vars + encoder_vars,
            )
        else:
            self.optimizer.apply(grads, encoder_vars)
        del tape
        self.step.assign_add(1.0)
        for name, value in (
            ("loss", classification + domain),
            ("classification_loss", classification),
            ("domain_loss", domain),
        ):
            self.trackers[name].update_state(value)
        return {n: m.result() for n, m in self.trackers.items()}

    def classify(self, x):
        return np.argmax(self.predict(x, batch_size=500, verbose=0), axis=1)


def load_direction(direction, data_dir=None):
    """`(source, target)` splits, both 28x28 (digits in MNIST's box)."""
    pair = data.load_domain_splits("mnist", "digits", data_dir=data_dir)
    if direction == "mnist_to_digits":
        return pair["source"], pair["target"]
    return pair["target"], pair["source"]


def build(method, args, seed, total_steps, input_shape, k=10):
    keras.utils.set_random_seed(seed)
    if method.startswith("aae"):
        model = variants.build(
            "domain_adaptation",
            input_shape,
            args.style_dim,
            hidden=args.hidden,
            num_classes=k,
            posterior="universal",
            discriminator_steps=1,
            discriminator_noise=0.0,
            adversarial_weight=0.0 if method == "aae_no_prior" else 1.0,
            consistency=(
                models.ShiftConsistency(labeled=False)
                if method == "aae_consistency"
                else None
            ),
            seed=seed,
        )
        model.compile()
        return model
    encoder = networks.mlp_categorical_encoder(
        input_shape, k, args.style_dim, hidden=args.hidden
    )
    judge = None
    if method.startswith("dann"):
        judge = networks.mlp_discriminator(
            k + args.style_dim, hidden=args.hidden, name="domain_classifier"
        )
    weight = float(method.split("@")[1]) if judge else 0.0
    model = DomainClassifierReference(
        encoder, judge, k, weight, total_steps, seed
    )
    # The AAE's classification phase uses Adam at 1e-3 (beta_1 = 0).
    model.compile(optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0))
    return model


def run_one(direction, method, seed, source, target, args):
    train = data.domain_adaptation_dataset(
        source["train"],
        target["train"][0],
        batch_size=args.batch_size,
        seed=seed,
    )
    steps = int(train.cardinality()) * args.epochs
    model = build(method, args, seed, steps, source["train"][0].shape[1:])
    start = time.perf_counter()
    # Shuffled by the dataset; Keras warns about its default `shuffle=True`.
    model.fit(train, epochs=args.epochs, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    row = {
        "direction": direction,
        "method": method,
        "seed": seed,
        "epochs": args.epochs,
        "steps": steps,
        "seconds": round(seconds, 1),
    }
    for domain, splits in (("source", source), ("target", target)):
        x_test, y_test = splits["test"]
        row[f"{domain}_accuracy"] = float(
            np.mean(model.classify(x_test) == y_test)
        )
    # The target's training images (seen without labels): more of them,
    # the transductive figure.
    x_seen, y_seen = target["train"]
    row["target_train_accuracy"] = float(
        np.mean(model.classify(x_seen) == y_seen)
    )
    print("ROW", json.dumps(row), flush=True)
    return row, model


def codes_figure(models_by_method, source, target, path, direction, count=297):
    """Before (source-only) and after adaptation (the AAE), side by side:
    both domains' test images in the classifier's output (the code's class
    probabilities, t-SNE), coloured by class, marked by domain."""
    from matplotlib.figure import Figure

    from keras_aae import plots

    xs, ys = source["test"][0][:count], source["test"][1][:count]
    xt, yt = target["test"][0][:count], target["test"][1][:count]
    figure = Figure(figsize=(12, 5), layout="constrained")
    names = direction.split("_to_")
    for axes, (method, title) in zip(
        figure.subplots(1, 2),
        (("source_only", "before: source only"), ("aae", "after: AAE")),
        strict=True,
    ):
        encoder = models_by_method[method].encoder
        # The class part: the style is matched to a Gaussian in both
        # models and, in t-SNE, hides the classes.
        codes = encoder.predict(np.concatenate([xs, xt]), verbose=0)[:, :10]
        plots.latent_figure(
            codes,
            np.concatenate([ys, yt]),
            title=title,
            method="tsne",
            groups=np.repeat([0, 1], [len(xs), len(xt)]),
            group_names=[f"source ({names[0]})", f"target ({names[1]})"],
            axes=axes,
        )
    figure.suptitle(
        f"{direction.replace('_to_', ' -> ')}: test images' class "
        f"probabilities, {count} per domain"
    )
    plots.save_figure(figure, path)


def summary(rows):
    print(
        "\n| direction | method | target test accuracy | target train "
        "accuracy | source test accuracy | runs |"
    )
    print("|---|---|---|---|---|---|")
    methods = list(dict.fromkeys(r["method"] for r in rows))
    for direction in DIRECTIONS:
        for method in methods:
            picked = [
                r
                for r in rows
                if r["direction"] == direction and r["method"] == method
            ]
            if not picked:
                continue
            cells = []
            for key in (
                "target_accuracy",
                "target_train_accuracy",
                "source_accuracy",
            ):
                values = np.array([r[key] for r in picked]) * 100
                cells.append(f"{values.mean():.1f} +- {values.std():.1f}")
            print(
                f"| {direction} | {method} | {' | '.join(cells)} | "
                f"{len(picked)} |"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--directions", nargs="+", default=list(DIRECTIONS))
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--hidden", nargs="+", type=int, default=[256, 256])
    parser.add_argument("--style-dim", type=int, default=10)
    parser.add_argument(
        "--dann-weights",
        type=float,
        nargs="+",
        default=[0.3, 0.1],
        help="Final weights of DANN's gradient reversal, one run each (1.0, "
        "the paper's, made the encoder's linear style outputs diverge "
        "within 5 epochs here: source accuracy 9.8 %%).",
    )
    parser.add_argument("--figure", default=None)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    rows = []
    for direction in args.directions:
        source, target = load_direction(direction, args.data_dir)
        methods = []
        for method in args.methods:
            if method == "dann":
                methods += [f"dann@{w:g}" for w in args.dann_weights]
            else:
                methods.append(method)
        for seed in args.seeds:
            trained = {}
            for method in methods:
                row, trained[method] = run_one(
                    direction, method, seed, source, target, args
                )
                rows.append(row)
            if (
                args.figure
                and seed == args.seeds[0]
                and ({"source_only", "aae"} <= set(trained))
            ):
                path = os.path.join(args.figure, f"{direction}.png")
                os.makedirs(args.figure, exist_ok=True)
                codes_figure(trained, source, target, path, direction)
                print(f"Wrote {path}")
    summary(rows)


if __name__ == "__main__":
    main()
