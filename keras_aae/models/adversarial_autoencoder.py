"""The adversarial autoencoder as one subclassed `keras.Model`.

Training follows Makhzani et al. (2015), section 2: every batch runs a
reconstruction phase, then a regularization phase in two steps (the
discriminator learns to tell prior samples from codes, then the encoder, as
the generator, learns to fool it). Each phase has its own optimizer
(`keras_aae.training.PhaseTrainer`).
"""

import keras
import tensorflow as tf
from keras import ops

from keras_aae import posteriors as posteriors_lib
from keras_aae import priors as priors_lib
from keras_aae._validation import check_keras_model
from keras_aae._validation import check_non_negative_number
from keras_aae.models import discriminator_steps as discriminator_steps_lib
from keras_aae.models import draws
from keras_aae.models import losses
from keras_aae.models import structure
from keras_aae.models.anomaly import AnomalyScoring
from keras_aae.models.code_part import CodePart
from keras_aae.models.exporting import SavedModelExport
from keras_aae.models.inference import AutoencoderInference
from keras_aae.models.sample_adversary import SampleAdversaryPhase
from keras_aae.models.saving import AtomicSaving
from keras_aae.models.saving import AttributeConfig
from keras_aae.networks import ends_in_sigmoid
from keras_aae.training import PhaseTrainer
from keras_aae.training import ReplicaSeedGenerator
from keras_aae.training.distribution import per_replica_logs

# Defaults chosen on MNIST with the seed tutorial's 784-256-64 MLPs; the
# sweep behind them is in benchmarks/README.md. With the seed's optimizer
# settings (one discriminator step, Adam with beta_1=0.9 at equal rates) the
# game oscillates: the generator overshoots, the discriminator's accuracy
# falls below chance and the codes drift away from the prior. What helped, in
# order of effect: several discriminator steps per batch (it must keep up
# with the encoder), Adam without momentum (beta_1=0: momentum makes both
# players overshoot), and instance noise on the discriminator's inputs (it
# keeps the discriminator's accuracy below 0.9 and its gradient informative).
# A universal posterior (noise of 0.3 on the encoder's input) with instance
# noise 1.0 decodes better prior samples (Frechet distance, label entropy,
# Parzen, on three paired seeds) but is not the default: its encoder maps
# noise images to typical codes, so the latent-density anomaly score ranks
# them as normal (benchmarks/README.md, "Samples worth looking at").
# The reconstruction optimizer keeps a moving average of the encoder's and
# decoder's weights (momentum 0.99, about the last hundred steps), which `fit`
# leaves in them: it averages out the adversarial game's oscillation. On
# three paired seeds it lowered the codes' MMD to the prior about 6x, the
# largest moment gap about 4x and the reconstruction error by a fifth, with
# the decoded samples' figures unchanged.
DEFAULT_RECONSTRUCTION_LEARNING_RATE = 1e-3
DEFAULT_DISCRIMINATOR_LEARNING_RATE = 5e-4
DEFAULT_GENERATOR_LEARNING_RATE = 5e-4
DEFAULT_DISCRIMINATOR_STEPS = discriminator_steps_lib.AUTO
DEFAULT_WEIGHT_AVERAGE = 0.99
DEFAULT_DISCRIMINATOR_NOISE = 1.5
DEFAULT_POSTERIOR = "deterministic"
# Beyond the paper: a second adversary that trains the decoder on decoded
# prior draws (`keras_aae.models.sample_adversary`, where its figures are).
DEFAULT_SAMPLE_ADVERSARY = "auto"


# What `fit` logs, each averaged over the epoch by its own tracker.
_LOGGED = (
    "loss",
    "reconstruction_loss",
    "discriminator_loss",
    "generator_loss",
    "discriminator_accuracy",
)


def _check_network_shapes(model):
    """Checks that a model's networks fit together, through its hooks."""
    structure.check_shapes(
        (
            "decoder input",
            model.decoder.inputs[0].shape[1:],
            (model._decoder_input_dim(),),
        ),
        (
            "decoder output",
            model.decoder.outputs[0].shape[1:],
            model.encoder.inputs[0].shape[1:],
        ),
    )
    for part in model.regularized_parts():
        disc = part.discriminator
        structure.check_shapes(
            (
                f"{disc.name} input",
                disc.inputs[0].shape[1:],
                (model._discriminator_input_dim(part),),
            ),
            (f"{disc.name} output", disc.outputs[0].shape[1:], (1,)),
        )


@keras.saving.register_keras_serializable(package="keras_aae")
class AdversarialAutoencoder(
    AutoencoderInference,
    AnomalyScoring,
    SavedModelExport,
    SampleAdversaryPhase,
    PhaseTrainer,
    AtomicSaving,
    AttributeConfig,
    keras.Model,
):
    """An autoencoder whose codes are matched to a prior adversarially.

    The model holds an `encoder` (`x -> z`), a `decoder` (`z -> x`), a
    `discriminator` (`z -> logit`, "z came from the prior") and a `prior`.
    `train_step` runs the paper's section 2 phases, one optimizer each, and
    logs `loss` (their weighted sum), `reconstruction_loss`,
    `discriminator_loss`, `generator_loss`, `discriminator_accuracy`.

    The paper's variants (`keras_aae.models`) subclass it and change what the
    networks see through hooks, never the phases: `_prior_dim`,
    `_decoder_input_dim`, `regularized_parts` (`CodePart`s matched to priors),
    `_discriminator_input_dim`, `_labels`, `_label_bounds`, `_decoder_input`,
    `_discriminator_input`, `_prior_draws`, `_penalty`, `_train_phases` and
    `_test_results` (to add a phase). A variant's constructor calls
    `super().__init__`, sets its state, ends with `self._end_init(ItsClass)`.

    Args:
        encoder: A `keras.Model` mapping inputs to codes `(n, latent_dim)`.
        decoder: A `keras.Model` mapping codes back to the input shape.
        discriminator: A `keras.Model` mapping codes to logits `(n, 1)`.
        prior: A `keras_aae.priors.Prior`, a prior name or a config dict; a
            name is built with the size of the code it regularizes.
        reconstruction_loss: `"mse"` (per pixel) or `"binary_crossentropy"`.
        reconstruction_weight: Non-negative weight of the reconstruction loss.
        adversarial_weight: Non-negative weight of the generator's loss.
        gradient_penalty_weight: Non-negative weight of an R1 penalty on the
            discriminator's gradient at prior samples (0 disables it).
        discriminator_noise: Standard deviation of the instance noise added
            to both sides of the discriminator in training, in units of the
            prior's standard deviation (0 disables it).
        discriminator_steps: Positive int, discriminator updates per batch,
            or `"auto"` (`keras_aae.models.discriminator_steps`: 5 for the
            seed tutorial's networks, 1 for the paper's; the config holds
            the count).
        seed: Optional int seeding the prior draws made during training.
        posterior: The encoder's q(z|x) (paper section 2.1): a
            `keras_aae.posteriors.Posterior`, a name (`"deterministic"`,
            `"gaussian"`: the encoder outputs means then log-variances,
            `"universal"`) or a config dict; the discriminator sees samples
            of q(z|x).
        sample_adversary: Beyond the paper, a second adversary, on decoded
            prior draws (`keras_aae.models.SampleAdversary`); `"auto"` builds
            one for the decoder's images; None (the variants' default) trains
            the paper's model.
        **kwargs: Passed to `keras.Model` (e.g. `name`).

    Raises:
        ValueError: If the networks' shapes do not fit together or a weight
            is negative.
        TypeError: If a network is not a `keras.Model`.

    Example:

    >>> import keras_aae
    >>> from keras_aae import networks
    >>> model = keras_aae.AdversarialAutoencoder(
    ...     encoder=networks.mlp_encoder((28, 28, 1), 8, [64]),
    ...     decoder=networks.mlp_decoder(8, (28, 28, 1), [64]),
    ...     discriminator=networks.mlp_discriminator(8, [64]),
    ...     prior="gaussian",
    ... )
    >>> model.compile()
    >>> # model.fit(images, epochs=10, batch_size=128)
    """

    _PHASES = ("reconstruction", "discriminator", "generator")
    _DEFAULT_LEARNING_RATES = {
        "reconstruction": DEFAULT_RECONSTRUCTION_LEARNING_RATE,
        "discriminator": DEFAULT_DISCRIMINATOR_LEARNING_RATE,
        "generator": DEFAULT_GENERATOR_LEARNING_RATE,
    }
    _ADAM_BETA_1 = 0.0
    _DEFAULT_WEIGHT_AVERAGES = {"reconstruction": DEFAULT_WEIGHT_AVERAGE}
    _LOGGED = _LOGGED
    # The config (`AttributeConfig`): Keras objects, then plain values
    # (attributes all), and what files saved before an argument existed used.
    _NETWORKS = ("encoder", "decoder", "discriminator")
    _SERIALIZED = _NETWORKS + ("prior", "posterior", "sample_adversary")
    _CONFIG = (
        "reconstruction_loss",
        "reconstruction_weight",
        "adversarial_weight",
        "gradient_penalty_weight",
        "discriminator_noise",
        "discriminator_steps",
        "seed",
    )
    # `posterior` came in 0.1, `sample_adversary` in 0.6.
    _CONFIG_BEFORE = {"posterior": "deterministic", "sample_adversary": None}

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        prior="gaussian",
        reconstruction_loss="mse",
        reconstruction_weight=1.0,
        adversarial_weight=1.0,
        gradient_penalty_weight=0.0,
        discriminator_noise=DEFAULT_DISCRIMINATOR_NOISE,
        discriminator_steps=DEFAULT_DISCRIMINATOR_STEPS,
        seed=None,
        posterior=DEFAULT_POSTERIOR,
        sample_adversary=DEFAULT_SAMPLE_ADVERSARY,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.encoder = check_keras_model(encoder, "encoder")
        self.decoder = check_keras_model(decoder, "decoder")
        self.discriminator = check_keras_model(discriminator, "discriminator")
        if not self.encoder.outputs or not self.decoder.inputs:
            raise ValueError(
                "The encoder and decoder must be built (functional) models."
            )
        self.posterior = posteriors_lib.get(posterior)
        self.latent_dim = structure.code_size(self.encoder, self.posterior)
        # A name is resolved in `_end_init`, once its size is known.
        self.prior = prior if isinstance(prior, str) else priors_lib.get(prior)
        self.reconstruction_loss = structure.check_reconstruction_loss(
            reconstruction_loss, losses.RECONSTRUCTION_LOSSES
        )
        for name, value in (
            ("reconstruction_weight", reconstruction_weight),
            ("adversarial_weight", adversarial_weight),
            ("gradient_penalty_weight", gradient_penalty_weight),
            ("discriminator_noise", discriminator_noise),
        ):
            setattr(self, name, check_non_negative_number(value, name))
        self.discriminator_steps = discriminator_steps_lib.check(
            discriminator_steps
        )  # `"auto"` is resolved in `_end_init`, once the parts exist
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)
        self._set_sample_adversary(sample_adversary)
        for phase in self._PHASES:
            setattr(self, f"{phase}_optimizer", None)
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in self._LOGGED
        }
        # The sub-networks are functional models, already built: so is this.
        self.built = True
        self._end_init(AdversarialAutoencoder)

    def _end_init(self, cls):
        """Resolves the prior and checks the networks, through the hooks.
        Every constructor ends by calling this with its own class; only the
        most-derived one's call runs, when every hook's state exists."""
        if type(self).__init__ is not cls.__init__:
            return
        self.prior = structure.sized_prior(self.prior, self._prior_dim())
        self._noise_stddev = self.discriminator_noise * priors_lib.prior_scale(
            self.prior
        )
        self.discriminator_steps = discriminator_steps_lib.resolve(
            self.discriminator_steps, self
        )
        self._check_structure()

    # ----------------------------------------------------------- variant hooks

    def _check_structure(self):
        """Raises `ValueError` if the networks and prior do not fit."""
        _check_network_shapes(self)
        self._check_sample_adversary()

    def _prior_dim(self):
        """Size of the code part that `prior` regularizes."""
        return self.latent_dim

    def _decoder_input_dim(self):
        return self.latent_dim

    def regularized_parts(self):
        """The `CodePart`s matched to a prior, each by its own discriminator."""
        size, noise = self.latent_dim, self._noise_stddev
        return [CodePart(0, size, self.discriminator, self.prior, noise)]

    def _discriminator_input_dim(self, part):
        return part.size

    def _labels(self, y):
        """The labels the phases use (unsupervised: none, `y` is ignored)."""
        return None

    def _label_bounds(self):
        """The inclusive `(low, high)` range of labels, or None if unused."""
        return None

    def _decoder_input(self, codes, labels):
        return codes

    def _discriminator_input(self, part, z, labels):
        return z

    def _prior_draws(self, part, num_samples, labels):
        """`num_samples` prior draws for `part` (a multiple of the batch);
        in training a `GaussianPrior`'s are drawn in the phases instead
        (`keras_aae.models.draws`)."""
        return part.prior.sample(num_samples, seed=self.seed_generator)

    def _penalty(self):
        """Extra cost added to the reconstruction phase's loss."""
        return 0.0

    @property
    def code_prior(self):
        """The distribution the encoder's whole output is matched to."""
        return self.prior

    @property
    def decoder_prior(self):
        """The distribution whose samples the decoder turns into images."""
        return self.code_prior

    @property
    def metrics(self):
        return list(self.trackers.values())

    # ---------------------------------------------------------------- training

    def _phase_variables(self):
        return {
            "reconstruction": self.encoder.trainable_variables
            + self.decoder.trainable_variables,
            "discriminator": [
                v
                for part in self.regularized_parts()
                for v in part.discriminator.trainable_variables
            ],
            "generator": self.encoder.trainable_variables,
            **self._sample_variables(),
        }

    def _data_spec(self):
        """What `fit` checks of the data (`data.check_training_data`)."""
        return {
            "input_shape": tuple(self.encoder.inputs[0].shape[1:]),
            "unit_interval": ends_in_sigmoid(self.decoder),
            "label_bounds": self._label_bounds(),
        }

    # -------------------------------------------------------------- train step

    def _weighted_reconstruction(self, x, x_hat):
        # Losses in float32 also under a mixed-precision dtype policy.
        per_example = losses.per_example_reconstruction_loss(
            self.reconstruction_loss,
            ops.cast(x, "float32"),
            ops.cast(x_hat, "float32"),
        )
        return self.reconstruction_weight * ops.mean(per_example)

    def _draw_step_randomness(self, x, labels):
        """All random numbers one training step uses, drawn in one pass
        outside the XLA-compiled phases: `draws.draw_all`'s dict."""
        step_draws = draws.draw_all(
            self.regularized_parts(),
            self.discriminator_steps,
            x,
            lambda part, n: self._prior_draws(part, n, labels),
            self.posterior,
            self.latent_dim,
            self.seed_generator,
        )
        return step_draws | self._sample_draws(x)

    def _split_codes(self, codes):
        return [p.slice(codes) for p in self.regularized_parts()]

    def _reconstruction_phase(self, x, labels, uniforms, prior_codes=None):
        """Section 2, reconstruction phase: encoder and decoder step on the
        reconstruction loss of codes from q(z|x) (and a sample adversary's on
        `prior_codes`). Returns `(logged losses, codes, tape)`."""
        variables = self._phase_variables()["reconstruction"]
        with tf.GradientTape(persistent=True) as tape:
            codes = self.posterior.training_codes(
                lambda v: ops.cast(self.encoder(v, training=True), "float32"),
                x,
                *draws.standard_normals(uniforms),
            )
            x_hat = self.decoder(
                self._decoder_input(codes, labels), training=True
            )
            loss = self._weighted_reconstruction(x, x_hat) + self._penalty()
            logged = {"reconstruction_loss": loss}
            if prior_codes is not None:
                fooled = self._sample_generator_loss(prior_codes, labels)
                logged["sample_generator_loss"] = fooled
                loss += self.sample_adversary.weight * fooled
        self._minimize("reconstruction", tape, loss, variables)
        return logged, codes, tape

    def _discriminator_loss(self, reals, fakes, labels, training):
        """The discriminators' summed loss and mean accuracy (per part)."""
        part_losses, accuracies = [], []
        for part, z_real, z_fake in zip(
            self.regularized_parts(), reals, fakes, strict=True
        ):
            loss, accuracy = part.discriminator_loss(
                self._discriminator_input(part, z_real, labels),
                self._discriminator_input(part, z_fake, labels),
                training,
                self.gradient_penalty_weight,
            )
            part_losses.append(loss)
            accuracies.append(accuracy)
        return ops.sum(ops.stack(part_losses)), ops.mean(ops.stack(accuracies))

    def _discriminator_phase(self, codes, labels, part_draws):
        """Section 2, regularization phase, first step: the discriminators
        learn to tell prior samples from codes. Each of the
        `discriminator_steps` updates sees fresh prior samples and instance
        noise (Sonderby et al., 2016: it keeps the gradient informative at
        codes on a thin manifold) and this batch's codes; the first update's
        loss and accuracy are reported, measured before it."""
        variables = self._phase_variables()["discriminator"]
        fakes = self._split_codes(ops.stop_gradient(codes))

        def one_step(step):
            with tf.GradientTape() as tape:
                loss, accuracy = self._discriminator_loss(
                    [d.real(step) for d in part_draws],
                    [
                        d.fake(z, step)
                        for d, z in zip(part_draws, fakes, strict=True)
                    ],
                    labels,
                    training=True,
                )
            self._minimize("discriminator", tape, loss, variables)
            return loss, accuracy

        reported = one_step(0)
        self._repeat(one_step, 1, self.discriminator_steps)
        return reported

    def _generator_loss(self, codes, labels, part_draws=None):
        """The generator's loss; in training (`part_draws` given) on codes
        with instance noise."""
        part_losses = []
        for i, part in enumerate(self.regularized_parts()):
            z = part.slice(codes)
            if part_draws is not None:
                z = part_draws[i].generator(z)
            z = self._discriminator_input(part, z, labels)
            part_losses.append(
                part.generator_loss(z, training=part_draws is not None)
            )
        return self.adversarial_weight * ops.sum(ops.stack(part_losses))

    def _generator_phase(self, codes, labels, tape, part_draws):
        """Section 2, regularization phase, second step: the encoder, as the
        generator, learns to fool the updated discriminators. The gradient at
        the codes is pulled back through the reconstruction phase's recorded
        encoder pass (no second forward pass): like a joint update of both
        losses, it is taken at the encoder weights of the step's start."""
        variables = self._phase_variables()["generator"]
        codes_in = ops.stop_gradient(codes)
        with tf.GradientTape() as code_tape:
            code_tape.watch(codes_in)
            loss = self._generator_loss(codes_in, labels, part_draws)
        code_grads = code_tape.gradient(
            loss,
            codes_in,
            output_gradients=self._gradient_scale("generator", loss),
        )
        grads = tape.gradient(codes, variables, output_gradients=code_grads)
        self.generator_optimizer.apply(grads, variables)
        return loss

    def _part_draws(self, samples, uniforms):
        steps, parts = self.discriminator_steps, self.regularized_parts()
        return draws.part_draws(parts, steps, samples, uniforms)

    def _train_phases(self, x, labels, step_draws):
        """The paper's phases on one batch, given `_draw_step_randomness`'s
        dict; returns the logged values."""
        part_draws = self._part_draws(
            step_draws["samples"], step_draws["uniforms"]
        )
        prior_codes = step_draws.get("decoded")
        judged = self._sample_discriminator_phase(x, labels, prior_codes)
        logged, codes, tape = self._reconstruction_phase(
            x, labels, step_draws["posterior"], prior_codes
        )
        discriminator, accuracy = self._discriminator_phase(
            codes, labels, part_draws
        )
        generator = self._generator_phase(codes, labels, tape, part_draws)
        return {
            **judged,
            **logged,
            "discriminator_loss": discriminator,
            "generator_loss": generator,
            "discriminator_accuracy": accuracy,
        }

    def _update_metrics(self, results):
        # `loss` is the sum of the phases' losses; accuracies are not losses.
        phase_losses = [v for k, v in results.items() if k.endswith("_loss")]
        self.trackers["loss"].update_state(ops.sum(ops.stack(phase_losses)))
        for name, value in results.items():
            self.trackers[name].update_state(value)
        return per_replica_logs({m.name: m.result() for m in self.metrics})

    def _unpack(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        return x, self._labels(y)

    def train_step(self, data):
        """One step of the phases of section 2, each with its optimizer."""
        x, labels = self._unpack(data)
        step_draws = self._draw_step_randomness(x, labels)
        phases = self._phase_runner(self._train_phases)
        return self._update_metrics(phases(x, labels, step_draws))

    def _test_results(self, x, labels):
        codes = self._inference_codes(x)
        reconstruction = self._weighted_reconstruction(
            x, self.decoder(self._decoder_input(codes, labels), training=False)
        )
        reals = [
            self._prior_draws(part, ops.shape(x)[0], labels)
            for part in self.regularized_parts()
        ]
        discriminator, accuracy = self._discriminator_loss(
            reals, self._split_codes(codes), labels, training=False
        )
        return {
            "reconstruction_loss": reconstruction,
            "discriminator_loss": discriminator,
            "generator_loss": self._generator_loss(codes, labels),
            "discriminator_accuracy": accuracy,
            **self._sample_test_results(x, labels),
        }

    def test_step(self, data):
        """The phases' losses and accuracies on a batch, no updates."""
        return self._update_metrics(self._test_results(*self._unpack(data)))
