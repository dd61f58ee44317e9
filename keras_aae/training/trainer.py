"""A `keras.Model` mixin for models trained in phases, one optimizer each.

Keras' trainer compiles a model with one optimizer, wraps it for mixed
precision, picks `steps_per_execution` and XLA, and saves the optimizer in
the model's compile config. A model whose `train_step` runs several phases
(the adversarial autoencoder's reconstruction, discriminator and generator
phases) needs the same for every phase's optimizer: that lives here, so
that the model class holds only the paper's algorithm.

A model using it defines `_PHASES` (phase names), `_DEFAULT_LEARNING_RATES`
(phase -> rate), `_ADAM_BETA_1`, `_DEFAULT_WEIGHT_AVERAGES` (phase -> the
momentum of the default Adam's weight average, for the phases that keep
one), `_phase_variables()` (phase -> the variables its optimizer updates)
and `_data_spec()` (what `fit` checks).
"""

import keras
import numpy as np
import tensorflow as tf

from keras_aae._validation import check_positive_number
from keras_aae.data import as_dataset
from keras_aae.data import check_training_data
from keras_aae.training import distribution
from keras_aae.training import precision
from keras_aae.training import xla

_RESERVED = ("loss", "optimizer", "metrics", "loss_weights")
# `fit` arguments that Keras' array pipeline handles and `as_dataset` not.
_ARRAY_ONLY = ("sample_weight", "class_weight", "steps_per_epoch")


def _plain_arrays(x, y, fit_kwargs):
    """Whether `fit(x, y, **fit_kwargs)` is numpy arrays that
    `keras_aae.data.as_dataset` batches the way Keras would."""
    if not isinstance(x, np.ndarray):
        return False
    if y is not None and not isinstance(y, np.ndarray):
        return False
    if fit_kwargs.get("validation_split"):
        return False
    if fit_kwargs.get("shuffle", True) not in (True, False):
        return False  # "batch" shuffling
    return all(fit_kwargs.get(key) is None for key in _ARRAY_ONLY)


class PhaseTrainer:
    """Per-phase optimizers, their compile config, scaling and XLA.

    Example:

    >>> # class MyModel(PhaseTrainer, keras.Model):
    >>> #     _PHASES = ("reconstruction", "discriminator")
    >>> #     ...
    >>> # model.compile(discriminator_learning_rate=2e-4)
    """

    _PHASES = ()
    _DEFAULT_LEARNING_RATES = {}
    _ADAM_BETA_1 = 0.9
    _DEFAULT_WEIGHT_AVERAGES = {}
    # Set by `compile`.
    _requested_jit_compile = "auto"
    _loss_scaled = False
    _jit_phases = None

    def compile(self, **kwargs):
        """Configures one optimizer per training phase.

        For each phase `p` of the model's `_PHASES` (the adversarial
        autoencoder: `reconstruction`, `discriminator`, `generator`; the
        semi-supervised models add `classification`):

        - `p_optimizer`: an optimizer, its name or config; default: Adam at
          `p_learning_rate`, with the model's `beta_1`;
        - `p_learning_rate`: that Adam's rate; default: the model's rate for
          the phase (`_DEFAULT_LEARNING_RATES`).

        The default Adam of a phase in `_DEFAULT_WEIGHT_AVERAGES` keeps a
        moving average of its variables (`use_ema=True` at that momentum),
        which `fit` leaves in them when it returns.

        Each optimizer is built on its own phase's variables here, so saved
        optimizer state is restored by `load_model` and `BackupAndRestore`
        instead of being skipped (Keras skips unbuilt optimizers).

        Args:
            **kwargs: The phases' optimizers and rates, and the arguments of
                `keras.Model.compile` (`steps_per_execution`, `jit_compile`,
                `run_eagerly`, ...). `loss`, `optimizer` and `metrics` are
                not accepted: the model defines its own.

        Raises:
            ValueError: On a non-positive learning rate, one optimizer given
                for two phases, or an argument the model defines itself.

        Example:

        >>> # model.compile(discriminator_learning_rate=2e-4,
        >>> #               steps_per_execution=16)
        """
        for key in _RESERVED:
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"{type(self).__name__}.compile does not take `{key}`: "
                    "each phase has its own optimizer argument "
                    f"({', '.join(p + '_optimizer' for p in self._PHASES)}). "
                    f"Received: {key}={kwargs[key]!r}"
                )
            kwargs.pop(key, None)
        optimizers = {
            phase: self._phase_optimizer(
                phase,
                kwargs.pop(f"{phase}_optimizer", None),
                kwargs.pop(f"{phase}_learning_rate", None),
            )
            for phase in self._PHASES
        }
        if len({id(o) for o in optimizers.values()}) < len(optimizers):
            raise ValueError(
                "Each phase needs its own optimizer instance (an optimizer is "
                "bound to the variables it was built on). Received the same "
                "optimizer for two phases."
            )
        self._loss_scaled = precision.needs_loss_scaling(self, *self.layers)
        for phase, optimizer in optimizers.items():
            if self._loss_scaled:
                optimizer = precision.loss_scaled(optimizer)
            setattr(self, f"{phase}_optimizer", optimizer)
        kwargs["steps_per_execution"] = distribution.steps_per_execution(
            kwargs.get("steps_per_execution")
        )
        self._requested_jit_compile = kwargs.get("jit_compile", "auto")
        self._jit_phases = None
        # Keras' `optimizer` is the first phase's, so `summary()` and
        # callbacks that read `model.optimizer` see a real one.
        first = f"{self._PHASES[0]}_optimizer"
        super().compile(optimizer=getattr(self, first), **kwargs)
        setattr(self, first, self.optimizer)
        variables = self._phase_variables()
        for phase in self._PHASES:
            optimizer = getattr(self, f"{phase}_optimizer")
            if not optimizer.built:
                optimizer.build(variables[phase])
        self._check_first_phase_average(variables[self._PHASES[0]])

    def _check_first_phase_average(self, first_variables):
        """Keras' `fit` ends by writing the first optimizer's weight
        averages (`use_ema=True`) into `model.trainable_weights` position by
        position; that is right only if the first phase's variables lead
        that list in the same order."""
        if not getattr(self.optimizer, "use_ema", False):
            return
        leading = self.trainable_weights[: len(first_variables)]
        if [id(v) for v in leading] != [id(v) for v in first_variables]:
            raise ValueError(
                f"The {self._PHASES[0]} optimizer's weight averages "
                "(use_ema=True) would be written into the wrong variables: "
                f"{type(self).__name__}'s trainable weights must start with "
                f"the {self._PHASES[0]} phase's variables. Received: "
                f"{[v.path for v in leading[:3]]}..."
            )

    def _finalize_later_phases(self):
        """Writes each later phase optimizer's weight averages
        (`use_ema=True`) into its own variables; Keras' `fit` does it for
        the first phase's optimizer only."""
        variables = self._phase_variables()
        for phase in self._PHASES[1:]:
            optimizer = getattr(self, f"{phase}_optimizer")
            if getattr(optimizer, "use_ema", False):
                optimizer.finalize_variable_values(variables[phase])

    def _phase_optimizer(self, phase, optimizer, learning_rate):
        """`optimizer`, or Adam at `learning_rate` (None: the default)."""
        if learning_rate is None:
            learning_rate = self._DEFAULT_LEARNING_RATES[phase]
        learning_rate = check_positive_number(
            learning_rate, f"{phase}_learning_rate"
        )
        if optimizer is None:
            momentum = self._DEFAULT_WEIGHT_AVERAGES.get(phase)
            average = {} if momentum is None else {"ema_momentum": momentum}
            return keras.optimizers.Adam(
                learning_rate=learning_rate,
                beta_1=self._ADAM_BETA_1,
                use_ema=bool(average),
                **average,
            )
        return keras.optimizers.get(optimizer)

    def get_compile_config(self):
        """Every phase's optimizer, with its state saved by `.keras`."""
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
        """Compiles a loaded model as `get_compile_config` recorded."""
        config = dict(config)
        if tf.distribute.has_strategy():
            # Saved outside a strategy with several steps per execution.
            config.pop("steps_per_execution", None)
        for phase in self._PHASES:
            key = f"{phase}_optimizer"
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    def fit(self, x=None, y=None, *args, **kwargs):
        """Trains the model; arguments as in `keras.Model.fit`.

        The data is checked first (`keras_aae.data.check_training_data`):
        numeric, finite, non-empty, shaped like the encoder's input, in
        [0, 1] when the decoder ends in a sigmoid, labels in range for the
        models that read them. Numpy arrays are checked whole, a
        `tf.data.Dataset` by its element spec and first batch.

        An optimizer with `use_ema=True` leaves its phase's variables at
        their moving average when `fit` returns, as Keras does for a model's
        one optimizer.

        Numpy arrays without sample or class weights, a validation split or
        `steps_per_epoch` are batched by `keras_aae.data.as_dataset`
        (shuffled each epoch unless `shuffle=False`): Keras' own array
        pipeline prefetches with tf.data autotuning, whose iterator teardown
        delayed about one epoch start in three by 2-5 s on a 2-core CPU.

        Raises:
            ValueError: On data that does not fit the model.
            TypeError: On non-numeric data.
        """
        check_training_data(x, y, **self._data_spec())
        if not args and _plain_arrays(x, y, kwargs):
            x = as_dataset(
                x,
                y,
                batch_size=kwargs.pop("batch_size", None) or 32,
                shuffle=kwargs.pop("shuffle", True),
            )
            # Shuffled above; Keras warns about `shuffle` with a dataset.
            y, kwargs["shuffle"] = None, False
        elif not args and isinstance(x, tf.data.Dataset):
            # Keras ignores `shuffle` for a dataset, and warns at its default.
            kwargs.setdefault("shuffle", False)
        history = super().fit(x, y, *args, **kwargs)
        if history.epoch:
            self._finalize_later_phases()
        return history

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """Scores the model; arguments as in `keras.Model.evaluate`; the
        data is checked as in `fit`."""
        check_training_data(x, y, **self._data_spec())
        return super().evaluate(x, y, *args, **kwargs)

    def _minimize(self, phase, tape, loss, variables):
        """One step of `phase`'s optimizer on `loss`, recorded by `tape`."""
        grads = tape.gradient(
            loss, variables, output_gradients=self._gradient_scale(phase, loss)
        )
        getattr(self, f"{phase}_optimizer").apply(grads, variables)

    def _repeat(self, step, start, stop):
        """Runs `step(i)` for `i` in `range(start, stop)`, for its effects.

        Inside a traced step it is one graph loop, not `stop - start` copies
        of the step: the graph, and so tracing and XLA compilation, stays
        the size of one step. Under a distribution strategy the optimizers'
        cross-replica updates cannot run in a graph loop, so it unrolls.
        """
        if stop - start <= 1 or tf.distribute.has_strategy():
            for i in range(start, stop):
                step(i)
            return

        def body(i):
            step(i)
            return (i + 1,)

        tf.while_loop(lambda i: i < stop, body, (tf.constant(start),))

    def _gradient_scale(self, phase, loss):
        """The factor between `loss` and the loss whose gradient is applied.

        Under a distribution strategy the update is that of the mean over
        the global batch; under `mixed_float16` the loss is also multiplied
        by the phase optimizer's loss scale, which its `apply` divides out.
        """
        optimizer = getattr(self, f"{phase}_optimizer")
        scale = distribution.global_batch_scale()
        return optimizer.scale_loss(keras.ops.ones_like(loss)) * scale

    def _phase_runner(self, phases):
        """`phases` (a function of the step's tensors), XLA-compiled when
        `keras_aae.training.xla.jit_compile_phases` says so."""
        if not xla.jit_compile_phases(
            self, self._requested_jit_compile, self._loss_scaled
        ):
            return phases
        if self._jit_phases is None:
            self._jit_phases = xla.compiled(phases)
        return self._jit_phases
