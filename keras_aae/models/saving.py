"""How a model's state reaches disk: atomic saves, random state, loading.

Keras writes `.keras` and `.weights.h5` files in place and does not save a
`keras.random.SeedGenerator`'s state. `AtomicSaving` writes aside and
renames (so `keras.callbacks.ModelCheckpoint` is atomic too) and keeps the
model's `seed_generator` state in its weights, so a reloaded model draws
what the saved one would have drawn next.
"""

import copy
import os

import keras
import numpy as np

from keras_aae._io import atomic_path

_SEED_STATE_KEY = "seed_generator_state"


class AttributeConfig:
    """A `keras.Model` mixin: the config is a list of attributes.

    The class names the constructor arguments it keeps as attributes:
    `_SERIALIZED` (Keras objects, serialized), `_CONFIG` (plain values) and
    `_CONFIG_BEFORE` (the value an argument added in a later release had
    before it existed, for configs saved earlier).

    Example:

    >>> # class MyModel(AttributeConfig, keras.Model):
    >>> #     _SERIALIZED = ("encoder",); _CONFIG = ("seed",)
    """

    _SERIALIZED = ()
    _CONFIG = ()
    _CONFIG_BEFORE = {}

    def get_config(self):
        config = super().get_config()
        for key in self._SERIALIZED:
            config[key] = keras.saving.serialize_keras_object(
                getattr(self, key)
            )
        config.update({key: getattr(self, key) for key in self._CONFIG})
        return config

    @classmethod
    def from_config(cls, config):
        # Keras' deserialization consumes nested dicts: work on a copy.
        config = {**cls._CONFIG_BEFORE, **copy.deepcopy(config)}
        for key in cls._SERIALIZED:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


class AtomicSaving:
    """A `keras.Model` mixin: atomic `save`/`save_weights`, saved random state.

    The model keeps its `keras.random.SeedGenerator` in `seed_generator`.

    Example:

    >>> # class MyModel(AtomicSaving, keras.Model): ...
    >>> # model.save("model.keras")  # the old file or the new, never a mix
    """

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
        # Without it a reloaded model would repeat the prior draws it made
        # after its last save.
        store[_SEED_STATE_KEY] = np.asarray(self.seed_generator.state.numpy())

    def load_own_variables(self, store):
        if _SEED_STATE_KEY in store.keys():
            self.seed_generator.state.assign(store[_SEED_STATE_KEY])


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
