"""The paper's likelihood experiment: Parzen log-likelihood against training.

Makhzani et al. (2015), section 3, table 1: an 8-D Gaussian code, 784-1000-
1000-8 MLP encoder and decoder, a 1000-1000 discriminator, MNIST; 10,000
decoded prior draws scored by a Parzen window whose width is chosen on
1,000 held-out validation images (`keras_aae.evaluation.parzen_evaluation`).
The paper reports 340 +- 2 nats. The prior's standard deviation is 5 (the
paper's setup, kept by its public reproductions).

Training is `fit` with the package's `BackupAndRestore`: rerun the same
command and it continues from the last finished epoch. Every `--every`
epochs (and after the last) it appends a row to `curve.csv` in `--out`:
epoch, cumulative training hours, Parzen mean and standard error, sigma.
`--minutes` stops this run after that long (at an epoch's end), so a long
budget can be spent in slices.

`--recipe package` trains with the package's defaults of the first curve
(Adam, five discriminator steps, instance noise 1.5, MSE); `--recipe paper`
with the paper's recipe as its public reproduction runs it: one
discriminator step, no instance noise, binary cross-entropy, SGD at 0.01
(momentum 0.9) for reconstruction and 0.1 (momentum 0.1) for both
adversarial phases, every rate divided by 10 at epochs 50 and 1000. Any
other name is a recipe of `keras_aae.recipes` for the unsupervised model
(e.g. `likelihood`, the best so far): its networks, model, optimizers and
batch, its own prior. When the model keeps a weight average (the package's
default Adam for the reconstruction phase), the curve scores that average,
the weights `fit` ends with and `model.keras` holds.

Usage:
    TFDS_DATA_DIR=../shared/data/tensorflow_datasets \\
        python benchmarks/likelihood.py --out runs/likelihood --epochs 2000 --minutes 60
"""

import argparse
import csv
import json
import os
import time

import numpy as np

LATENT_DIM = 8
HIDDEN = [1000, 1000]
PRIOR_STDDEV = 5.0
# The curve in benchmarks/README.md was trained with the package's defaults
# of its day (deterministic posterior, instance noise 1.5); pinned so that
# the backup resumes the same model.
DISCRIMINATOR_NOISE = 1.5
# The paper's recipe: (initial rate, momentum) per phase, and the epochs at
# which every rate is divided by 10.
PAPER_SGD = {
    "reconstruction": (0.01, 0.9),
    "discriminator": (0.1, 0.1),
    "generator": (0.1, 0.1),
}
PAPER_DECAY_EPOCHS = (50, 1000)
CURVE = "curve.csv"
FIELDS = ("epoch", "hours", "parzen", "stderr", "sigma", "reconstruction_loss")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--posterior", default="deterministic")
    parser.add_argument(
        "--recipe",
        default="package",
        help="'package', 'paper' or a keras_aae.recipes name.",
    )
    parser.add_argument("--num-samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def paper_optimizers(steps_per_epoch):
    """The paper recipe's SGD optimizers, keyed as `compile` takes them."""
    import keras

    boundaries = [e * steps_per_epoch for e in PAPER_DECAY_EPOCHS]
    optimizers = {}
    for phase, (rate, momentum) in PAPER_SGD.items():
        schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
            boundaries, [rate, rate / 10, rate / 100]
        )
        optimizers[f"{phase}_optimizer"] = keras.optimizers.SGD(
            learning_rate=schedule, momentum=momentum
        )
    return optimizers


def build_model(args, steps_per_epoch):
    import keras

    import keras_aae
    from keras_aae import networks
    from keras_aae import posteriors

    keras.utils.set_random_seed(args.seed)
    if args.recipe not in ("package", "paper"):
        from keras_aae import recipes

        recipe = recipes.get(args.recipe)
        return recipe.build((28, 28, 1), steps_per_epoch, seed=args.seed)
    posterior = posteriors.get(args.posterior)
    if args.recipe == "paper":
        recipe_arguments = {
            "discriminator_steps": 1,
            "discriminator_noise": 0.0,
            "reconstruction_loss": "binary_crossentropy",
            "sample_adversary": None,
        }
        compile_arguments = paper_optimizers(steps_per_epoch)
    else:
        recipe_arguments = {
            "discriminator_noise": DISCRIMINATOR_NOISE,
            # The curve's five steps; the default (`"auto"`) now gives
            # these 2x1000 networks one.
            "discriminator_steps": 5,
            # The curve's model had no sample adversary (the default now).
            "sample_adversary": None,
        }
        compile_arguments = {}
    encoder, decoder, discriminator = networks.build_networks(
        (28, 28, 1),
        LATENT_DIM,
        HIDDEN,
        outputs_per_dim=posterior.outputs_per_dim,
    )
    model = keras_aae.AdversarialAutoencoder(
        encoder,
        decoder,
        discriminator,
        prior=keras_aae.GaussianPrior(LATENT_DIM, stddev=PRIOR_STDDEV),
        posterior=posterior,
        seed=args.seed,
        **recipe_arguments,
    )
    model.compile(**compile_arguments)
    return model


def _hours_so_far(path):
    """The cumulative training hours of the curve's last row (0 if none)."""
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return 0.0
    return float(rows[-1]["hours"]) if rows else 0.0


def make_curve_callback(args, splits):
    import keras

    from keras_aae import evaluation

    path = os.path.join(args.out, CURVE)

    class ParzenCurve(keras.callbacks.Callback):
        """Appends Parzen rows to `curve.csv`; stops after `--minutes`."""

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            self.hours_before = _hours_so_far(path)
            self.epoch_hours = self.hours_before
            self.last_epoch = None

        def on_epoch_end(self, epoch, logs=None):
            elapsed = time.perf_counter() - self.start
            self.epoch_hours = self.hours_before + elapsed / 3600
            done = epoch + 1
            out_of_time = args.minutes and elapsed > 60 * args.minutes
            if done % args.every == 0 or done == args.epochs or out_of_time:
                self.write_row(done, logs or {})
            if out_of_time:
                self.model.stop_training = True

        def write_row(self, epoch, logs):
            # The evaluation's time is not training time.
            pause = time.perf_counter()
            samples = self.model.generate(args.num_samples, seed=args.seed)
            scores = evaluation.parzen_evaluation(
                samples.reshape(len(samples), -1),
                splits["validation"][0].reshape(-1, 784),
                splits["test"][0].reshape(-1, 784),
            )
            row = {
                "epoch": epoch,
                "hours": round(self.epoch_hours, 4),
                "parzen": round(scores["mean"], 2),
                "stderr": round(scores["stderr"], 2),
                "sigma": round(scores["sigma"], 4),
                "reconstruction_loss": round(
                    float(logs.get("reconstruction_loss", np.nan)), 5
                ),
            }
            new = not os.path.exists(path)
            with open(path, "a", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=FIELDS)
                if new:
                    writer.writeheader()
                writer.writerow(row)
            print(json.dumps(row), flush=True)
            self.start += time.perf_counter() - pause

    return ParzenCurve()


def main(argv=None):
    args = parse_args(argv)
    import keras

    from keras_aae import callbacks
    from keras_aae import data

    os.makedirs(args.out, exist_ok=True)
    splits = data.load_splits("mnist")
    if args.recipe not in ("package", "paper"):
        from keras_aae import recipes

        args.batch_size = recipes.get(args.recipe).batch_size
    steps_per_epoch = -(-len(splits["train"][0]) // args.batch_size)
    model = build_model(args, steps_per_epoch)
    backup = os.path.join(args.out, "backup")
    done = callbacks.BackupAndRestore.finished_epochs(backup)
    if done >= args.epochs:
        print(f"{backup} already holds {done} epochs")
        return
    # The backup holds the raw weights; the curve measures the weight
    # average that `fit` ends with (and that the saved model holds), when
    # the model keeps one.
    steps = [callbacks.BackupAndRestore(backup, delete_checkpoint=False)]
    if getattr(model.optimizer, "use_ema", False):
        steps.append(keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    model.fit(
        splits["train"][0],
        epochs=args.epochs,
        batch_size=args.batch_size,
        verbose=0,
        callbacks=steps + [make_curve_callback(args, splits)],
    )
    model.save(os.path.join(args.out, "model.keras"))


if __name__ == "__main__":
    main()
