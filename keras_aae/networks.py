"""Builders for the three networks of an adversarial autoencoder.

Each builder returns a functional `keras.Model` with a named input, so the
exported SavedModel signatures have stable keys (`images`, `codes`). The
encoder takes images in their natural shape (e.g. `(28, 28, 1)`, floats in
[0, 1]); the decoder returns that shape; the discriminator returns one logit
per code (no sigmoid: the losses use `from_logits=True` for stability).

Example:

>>> from keras_aae import networks
>>> encoder = networks.mlp_encoder((28, 28, 1), latent_dim=64, hidden=[256])
>>> decoder = networks.mlp_decoder(64, (28, 28, 1), hidden=[256])
>>> discriminator = networks.mlp_discriminator(64, hidden=[256])
"""

import math

import keras
import numpy as np
from keras import layers
from keras import ops

from keras_aae._validation import check_positive_int
from keras_aae._validation import check_positive_int_list
from keras_aae._validation import check_positive_number

_OUTPUT_ACTIVATIONS = ("sigmoid", "linear", None)


def _check_shape(shape, name):
    if not isinstance(shape, (list, tuple)) or not shape:
        raise TypeError(
            f"`{name}` must be a non-empty tuple of positive ints. "
            f"Received: {name}={shape!r}"
        )
    return tuple(check_positive_int(d, name) for d in shape)


def _dense_stack(x, hidden, activation, prefix):
    for i, units in enumerate(hidden):
        x = layers.Dense(units, activation=activation, name=f"{prefix}_{i}")(x)
    return x


def _mlp_trunk(input_shape, hidden, activation):
    """The encoders' shared body: `images`, flattened, through the hidden stack."""
    images = keras.Input(input_shape, name="images")
    x = layers.Flatten(name="flatten")(images)
    return images, _dense_stack(x, hidden, activation, "hidden")


def _pixels(x, hidden, activation, output_shape, output_activation):
    x = _dense_stack(x, hidden, activation, "hidden")
    x = layers.Dense(
        math.prod(output_shape), activation=output_activation, name="pixels"
    )(x)
    return layers.Reshape(output_shape, name="images")(x)


def mlp_encoder(
    input_shape,
    latent_dim,
    hidden=(1000, 1000),
    activation="relu",
    name="encoder",
):
    """Builds a fully connected encoder `x -> z` (paper section 3).

    Args:
        input_shape: Shape of one example, e.g. `(28, 28, 1)`.
        latent_dim: Positive int, size of the code.
        hidden: List of hidden layer sizes: the seed tutorial's `[256]`, the
            paper's `[1000, 1000]`.
        activation: Activation of the hidden layers.
        name: Name of the model.

    Returns:
        A `keras.Model` from `images` to a linear code of size `latent_dim`.
    """
    input_shape = _check_shape(input_shape, "input_shape")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden = check_positive_int_list(hidden, "hidden")
    images, x = _mlp_trunk(input_shape, hidden, activation)
    codes = layers.Dense(latent_dim, name="codes")(x)
    return keras.Model(images, codes, name=name)


def _check_output_activation(output_activation):
    if output_activation not in _OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"`output_activation` must be one of {_OUTPUT_ACTIVATIONS}. "
            f"Received: output_activation={output_activation!r}"
        )


def mlp_decoder(
    latent_dim,
    output_shape,
    hidden=(1000, 1000),
    activation="relu",
    output_activation="sigmoid",
    name="decoder",
):
    """Builds a fully connected decoder `z -> x`.

    Args:
        latent_dim: Positive int, size of the code.
        output_shape: Shape of one reconstructed example, e.g. `(28, 28, 1)`.
        hidden: List of hidden layer sizes.
        activation: Activation of the hidden layers.
        output_activation: `"sigmoid"` for data in [0, 1], or `"linear"`.
        name: Name of the model.

    Returns:
        A `keras.Model` from `codes` to images of `output_shape`.
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    output_shape = _check_shape(output_shape, "output_shape")
    hidden = check_positive_int_list(hidden, "hidden")
    _check_output_activation(output_activation)
    codes = keras.Input((latent_dim,), name="codes")
    return keras.Model(
        codes,
        _pixels(codes, hidden, activation, output_shape, output_activation),
        name=name,
    )


def mlp_discriminator(
    latent_dim, hidden=(1000, 1000), activation="relu", name="discriminator"
):
    """Builds the adversarial network `z -> logit(z came from the prior)`.

    Args:
        latent_dim: Positive int, size of the code it judges.
        hidden: List of hidden layer sizes.
        activation: Activation of the hidden layers.
        name: Name of the model.

    Returns:
        A `keras.Model` from `codes` to one logit per code, shape `(n, 1)`.
    """
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden = check_positive_int_list(hidden, "hidden")
    codes = keras.Input((latent_dim,), name="codes")
    x = _dense_stack(codes, hidden, activation, "hidden")
    logits = layers.Dense(1, name="logits")(x)
    return keras.Model(codes, logits, name=name)


def mlp_image_discriminator(
    input_shape,
    hidden=(256,),
    activation="leaky_relu",
    name="sample_discriminator",
):
    """Builds a network `x -> logit(x is a training image)`.

    The discriminator of a `keras_aae.models.SampleAdversary`: it judges
    images (training images vs decoded prior draws), not codes. Its hidden
    layers default to leaky ReLUs (slope 0.2), which keep a gradient for the
    decoder where a ReLU discriminator would be flat.

    Args:
        input_shape: Shape of one image, e.g. `(28, 28, 1)`.
        hidden: List of hidden layer sizes.
        activation: Activation of the hidden layers.
        name: Name of the model.

    Returns:
        A `keras.Model` from `images` to one logit per image, shape `(n, 1)`.

    Example:

    >>> judge = mlp_image_discriminator((28, 28, 1), hidden=[256])
    """
    input_shape = _check_shape(input_shape, "input_shape")
    hidden = check_positive_int_list(hidden, "hidden")
    images, x = _mlp_trunk(input_shape, hidden, activation)
    logits = layers.Dense(1, name="logits")(x)
    return keras.Model(images, logits, name=name)


def mlp_categorical_encoder(
    input_shape,
    num_categories,
    style_dim,
    hidden=(1000, 1000),
    activation="relu",
    name="encoder",
):
    """Builds the encoder of the paper's sections 5-7: `x -> (y, z)`.

    One trunk with two heads, output side by side as one code: `y`, a
    softmax over `num_categories` (the class or cluster, `q(y|x)`), then
    `z`, a linear style code of size `style_dim`.

    Args:
        input_shape: Shape of one example, e.g. `(28, 28, 1)`.
        num_categories: Positive int, the number of classes or clusters.
        style_dim: Positive int, the size of the style code.
        hidden: List of hidden layer sizes.
        activation: Activation of the hidden layers.
        name: Name of the model.

    Returns:
        A `keras.Model` from `images` to codes `(n, num_categories + style_dim)`.

    Example:

    >>> encoder = mlp_categorical_encoder((28, 28, 1), 10, 10, hidden=[256])
    >>> encoder.output.shape
    (None, 20)
    """
    input_shape = _check_shape(input_shape, "input_shape")
    num_categories = check_positive_int(num_categories, "num_categories")
    style_dim = check_positive_int(style_dim, "style_dim")
    hidden = check_positive_int_list(hidden, "hidden")
    images, x = _mlp_trunk(input_shape, hidden, activation)
    categories = layers.Dense(
        num_categories, activation="softmax", name="categories"
    )(x)
    style = layers.Dense(style_dim, name="style")(x)
    codes = layers.Concatenate(name="codes")([categories, style])
    return keras.Model(images, codes, name=name)


@keras.saving.register_keras_serializable(package="keras_aae")
class ClusterHeads(layers.Layer):
    """Maps `(y, z)` to the representation `W y + z` (paper section 7).

    `y` (the first `num_clusters` inputs) is a distribution over clusters,
    `z` the style code; each row of `W` is a learned cluster head in the
    `embedding_dim`-D representation. `penalty()` is the paper's extra cost
    that pushes heads apart: the sum over pairs of `max(0, min_distance -
    |w_i - w_j|)`.

    Args:
        num_clusters: Positive int, the number of heads.
        embedding_dim: Positive int, size of the representation and of `z`.
        min_distance: Positive float, the distance `eta` below which a pair
            of heads is penalized.
        **kwargs: Passed to `keras.layers.Layer`.

    Example:

    >>> heads = ClusterHeads(10, 2)
    >>> heads(keras.ops.zeros((4, 12))).shape
    TensorShape([4, 2])
    """

    def __init__(self, num_clusters, embedding_dim, min_distance=4.0, **kwargs):
        super().__init__(**kwargs)
        self.num_clusters = check_positive_int(num_clusters, "num_clusters")
        self.embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
        self.min_distance = check_positive_number(min_distance, "min_distance")
        self.heads = self.add_weight(
            shape=(self.num_clusters, self.embedding_dim),
            initializer="zeros",
            name="heads",
        )
        self.heads.assign(self._initial_heads())

    def _initial_heads(self):
        # Heads start evenly spaced a little more than `min_distance` apart
        # (on a circle, or a line in 1-D), so the penalty starts at zero and
        # only keeps them from collapsing; random heads start tangled and the
        # penalty then dominates the reconstruction loss for many epochs.
        k, spacing = self.num_clusters, 1.1 * self.min_distance
        heads = np.zeros((k, self.embedding_dim), dtype="float32")
        if self.embedding_dim == 1:
            heads[:, 0] = spacing * (np.arange(k) - (k - 1) / 2)
            return heads
        radius = spacing / (2 * np.sin(np.pi / k)) if k > 1 else 0.0
        angles = 2 * np.pi * np.arange(k) / k
        heads[:, 0], heads[:, 1] = (
            radius * np.cos(angles),
            radius * np.sin(angles),
        )
        return heads

    def call(self, inputs):
        """`W y + z` for inputs `[y, z]` (softmax `y` first)."""
        y = inputs[:, : self.num_clusters]
        z = inputs[:, self.num_clusters :]
        return ops.matmul(y, ops.cast(self.heads, y.dtype)) + z

    def compute_output_shape(self, input_shape):
        """`(batch, embedding_dim)`."""
        return (input_shape[0], self.embedding_dim)

    def penalty(self):
        """The sum over pairs of heads of `max(0, min_distance - distance)`."""
        diff = self.heads[:, None, :] - self.heads[None, :, :]
        # A small epsilon keeps the gradient of the norm finite at 0.
        distance = ops.sqrt(ops.sum(ops.square(diff), axis=-1) + 1e-8)
        pairs = ops.relu(self.min_distance - distance)
        off_diagonal = 1.0 - ops.eye(self.num_clusters)
        return 0.5 * ops.sum(pairs * off_diagonal)

    def get_config(self):
        return {
            **super().get_config(),
            "num_clusters": self.num_clusters,
            "embedding_dim": self.embedding_dim,
            "min_distance": self.min_distance,
        }


def cluster_head_decoder(
    num_clusters,
    embedding_dim,
    output_shape,
    hidden=(1000, 1000),
    min_distance=4.0,
    activation="relu",
    output_activation="sigmoid",
    name="decoder",
):
    """Builds the decoder of the paper's section 7: `(y, z) -> W y + z -> x`.

    Args:
        num_clusters: Positive int, the number of cluster heads.
        embedding_dim: Positive int, size of the representation and style.
        output_shape: Shape of one reconstructed example.
        hidden: List of hidden layer sizes.
        min_distance: The heads' minimum distance `eta` (see `ClusterHeads`).
        activation: Activation of the hidden layers.
        output_activation: `"sigmoid"` for data in [0, 1], or `"linear"`.
        name: Name of the model.

    Returns:
        A `keras.Model` from `codes` `(n, num_clusters + embedding_dim)` to
        images; its layer `cluster_heads` holds the heads.
    """
    num_clusters = check_positive_int(num_clusters, "num_clusters")
    embedding_dim = check_positive_int(embedding_dim, "embedding_dim")
    output_shape = _check_shape(output_shape, "output_shape")
    hidden = check_positive_int_list(hidden, "hidden")
    _check_output_activation(output_activation)
    codes = keras.Input((num_clusters + embedding_dim,), name="codes")
    x = ClusterHeads(
        num_clusters, embedding_dim, min_distance, name="cluster_heads"
    )(codes)
    return keras.Model(
        codes,
        _pixels(x, hidden, activation, output_shape, output_activation),
        name=name,
    )


def _check_conv_shape(shape, name, levels):
    shape = _check_shape(shape, name)
    factor = 2**levels
    if len(shape) != 3 or shape[0] % factor or shape[1] % factor:
        raise ValueError(
            f"`{name}` must be (height, width, channels) with height and width "
            f"divisible by {factor}. Received: {name}={shape}"
        )
    return shape


def conv_encoder(
    input_shape, latent_dim, filters=(32, 64), hidden=256, name="encoder"
):
    """Builds a small convolutional encoder for image data.

    Each entry of `filters` adds a stride-2 3x3 convolution, so height and
    width must be divisible by `2 ** len(filters)`.

    Args:
        input_shape: `(height, width, channels)`, e.g. `(28, 28, 1)`.
        latent_dim: Positive int, size of the code.
        filters: Filters of each stride-2 convolution.
        hidden: Units of the dense layer before the code.
        name: Name of the model.

    Returns:
        A `keras.Model` from `images` to a linear code of size `latent_dim`.
    """
    filters = check_positive_int_list(filters, "filters")
    input_shape = _check_conv_shape(input_shape, "input_shape", len(filters))
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden = check_positive_int(hidden, "hidden")
    images = keras.Input(input_shape, name="images")
    x = images
    for i, f in enumerate(filters):
        x = layers.Conv2D(
            f, 3, strides=2, padding="same", activation="relu", name=f"conv_{i}"
        )(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(hidden, activation="relu", name="hidden")(x)
    codes = layers.Dense(latent_dim, name="codes")(x)
    return keras.Model(images, codes, name=name)


def conv_decoder(
    latent_dim,
    output_shape,
    filters=(64, 32),
    hidden=256,
    output_activation="sigmoid",
    name="decoder",
):
    """Builds the convolutional decoder that mirrors `conv_encoder`.

    Args:
        latent_dim: Positive int, size of the code.
        output_shape: `(height, width, channels)`; height and width divisible
            by `2 ** len(filters)`.
        filters: Filters of each stride-2 transposed convolution.
        hidden: Units of the first dense layer.
        output_activation: `"sigmoid"` for data in [0, 1], or `"linear"`.
        name: Name of the model.

    Returns:
        A `keras.Model` from `codes` to images of `output_shape`.
    """
    filters = check_positive_int_list(filters, "filters")
    output_shape = _check_conv_shape(output_shape, "output_shape", len(filters))
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    hidden = check_positive_int(hidden, "hidden")
    _check_output_activation(output_activation)
    factor = 2 ** len(filters)
    height, width = output_shape[0] // factor, output_shape[1] // factor
    codes = keras.Input((latent_dim,), name="codes")
    x = layers.Dense(hidden, activation="relu", name="hidden")(codes)
    x = layers.Dense(
        height * width * filters[0], activation="relu", name="seed"
    )(x)
    x = layers.Reshape((height, width, filters[0]), name="grid")(x)
    for i, f in enumerate(filters):
        x = layers.Conv2DTranspose(
            f,
            3,
            strides=2,
            padding="same",
            activation="relu",
            name=f"deconv_{i}",
        )(x)
    images = layers.Conv2D(
        output_shape[-1],
        3,
        padding="same",
        activation=output_activation,
        name="images",
    )(x)
    return keras.Model(codes, images, name=name)


def build_networks(
    input_shape,
    latent_dim,
    hidden=(1000, 1000),
    architecture="mlp",
    outputs_per_dim=1,
):
    """Builds a matching encoder, decoder and discriminator.

    Args:
        input_shape: Shape of one example.
        latent_dim: Positive int, size of the code.
        hidden: Hidden sizes of the MLPs (the discriminator always uses them).
        architecture: `"mlp"` or `"conv"` for the encoder/decoder pair.
        outputs_per_dim: Encoder outputs per code entry: the posterior's
            `outputs_per_dim` (2 for `keras_aae.posteriors.GaussianPosterior`).

    Returns:
        A tuple `(encoder, decoder, discriminator)`.

    Raises:
        ValueError: If `architecture` is unknown.
    """
    width = latent_dim * check_positive_int(outputs_per_dim, "outputs_per_dim")
    if architecture == "mlp":
        encoder = mlp_encoder(input_shape, width, hidden)
        decoder = mlp_decoder(latent_dim, input_shape, hidden)
    elif architecture == "conv":
        encoder = conv_encoder(input_shape, width)
        decoder = conv_decoder(latent_dim, input_shape)
    else:
        raise ValueError(
            "`architecture` must be 'mlp' or 'conv'. "
            f"Received: architecture={architecture!r}"
        )
    return encoder, decoder, mlp_discriminator(latent_dim, hidden)


def ends_in_sigmoid(network):
    """Whether `network`'s output comes out of a sigmoid (ignoring reshapes).

    Such a decoder can only produce values in [0, 1], so its training
    images must lie there too (`keras_aae.data.check_training_data`).

    Example:

    >>> ends_in_sigmoid(mlp_decoder(2, (8, 8, 1), [16]))
    True
    """
    for layer in reversed(network.layers):
        activation = getattr(layer, "activation", None)
        if activation is not None:
            return getattr(activation, "__name__", "") == "sigmoid"
        if not isinstance(
            layer, (layers.Reshape, layers.Flatten, layers.Cropping2D)
        ):
            return False
    return False
