"""The adversarial autoencoder as one subclassed `keras.Model`.

Training follows Makhzani et al. (2015), section 2: every batch runs a
reconstruction phase, then a regularization phase in two steps (the
discriminator learns to tell prior samples from codes, then the encoder, as
the generator, learns to fool it). Each phase has its own optimizer.
"""

import collections
import copy
import os

import keras
import numpy as np
from keras import ops

from keras_aae import priors as priors_lib
from keras_aae._io import atomic_path
from keras_aae._validation import check_non_negative_number
from keras_aae._validation import check_positive_int
from keras_aae._validation import check_positive_number

# Defaults chosen on MNIST with the seed tutorial's 784-256-64 MLPs; the
# sweep behind them is in benchmarks/README.md. With the seed's optimizer
# settings (one discriminator step, Adam with beta_1=0.9 at equal rates) the
# game oscillates: the generator overshoots, the discriminator's accuracy
# falls below chance and the codes drift away from the prior. What helped, in
# order of effect: several discriminator steps per batch (it must keep up
# with the encoder), Adam without momentum (beta_1=0: momentum makes both
# players overshoot), and instance noise on the discriminator's inputs (it
# keeps the discriminator's accuracy below 0.9 and its gradient informative).
DEFAULT_RECONSTRUCTION_LEARNING_RATE = 1e-3
DEFAULT_DISCRIMINATOR_LEARNING_RATE = 5e-4
DEFAULT_GENERATOR_LEARNING_RATE = 5e-4
DEFAULT_DISCRIMINATOR_STEPS = 5
DEFAULT_DISCRIMINATOR_NOISE = 1.5
DEFAULT_STEPS_PER_EXECUTION = 32
_ADAM_BETA_1 = 0.0

_RECONSTRUCTION_LOSSES = ("mse", "binary_crossentropy")
_SEED_STATE_KEY = "seed_generator_state"


def _per_example_reconstruction_loss(name, x, x_hat):
    axes = tuple(range(1, len(x.shape)))
    if name == "mse":
        return ops.mean(ops.square(x - x_hat), axis=axes)
    x_hat = ops.clip(x_hat, 1e-7, 1.0 - 1e-7)
    bce = -(x * ops.log(x_hat) + (1.0 - x) * ops.log(1.0 - x_hat))
    return ops.mean(bce, axis=axes)


def _bce_with_logits(target, logits):
    logits = ops.cast(logits, "float32")
    return ops.mean(
        ops.binary_crossentropy(
            ops.full_like(logits, target), logits, from_logits=True
        )
    )


def _prior_scale(prior):
    """The prior's average per-dimension standard deviation (fixed draws)."""
    draws = np.asarray(prior.sample(4096, seed=0))
    return float(np.mean(np.std(draws, axis=0)))


def _default_adam(learning_rate, beta_1=_ADAM_BETA_1):
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1)


@keras.saving.register_keras_serializable(package="keras_aae")
class AdversarialAutoencoder(keras.Model):
    """An autoencoder whose codes are matched to a prior adversarially.

    The model holds an `encoder` (`x -> z`), a `decoder` (`z -> x`), a
    `discriminator` (`z -> logit`, "z came from the prior") and a `prior`.
    `train_step` runs the three phases of the paper's section 2, each with
    its own optimizer, and logs `loss` (the weighted sum of the three losses),
    `reconstruction_loss`, `discriminator_loss`, `generator_loss` and
    `discriminator_accuracy`. Calling the model returns reconstructions.

    Args:
        encoder: A `keras.Model` mapping inputs to codes `(n, latent_dim)`.
        decoder: A `keras.Model` mapping codes back to the input shape.
        discriminator: A `keras.Model` mapping codes to logits `(n, 1)`.
        prior: A `keras_aae.priors.Prior`, a prior name or a config dict; a
            name is built with the encoder's latent size.
        reconstruction_loss: `"mse"` (per pixel) or `"binary_crossentropy"`.
        reconstruction_weight: Non-negative weight of the reconstruction loss.
        adversarial_weight: Non-negative weight of the generator's loss.
        gradient_penalty_weight: Non-negative weight of an R1 penalty on the
            discriminator's gradient at prior samples (0 disables it).
        discriminator_noise: Standard deviation of the Gaussian instance noise
            added to prior samples and codes before the discriminator sees
            them during training, in units of the prior's standard deviation
            (0 disables it).
        discriminator_steps: Positive int, discriminator updates per batch.
        seed: Optional int seeding the prior draws made during training.
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

    # One optimizer per phase; variants with more phases extend this.
    _PHASES = ("reconstruction", "discriminator", "generator")
    # Defaults of the optimizers `compile` creates (Adam at these rates).
    _DEFAULT_LEARNING_RATES = {
        "reconstruction": DEFAULT_RECONSTRUCTION_LEARNING_RATE,
        "discriminator": DEFAULT_DISCRIMINATOR_LEARNING_RATE,
        "generator": DEFAULT_GENERATOR_LEARNING_RATE,
    }
    _ADAM_BETA_1 = _ADAM_BETA_1
    # Constructor arguments that are Keras objects in the config.
    _SERIALIZED = ("encoder", "decoder", "discriminator", "prior")

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
        **kwargs,
    ):
        super().__init__(**kwargs)
        for name, net in (
            ("encoder", encoder),
            ("decoder", decoder),
            ("discriminator", discriminator),
        ):
            if not isinstance(net, keras.Model):
                raise TypeError(
                    f"`{name}` must be a keras.Model. "
                    f"Received: {name}={net!r} of type {type(net).__name__}"
                )
        if reconstruction_loss not in _RECONSTRUCTION_LOSSES:
            raise ValueError(
                f"`reconstruction_loss` must be one of {_RECONSTRUCTION_LOSSES}. "
                f"Received: reconstruction_loss={reconstruction_loss!r}"
            )
        self.encoder = encoder
        self.decoder = decoder
        self.discriminator = discriminator
        self.latent_dim = self._check_networks()
        if isinstance(prior, str):
            prior = priors_lib.get(prior, latent_dim=self._prior_dim())
        self.prior = priors_lib.get(prior)
        if self.prior.latent_dim != self._prior_dim():
            raise ValueError(
                "The prior's latent_dim must equal the size of the code it "
                f"regularizes ({self._prior_dim()}). Received: prior.latent_dim="
                f"{self.prior.latent_dim}"
            )
        self.reconstruction_loss = reconstruction_loss
        self.reconstruction_weight = check_non_negative_number(
            reconstruction_weight, "reconstruction_weight"
        )
        self.adversarial_weight = check_non_negative_number(
            adversarial_weight, "adversarial_weight"
        )
        self.gradient_penalty_weight = check_non_negative_number(
            gradient_penalty_weight, "gradient_penalty_weight"
        )
        self.discriminator_noise = check_non_negative_number(
            discriminator_noise, "discriminator_noise"
        )
        self._noise_stddev = self.discriminator_noise * _prior_scale(self.prior)
        self._check_discriminators()
        self.discriminator_steps = check_positive_int(
            discriminator_steps, "discriminator_steps"
        )
        self.seed = seed
        self.seed_generator = ReplicaSeedGenerator(seed)
        self.reconstruction_optimizer = None
        self._requested_jit_compile = "auto"
        self._jit_phases_fn = None
        self.discriminator_optimizer = None
        self.generator_optimizer = None
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(
            name="reconstruction_loss"
        )
        self.discriminator_loss_tracker = keras.metrics.Mean(
            name="discriminator_loss"
        )
        self.generator_loss_tracker = keras.metrics.Mean(name="generator_loss")
        self.discriminator_accuracy_tracker = keras.metrics.Mean(
            name="discriminator_accuracy"
        )
        # The sub-networks are functional models, already built: so is this.
        self.built = True

    def _check_networks(self):
        enc_out = self.encoder.outputs[0].shape if self.encoder.outputs else None
        dec_in = self.decoder.inputs[0].shape if self.decoder.inputs else None
        if enc_out is None or dec_in is None:
            raise ValueError(
                "The encoder and decoder must be built (functional) models."
            )
        latent_dim = int(enc_out[-1])
        _check_shapes(
            ("decoder input", dec_in[1:], (self._decoder_input_dim(latent_dim),)),
            ("decoder output", self.decoder.outputs[0].shape[1:],
             self.encoder.inputs[0].shape[1:]),
        )
        return latent_dim

    def _check_discriminators(self):
        for part in self._regularized_parts():
            disc = part.discriminator
            _check_shapes(
                (f"{disc.name} input", disc.inputs[0].shape[1:],
                 (self._discriminator_input_dim(part),)),
                (f"{disc.name} output", disc.outputs[0].shape[1:], (1,)),
            )

    # ----------------------------------------------------------- variant hooks
    # The paper's variants (keras_aae.variants) change what each network sees,
    # never the phases: these hooks are where they differ from section 2.

    def _prior_dim(self):
        """Size of the code part that `prior` regularizes."""
        return self.latent_dim

    def _decoder_input_dim(self, latent_dim):
        return latent_dim

    def _regularized_parts(self):
        """The code parts matched to a prior, each by its own discriminator."""
        return [_Part(0, self.latent_dim, self.discriminator, self.prior,
                      self._noise_stddev)]

    def _discriminator_input_dim(self, part):
        return part.size

    def _labels(self, y):
        """The labels the phases use (unsupervised: none, `y` is ignored)."""
        return None

    def _decoder_input(self, codes, labels):
        return codes

    def _discriminator_input(self, part, z, labels):
        return z

    def _prior_draws(self, part, num_samples, labels):
        """`num_samples` prior draws for `part` (a multiple of the batch)."""
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
        return [
            self.loss_tracker,
            self.reconstruction_loss_tracker,
            self.discriminator_loss_tracker,
            self.generator_loss_tracker,
            self.discriminator_accuracy_tracker,
        ]

    def call(self, inputs, training=False):
        """Returns the reconstructions of `inputs`."""
        x, labels = self._split_inputs(inputs)
        codes = self.encoder(x, training=training)
        return self.decoder(self._decoder_input(codes, labels), training=training)

    def _split_inputs(self, inputs):
        return inputs, None

    def reconstruct(self, x, labels=None, batch_size=256):
        """Returns the reconstructions of `x` as a numpy array.

        Args:
            x: Images.
            labels: Int labels, for models whose decoder reads them.
            batch_size: Positive int.
        """
        codes = self._decoder_input(self.encode(x, batch_size), self._labels(labels))
        return self.decode(ops.convert_to_numpy(codes), batch_size)

    def encode(self, x, batch_size=256):
        """Returns the codes of `x` as a numpy array."""
        return self.encoder.predict(x, batch_size=batch_size, verbose=0)

    def decode(self, z, batch_size=256):
        """Returns the decoded images of codes `z` as a numpy array."""
        return self.decoder.predict(z, batch_size=batch_size, verbose=0)

    def generate(self, num_samples, seed=None):
        """Decodes `num_samples` prior draws.

        Args:
            num_samples: Positive int.
            seed: Optional int; the same seed gives the same images.

        Returns:
            A numpy array of images.
        """
        return self.decode(np.asarray(self.sample_codes(num_samples, seed=seed)))

    def sample_codes(self, num_samples, seed=None):
        """Draws `num_samples` decoder inputs from `decoder_prior`."""
        return self.decoder_prior.sample(num_samples, seed=seed)

    # ------------------------------------------------------------------ compile

    def compile(
        self,
        reconstruction_optimizer=None,
        discriminator_optimizer=None,
        generator_optimizer=None,
        reconstruction_learning_rate=None,
        discriminator_learning_rate=None,
        generator_learning_rate=None,
        **kwargs,
    ):
        """Configures one optimizer per training phase.

        An optimizer left as None is Adam (beta_1=0; the label-informed
        variant uses 0.5) at the phase's learning rate; a rate left as None is
        the model's default (1e-3 for reconstruction, 5e-4 for the
        adversarial phases; 2e-3 in the label-informed variant). Each optimizer is built on its own phase's variables
        here, so saved optimizer state is restored by `load_model` and
        `BackupAndRestore` instead of being skipped.

        Args:
            reconstruction_optimizer: Optimizer (or name) for encoder+decoder.
            discriminator_optimizer: Optimizer (or name) for the discriminator.
            generator_optimizer: Optimizer (or name) for the encoder as
                generator.
            reconstruction_learning_rate: Learning rate of the default
                reconstruction optimizer (used when that optimizer is None).
            discriminator_learning_rate: Learning rate of the default
                discriminator optimizer (used when that optimizer is None).
            generator_learning_rate: Learning rate of the default generator
                optimizer (used when that optimizer is None).
            **kwargs: Passed to `keras.Model.compile`, e.g.
                `steps_per_execution`, `jit_compile`, `run_eagerly`. `loss`,
                `optimizer` and `metrics` are not accepted: the model defines
                its own.

        Raises:
            ValueError: On a non-positive learning rate, one optimizer given
                for two phases, or an argument the model defines itself.

        Example:

        >>> # model.compile(discriminator_learning_rate=2e-4,
        >>> #               steps_per_execution=16)
        """
        for key in ("loss", "optimizer", "metrics", "loss_weights"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"AdversarialAutoencoder.compile does not take `{key}`; "
                    "use reconstruction_optimizer, discriminator_optimizer and "
                    f"generator_optimizer. Received: {key}={kwargs[key]!r}"
                )
            kwargs.pop(key, None)
        rates = {
            "reconstruction": reconstruction_learning_rate,
            "discriminator": discriminator_learning_rate,
            "generator": generator_learning_rate,
        }
        given = {
            "reconstruction": reconstruction_optimizer,
            "discriminator": discriminator_optimizer,
            "generator": generator_optimizer,
        }
        # Variants with more phases take `<phase>_optimizer` and
        # `<phase>_learning_rate` for each of them.
        for phase in self._PHASES[len(rates):]:
            given[phase] = kwargs.pop(f"{phase}_optimizer", None)
            rates[phase] = kwargs.pop(f"{phase}_learning_rate", None)
        optimizers = {}
        for phase in self._PHASES:
            rate = rates[phase]
            if rate is None:
                rate = self._DEFAULT_LEARNING_RATES.get(
                    phase, DEFAULT_RECONSTRUCTION_LEARNING_RATE
                )
            rate = check_positive_number(rate, f"{phase}_learning_rate")
            if given[phase] is None:
                optimizers[phase] = _default_adam(rate, self._ADAM_BETA_1)
            else:
                optimizers[phase] = keras.optimizers.get(given[phase])
        if len({id(o) for o in optimizers.values()}) < len(optimizers):
            raise ValueError(
                "Each phase needs its own optimizer instance (an optimizer is "
                "bound to the variables it was built on). Received the same "
                "optimizer for two phases."
            )
        if self._needs_loss_scaling():
            # Keras wraps only `self.optimizer`; every phase's float16
            # gradients need a loss scale, or small ones underflow to zero.
            optimizers = {
                phase: o if isinstance(o, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(o)
                for phase, o in optimizers.items()
            }
        for phase, optimizer in optimizers.items():
            setattr(self, f"{phase}_optimizer", optimizer)
        kwargs["steps_per_execution"] = _steps_per_execution(
            kwargs.get("steps_per_execution")
        )
        self._requested_jit_compile = kwargs.get("jit_compile", "auto")
        # Keras' `optimizer` is the reconstruction optimizer, so `summary()`
        # and callbacks that read `model.optimizer` see a real one.
        super().compile(optimizer=self.reconstruction_optimizer, **kwargs)
        self.reconstruction_optimizer = self.optimizer
        self._build_optimizers()

    def _needs_loss_scaling(self):
        return any(
            net.dtype_policy.name == "mixed_float16"
            for net in (self, self.encoder, self.decoder, self.discriminator)
        )

    def _compile_phases(self):
        """Whether the training phases run XLA-compiled inside the step.

        With `jit_compile="auto"` (the default) on a machine where Keras
        would not use XLA (a CPU), the phases, which are dense math and many
        small optimizer updates, are compiled with XLA while the random draws
        stay in TensorFlow's kernels, where they are much faster. This is
        about 1.8x faster than either plain mode on a 2-core CPU. Not under a
        distribution strategy (optimizer updates there synchronize replicas)
        nor with op determinism (XLA does not promise it).
        """
        import tensorflow as tf

        if self._requested_jit_compile != "auto" or self.jit_compile:
            return False
        if self.run_eagerly or tf.distribute.has_strategy():
            return False
        if self._needs_loss_scaling():
            return False
        return not _op_determinism_enabled()

    @property
    def _jit_phases(self):
        import tensorflow as tf

        if getattr(self, "_jit_phases_fn", None) is None:
            self._jit_phases_fn = tf.function(self._train_phases, jit_compile=True)
        return self._jit_phases_fn

    def _phase_variables(self):
        return {
            "reconstruction": self.encoder.trainable_variables
            + self.decoder.trainable_variables,
            "discriminator": [
                v
                for part in self._regularized_parts()
                for v in part.discriminator.trainable_variables
            ],
            "generator": self.encoder.trainable_variables,
        }

    def _build_optimizers(self):
        variables = self._phase_variables()
        for phase in self._PHASES:
            optimizer = getattr(self, f"{phase}_optimizer")
            if not optimizer.built:
                optimizer.build(variables[phase])

    def get_compile_config(self):
        if not self.compiled:
            return None
        config = {
            f"{phase}_optimizer": keras.saving.serialize_keras_object(
                getattr(self, f"{phase}_optimizer")
            )
            for phase in self._PHASES
        }
        config["steps_per_execution"] = self.steps_per_execution
        config["jit_compile"] = self._requested_jit_compile
        config["run_eagerly"] = self.run_eagerly
        return config

    def compile_from_config(self, config):
        import tensorflow as tf

        config = dict(config)
        if tf.distribute.has_strategy():
            # Saved outside a strategy with several steps per execution.
            config.pop("steps_per_execution", None)
        for phase in self._PHASES:
            key = f"{phase}_optimizer"
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    # ------------------------------------------------------------------- state

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model like `keras.Model.save`, atomically.

        The file is written beside `filepath` and renamed onto it, so a
        crash never leaves a half-written model where a good one was; this
        holds for `keras.callbacks.ModelCheckpoint` too, which calls it.
        """
        if not overwrite and os.path.exists(filepath):
            return super().save(filepath, overwrite=False, **kwargs)
        with atomic_path(filepath) as tmp:
            super().save(tmp, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Saves the weights like `keras.Model.save_weights`, atomically."""
        if not overwrite and os.path.exists(filepath):
            return super().save_weights(filepath, overwrite=False, **kwargs)
        with atomic_path(filepath) as tmp:
            super().save_weights(tmp, **kwargs)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        # Keras does not save SeedGenerator state; without it a reloaded
        # model would repeat the prior draws it made after its last save.
        store[_SEED_STATE_KEY] = np.asarray(self.seed_generator.state.numpy())

    def load_own_variables(self, store):
        if _SEED_STATE_KEY in store.keys():
            self.seed_generator.state.assign(store[_SEED_STATE_KEY])

    # -------------------------------------------------------------- fit checks

    def fit(self, x=None, y=None, *args, **kwargs):
        """Trains the model; arguments as in `keras.Model.fit`.

        The training data is checked before the first step: numeric, finite,
        non-empty, shaped like the encoder's input, in [0, 1] when the decoder
        ends in a sigmoid, and labels in range for models that read them.
        Numpy arrays and tensors are checked whole; for a `tf.data.Dataset`
        the element shapes and the first batch are.

        Raises:
            ValueError: On data that does not fit the model.
            TypeError: On non-numeric data.
        """
        self._check_data(x, y, "x")
        return super().fit(x, y, *args, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """Scores the model; arguments as in `keras.Model.evaluate`.

        The data is checked as in `fit`.
        """
        self._check_data(x, y, "x")
        return super().evaluate(x, y, *args, **kwargs)

    def _label_bounds(self):
        """The inclusive `(low, high)` range of labels, or None if unused."""
        return None

    def _check_data(self, x, y, name):
        from keras_aae import data

        data.check_training_data(
            x,
            y,
            input_shape=tuple(self.encoder.inputs[0].shape[1:]),
            unit_interval=_ends_in_sigmoid(self.decoder),
            label_bounds=self._label_bounds(),
            name=name,
        )

    # -------------------------------------------------------------- train step

    def _weighted_reconstruction(self, x, x_hat):
        # Losses in float32 also under a mixed-precision dtype policy.
        per_example = _per_example_reconstruction_loss(
            self.reconstruction_loss, ops.cast(x, "float32"), ops.cast(x_hat, "float32")
        )
        return self.reconstruction_weight * ops.mean(per_example)

    def _draw_step_randomness(self, batch_size, labels):
        """All random numbers one training step uses, in one pass.

        Drawing once per step (not once per discriminator step) matters for
        speed: each `keras.random` call with a `SeedGenerator` costs tens of
        microseconds on a CPU, and XLA's CPU random number generator is an
        order of magnitude slower than TensorFlow's, so the draws are made
        here, outside the XLA-compiled phases.

        Returns:
            A tuple `(real_codes, noise)` of lists with one entry per
            regularized code part: prior samples of shape
            `(discriminator_steps, batch_size, size)`, and instance noise of
            shape `(2 * discriminator_steps + 1, batch_size, size)` (real and
            fake for each discriminator step, then the generator's) or None
            when the part has no noise.
        """
        steps = self.discriminator_steps
        real_codes, noise = [], []
        for part in self._regularized_parts():
            draws = self._prior_draws(part, steps * batch_size, labels)
            real_codes.append(ops.reshape(draws, (steps, batch_size, part.size)))
            noise.append(
                None
                if not part.noise_stddev
                else part.noise_stddev
                * keras.random.normal(
                    (2 * steps + 1, batch_size, part.size), seed=self.seed_generator
                )
            )
        return real_codes, noise

    def _split_codes(self, codes):
        return [codes[:, p.start : p.start + p.size] for p in self._regularized_parts()]

    def _gradient_scale(self, phase, loss):
        """The factor between `loss` and the loss whose gradient is applied.

        Under a distribution strategy each replica's gradients are summed,
        so each replica's mean loss is divided by the number of replicas: the
        update is that of the mean over the global batch
        (`tf.nn.compute_average_loss`). Under a `mixed_float16` policy the
        loss is also multiplied by the phase optimizer's loss scale, which
        its `apply` divides out again.
        """
        import tensorflow as tf

        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        optimizer = getattr(self, f"{phase}_optimizer")
        return optimizer.scale_loss(ops.ones_like(loss)) / replicas

    def _minimize(self, phase, tape, loss, variables):
        """One step of `phase`'s optimizer on `loss`, recorded by `tape`."""
        grads = tape.gradient(
            loss, variables, output_gradients=self._gradient_scale(phase, loss)
        )
        getattr(self, f"{phase}_optimizer").apply(grads, variables)

    def _reconstruction_phase(self, x, labels):
        """Section 2, reconstruction phase: encoder and decoder step on the
        reconstruction loss.

        Returns:
            `(loss, codes, tape)`: the codes of this forward pass and the
            persistent tape that recorded it, which the generator phase
            reuses instead of running the encoder again.
        """
        variables = self._phase_variables()["reconstruction"]
        with _tape(persistent=True) as tape:
            codes = ops.cast(self.encoder(x, training=True), "float32")
            x_hat = self.decoder(self._decoder_input(codes, labels), training=True)
            loss = self._weighted_reconstruction(x, x_hat) + self._penalty()
        self._minimize("reconstruction", tape, loss, variables)
        return loss, codes, tape

    def _discriminator_loss(self, reals, fakes, labels, noise=None):
        """Binary cross-entropy of the discriminators and their accuracy.

        Args:
            reals: Prior samples, one tensor per code part (labelled 1).
            fakes: Codes, one tensor per code part (labelled 0).
            labels: The batch's labels, or None.
            noise: Optional `(real, fake)` instance noise pairs per part
                (entries may be None); given during training only.

        Returns:
            `(loss, accuracy)`: the sum of the parts' losses and the mean of
            their accuracies.
        """
        losses, accuracies = [], []
        for i, part in enumerate(self._regularized_parts()):
            z_real, z_fake = reals[i], fakes[i]
            training = noise is not None
            if training and noise[i] is not None:
                z_real, z_fake = z_real + noise[i][0], z_fake + noise[i][1]
            z_real = self._discriminator_input(part, z_real, labels)
            z_fake = self._discriminator_input(part, z_fake, labels)
            penalty = 0.0
            if self.gradient_penalty_weight and training:
                real_logits, penalty = self._real_logits_and_penalty(part, z_real)
            else:
                real_logits = part.discriminator(z_real, training=training)
            fake_logits = part.discriminator(z_fake, training=training)
            losses.append(
                0.5 * (_bce_with_logits(1.0, real_logits)
                       + _bce_with_logits(0.0, fake_logits))
                + penalty
            )
            accuracies.append(ops.mean(ops.concatenate(
                [ops.cast(real_logits > 0, "float32"),
                 ops.cast(fake_logits <= 0, "float32")],
                axis=0,
            )))
        return ops.sum(ops.stack(losses)), ops.mean(ops.stack(accuracies))

    def _real_logits_and_penalty(self, part, z_real):
        # R1 penalty (Mescheder et al., 2018): the squared gradient norm of
        # the discriminator at (blurred) prior samples, a common GAN
        # stabilizer. Off by default: on the seed setup it let the
        # discriminator win (benchmarks/README.md).
        with _tape() as tape:
            tape.watch(z_real)
            real_logits = part.discriminator(z_real, training=True)
            total = ops.sum(real_logits)
        grads = tape.gradient(total, z_real)
        penalty = 0.5 * self.gradient_penalty_weight * ops.mean(
            ops.sum(ops.square(grads), axis=-1)
        )
        return real_logits, penalty

    def _discriminator_phase(self, codes, labels, real_codes, noise):
        """Section 2, regularization phase, first step: the discriminators
        learn to tell prior samples from codes.

        Each of the `discriminator_steps` updates sees fresh prior samples and
        fresh instance noise (Sonderby et al., 2016: codes from a deterministic
        encoder lie on a thin manifold that a discriminator separates from any
        full-rank prior perfectly, and then its gradient says nothing useful;
        blurring both sides keeps it informative). The codes are this batch's,
        reused: the discriminator is small next to the encoder. The first
        step's loss and accuracy are reported, measured before any update.
        """
        variables = self._phase_variables()["discriminator"]
        fakes = self._split_codes(ops.stop_gradient(codes))
        reported = None
        for step in range(self.discriminator_steps):
            step_noise = [
                None if n is None else (n[2 * step], n[2 * step + 1]) for n in noise
            ]
            with _tape() as tape:
                loss, accuracy = self._discriminator_loss(
                    [r[step] for r in real_codes], fakes, labels, step_noise
                )
            self._minimize("discriminator", tape, loss, variables)
            if reported is None:
                reported = (loss, accuracy)
        return reported

    def _generator_loss(self, codes, labels, noise=None):
        losses = []
        for i, (part, z) in enumerate(zip(self._regularized_parts(),
                                          self._split_codes(codes))):
            if noise is not None and noise[i] is not None:
                z = z + noise[i]
            logits = part.discriminator(
                self._discriminator_input(part, z, labels), training=noise is not None
            )
            losses.append(_bce_with_logits(1.0, logits))
        return self.adversarial_weight * ops.sum(ops.stack(losses))

    def _generator_phase(self, codes, labels, tape, noise):
        """Section 2, regularization phase, second step: the encoder, as the
        generator, learns to fool the updated discriminators.

        The gradient reaches the encoder through the reconstruction phase's
        tape: the discriminator's gradient at the codes is pulled back through
        the recorded encoder pass, which saves a second encoder forward pass.
        Like a joint update of both losses, it is taken at the encoder weights
        from the start of the step.
        """
        variables = self._phase_variables()["generator"]
        codes_in = ops.stop_gradient(codes)
        with _tape() as code_tape:
            code_tape.watch(codes_in)
            loss = self._generator_loss(codes_in, labels, noise)
        code_grads = code_tape.gradient(
            loss, codes_in, output_gradients=self._gradient_scale("generator", loss)
        )
        grads = tape.gradient(codes, variables, output_gradients=code_grads)
        self.generator_optimizer.apply(grads, variables)
        return loss

    def _train_phases(self, x, labels, real_codes, noise):
        """The paper's phases on one batch; returns the logged values."""
        reconstruction, codes, tape = self._reconstruction_phase(x, labels)
        discriminator, accuracy = self._discriminator_phase(
            codes, labels, real_codes, noise
        )
        generator_noise = [None if n is None else n[-1] for n in noise]
        generator = self._generator_phase(codes, labels, tape, generator_noise)
        return {
            "reconstruction_loss": reconstruction,
            "discriminator_loss": discriminator,
            "generator_loss": generator,
            "discriminator_accuracy": accuracy,
        }

    def _update_metrics(self, results):
        # `loss` is the sum of the phases' losses; accuracies are not losses.
        self.loss_tracker.update_state(
            ops.sum(ops.stack([v for k, v in results.items() if k.endswith("_loss")]))
        )
        trackers = {m.name: m for m in self.metrics}
        for name, value in results.items():
            trackers[name].update_state(value)
        return {m.name: m.result() for m in self.metrics}

    def _unpack(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        return x, self._labels(y)

    def train_step(self, data):
        x, labels = self._unpack(data)
        real_codes, noise = self._draw_step_randomness(ops.shape(x)[0], labels)
        phases = self._train_phases
        if self._compile_phases():
            phases = self._jit_phases
        return _per_replica_logs(self._update_metrics(phases(x, labels, real_codes, noise)))

    def _test_results(self, x, labels):
        codes = ops.cast(self.encoder(x, training=False), "float32")
        reconstruction = self._weighted_reconstruction(
            x, self.decoder(self._decoder_input(codes, labels), training=False)
        )
        reals = [
            self._prior_draws(part, ops.shape(x)[0], labels)
            for part in self._regularized_parts()
        ]
        discriminator, accuracy = self._discriminator_loss(
            reals, self._split_codes(codes), labels
        )
        return {
            "reconstruction_loss": reconstruction,
            "discriminator_loss": discriminator,
            "generator_loss": self._generator_loss(codes, labels),
            "discriminator_accuracy": accuracy,
        }

    def test_step(self, data):
        return _per_replica_logs(
            self._update_metrics(self._test_results(*self._unpack(data)))
        )

    def predict_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ----------------------------------------------------------- serialization

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
                "discriminator": keras.saving.serialize_keras_object(
                    self.discriminator
                ),
                "prior": keras.saving.serialize_keras_object(self.prior),
                "reconstruction_loss": self.reconstruction_loss,
                "reconstruction_weight": self.reconstruction_weight,
                "adversarial_weight": self.adversarial_weight,
                "gradient_penalty_weight": self.gradient_penalty_weight,
                "discriminator_noise": self.discriminator_noise,
                "discriminator_steps": self.discriminator_steps,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        # Keras' deserialization consumes nested dicts: work on a copy.
        config = copy.deepcopy(config)
        for key in cls._SERIALIZED:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def load_model(filepath, **kwargs):
    """Loads a saved `.keras` model, with one clear error if it cannot.

    Args:
        filepath: Path of a `.keras` file written by `model.save`.
        **kwargs: Passed to `keras.models.load_model`.

    Returns:
        The model (an `AdversarialAutoencoder` or a variant).

    Raises:
        ValueError: If the file is missing, truncated, corrupt or not a Keras
            model; the message names the file and what to do.

    Example:

    >>> # model = keras_aae.load_model("runs/mnist/model.keras")
    """
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise ValueError(
            f"There is no model file at {path!r}; pass the model.keras that "
            "`model.save` or `keras-aae train` wrote."
        )
    try:
        return keras.models.load_model(path, **kwargs)
    except Exception as error:  # a truncated zip, a foreign file, ...
        raise ValueError(
            f"Could not load {path!r}: it is truncated, corrupt or not a "
            f"keras-aae model ({' '.join(str(error).split())[:300]}). Restore it "
            "from a copy, or retrain; a training backup resumes with the same "
            "`keras-aae train` command."
        ) from None


@keras.saving.register_keras_serializable(package="keras_aae")
class ReplicaSeedGenerator(keras.random.SeedGenerator):
    """A `keras.random.SeedGenerator` that gives each replica its own draws.

    Under a `tf.distribute` strategy every replica runs the same step with
    the same (mirrored) generator state, so a plain `SeedGenerator` hands all
    replicas the same seed and they draw identical prior samples: the global
    batch then holds each prior sample once per replica. This generator
    folds the replica's index into the seed it returns. Replica 0, and any
    code outside a strategy, gets exactly the seeds of a `SeedGenerator`.

    Example:

    >>> gen = ReplicaSeedGenerator(seed=1)
    >>> z = keras.random.normal((4, 2), seed=gen)
    """

    # Any odd constant far from the small seeds users pass works.
    _REPLICA_STRIDE = 1_000_003

    def next(self, ordered=True):
        seed = super().next(ordered=ordered)
        replica = _replica_id()
        if replica is None:
            return seed
        offset = ops.cast(replica, seed.dtype) * self._REPLICA_STRIDE
        return seed + ops.stack([offset, ops.zeros_like(offset)])


def _replica_id():
    """The replica's index inside a strategy's step, or None outside one."""
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or not tf.distribute.has_strategy():
        return None
    return context.replica_id_in_sync_group


def _per_replica_logs(logs):
    """`logs` in the shape Keras can reduce under the current strategy."""
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    extended = getattr(strategy, "extended", None)
    multi_worker = getattr(extended, "_in_multi_worker_mode", lambda: False)
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and multi_worker():
        # Keras reduces a multi-worker step's logs with
        # `strategy.reduce("MEAN", value, axis=0)`, which needs an axis.
        return {name: ops.reshape(value, (1,)) for name, value in logs.items()}
    return logs


def _steps_per_execution(requested):
    """`steps_per_execution` for `compile`: 32 alone, 1 under a strategy."""
    import tensorflow as tf

    if not tf.distribute.has_strategy():
        # Several steps per call to the compiled function: with small MLPs a
        # step takes milliseconds, and the per-call overhead of `fit` would
        # otherwise cost about a third of the time (benchmarks/README.md).
        return DEFAULT_STEPS_PER_EXECUTION if requested is None else requested
    if requested not in (None, 1):
        # Keras' multi-step loop puts each optimizer update inside a
        # `tf.cond`, where a strategy's cross-replica merge fails
        # (keras-team/keras#19246: "You must feed a value for placeholder").
        raise ValueError(
            "`steps_per_execution` must be 1 under a tf.distribute strategy "
            f"(keras-team/keras#19246). Received: steps_per_execution={requested}"
        )
    return 1


def _ends_in_sigmoid(network):
    """Whether `network`'s output comes out of a sigmoid (ignoring reshapes)."""
    for layer in reversed(network.layers):
        activation = getattr(layer, "activation", None)
        if activation is not None:
            return getattr(activation, "__name__", "") == "sigmoid"
        if not isinstance(layer, (keras.layers.Reshape, keras.layers.Flatten,
                                  keras.layers.Cropping2D)):
            return False
    return False


class _Part(collections.namedtuple(
        "_Part", ["start", "size", "discriminator", "prior", "noise_stddev"])):
    """A slice of the code, matched to `prior` by `discriminator`."""


def _check_shapes(*checks):
    for what, got, expected in checks:
        if tuple(got) != tuple(expected):
            raise ValueError(
                f"The {what} shape must be {tuple(expected)} to fit the "
                f"other networks. Received: {what} shape {tuple(got)}"
            )


def _op_determinism_enabled():
    try:
        from tensorflow.python.framework import config
    except ImportError:  # pragma: no cover - private module moved
        return False
    return config.is_op_determinism_enabled()


def _tape(persistent=False):
    # The model is written against the TensorFlow backend (see setup.cfg).
    import tensorflow as tf

    return tf.GradientTape(persistent=persistent)
