"""Export the decoder and encoder as TensorFlow SavedModels.

The SavedModels need neither Keras nor keras-aae to serve: load them with
`tf.saved_model.load` (or TF Serving) and call their `serving_default`
signature. The decoder's signature maps `codes` to `images`; the encoder's
maps `images` to `codes` (the posterior's mean, paper section 2.1), and,
when exported with `samples=True`, a `sample` signature maps `images` and an
int `seed` to `codes` drawn from q(z|x).

Example:

>>> # keras_aae.export.export_decoder(model, "saved_models/mnist/decoder")
>>> # import tensorflow as tf
>>> # decoder = tf.saved_model.load("saved_models/mnist/decoder")
>>> # images = decoder.signatures["serving_default"](codes=z)["images"]
"""

import json
import os

import keras
import tensorflow as tf

from keras_aae._io import atomic_path
from keras_aae.posteriors import DeterministicPosterior

SIGNATURE = "serving_default"


def _network(model_or_network, attribute):
    """The model's `attribute` network, or the network itself."""
    if isinstance(model_or_network, keras.Model):
        return getattr(model_or_network, attribute, model_or_network)
    raise TypeError(
        "Expected an AdversarialAutoencoder or a keras.Model. Received: "
        f"{model_or_network!r} of type {type(model_or_network).__name__}"
    )


PRIOR_FILE = "prior.json"
SAMPLE_SIGNATURE = "sample"


def input_spec(network, name):
    """The float32 `tf.TensorSpec` of a batch of `network`'s input."""
    shape = (None,) + tuple(network.inputs[0].shape[1:])
    return tf.TensorSpec(shape, tf.float32, name=name)


def write_endpoints(path, endpoints, extra_files=None):
    """Writes a SavedModel serving `endpoints`, atomically.

    The folder appears atomically: an existing export at `path` is replaced
    only once the new one is complete.

    Args:
        path: Folder to write.
        endpoints: Dict of signature name to `(fn, input_signature)`; each
            `fn` takes the signature's tensors and returns a dict of named
            outputs. `serving_default` is what TF Serving calls by default.
        extra_files: Optional dict of file name to text, written into the
            folder with the SavedModel (and so appearing with it).

    Returns:
        `path`.

    Example:

    >>> # write_endpoints("out", {"serving_default": decoder_endpoint(net)})
    """
    archive = keras.export.ExportArchive()
    # No `archive.track(network)`: the endpoints capture the weights
    # themselves, and tracking them as well stores every weight twice
    # (keras-team/keras#23553: twice the files, twice the memory served).
    for name, (fn, signature) in endpoints.items():
        archive.add_endpoint(name=name, fn=fn, input_signature=signature)
    with atomic_path(path) as tmp:
        archive.write_out(tmp, verbose=False)
        for name, text in (extra_files or {}).items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
    return os.fspath(path)


def export_network(
    network,
    path,
    input_name,
    output_name,
    extra_files=None,
    fn=None,
    extra_endpoints=None,
):
    """Writes one network as a SavedModel with a named signature.

    Args:
        network: A built `keras.Model` with one input and one output.
        path: Folder to write.
        input_name: Key of the signature's input.
        output_name: Key of the signature's output.
        extra_files: Optional dict of file name to text, written into the
            folder with the SavedModel (and so appearing with it).
        fn: Optional function of the input tensor served instead of
            `network(inputs, training=False)`; it may only use `network`.
        extra_endpoints: Optional dict of signature name to `(fn,
            input_signature)`, served beside the default one; each `fn`
            returns a dict of named outputs.

    Returns:
        `path`.
    """
    spec = input_spec(network, input_name)
    fn = fn or (lambda inputs: network(inputs, training=False))

    def serve(inputs):
        return {output_name: fn(inputs)}

    endpoints = {SIGNATURE: (serve, [spec]), **(extra_endpoints or {})}
    return write_endpoints(path, endpoints, extra_files)


def decoder_endpoint(network):
    """`(fn, signature)` serving `codes -> {"images"}` with a decoder."""

    def decode(codes):
        return {"images": network(codes, training=False)}

    return decode, [input_spec(network, "codes")]


def _mean_codes(network, posterior):
    def codes(images):
        outputs = tf.cast(network(images, training=False), tf.float32)
        return outputs if posterior is None else posterior.mean(outputs)

    return codes


def encoder_endpoint(network, posterior=None):
    """`(fn, signature)` serving `images -> {"codes"}`: the posterior's mean
    (paper section 2.1), or the encoder's output without a posterior."""
    codes = _mean_codes(network, posterior)
    return (lambda images: {"codes": codes(images)}), [
        input_spec(network, "images")
    ]


def classifier_endpoint(network, num_classes):
    """`(fn, signature)` serving `images -> {"probabilities"}`, the first
    `num_classes` outputs of a categorical encoder, q(y|x)."""

    def classify(images):
        outputs = network(images, training=False)[:, :num_classes]
        return {"probabilities": tf.cast(outputs, tf.float32)}

    return classify, [input_spec(network, "images")]


def prior_file(prior):
    """`{PRIOR_FILE: json}` of a prior, written beside a decoder."""
    config = keras.saving.serialize_keras_object(prior)
    return {PRIOR_FILE: json.dumps(config)}


def export_decoder(model, path):
    """Exports the decoder: signature `serving_default(codes) -> {"images"}`.

    For an `AdversarialAutoencoder`, the distribution its decoder reads
    (`model.decoder_prior`) is written beside it as `prior.json`, so that
    `keras-aae sample` draws codes from the right prior.

    Args:
        model: An `AdversarialAutoencoder` or a decoder `keras.Model`.
        path: Folder to write.

    Returns:
        `path`.
    """
    extra = None
    if hasattr(model, "decoder_prior"):
        extra = prior_file(model.decoder_prior)
    endpoint = decoder_endpoint(_network(model, "decoder"))
    return write_endpoints(path, {SIGNATURE: endpoint}, extra)


def sampler_endpoint(encoder, posterior):
    """`sample(images, seed) -> {"codes"}`: codes drawn from q(z|x) with
    TensorFlow's stateless Gaussians (the same seed, the same codes)."""

    latent_dim = encoder.outputs[0].shape[-1] // posterior.outputs_per_dim

    def sample(images, seed):
        def normals(shape, offset):
            if shape is None:
                return None
            pair = [tf.cast(seed, tf.int64) + offset, tf.constant(0, tf.int64)]
            batch_shape = tf.concat([tf.shape(images)[:1], shape], 0)
            return tf.random.stateless_normal(batch_shape, seed=tf.stack(pair))

        codes = posterior.training_codes(
            lambda x: tf.cast(encoder(x, training=False), tf.float32),
            images,
            normals(posterior.input_noise_shape(images.shape[1:]), 0),
            normals(posterior.code_noise_shape(latent_dim), 1),
        )
        return {"codes": codes}

    signature = [
        input_spec(encoder, "images"),
        tf.TensorSpec((), tf.int64, name="seed"),
    ]
    return sample, signature


def export_encoder(model, path, samples=False):
    """Exports the encoder: signature `serving_default(images) -> {"codes"}`.

    For an `AdversarialAutoencoder` the codes are the posterior's mean
    (`model.encode`); with `samples=True` a second signature,
    `sample(images, seed) -> {"codes"}`, draws codes from q(z|x) (paper
    section 2.1), reproducibly for one int64 `seed`.

    Args:
        model: An `AdversarialAutoencoder` or an encoder `keras.Model`.
        path: Folder to write.
        samples: Whether to add the `sample` signature (a model only).

    Returns:
        `path`.

    Raises:
        ValueError: If `samples` is asked of a bare network.

    Example:

    >>> # export_encoder(model, "out/encoder", samples=True)
    >>> # encoder = tf.saved_model.load("out/encoder")
    >>> # z = encoder.signatures["sample"](images=x, seed=tf.constant(0, tf.int64))
    """
    network = _network(model, "encoder")
    posterior = getattr(model, "posterior", None)
    if samples and posterior is None:
        raise ValueError(
            "`samples=True` needs a model with a posterior. Received: "
            f"a {type(model).__name__} without one"
        )
    endpoints = {SIGNATURE: encoder_endpoint(network, posterior)}
    if samples:
        endpoints[SAMPLE_SIGNATURE] = sampler_endpoint(network, posterior)
    return write_endpoints(path, endpoints)


def export_classifier(model, path):
    """Exports `q(y|x)`: signature `serving_default(images) ->
    {"probabilities"}`, the class probabilities `(n, num_classes)` of a
    model with a categorical code (semi-supervised, domain adaptation).

    Args:
        model: A model with `num_classes` and an `encoder` whose first
            `num_classes` outputs are the class probabilities.
        path: Folder to write.

    Returns:
        `path`.

    Raises:
        TypeError: If the model has no classes.

    Example:

    >>> # export_classifier(model, "out/classifier")
    >>> # probabilities = tf.saved_model.load("out/classifier").signatures[
    >>> #     "serving_default"](images=x)["probabilities"]
    """
    num_classes = getattr(model, "num_classes", None)
    if not isinstance(model, keras.Model) or num_classes is None:
        raise TypeError(
            "Expected a model with a categorical code and `num_classes` "
            "(semi-supervised, domain adaptation). Received: "
            f"{type(model).__name__}"
        )
    endpoint = classifier_endpoint(model.encoder, num_classes)
    return write_endpoints(path, {SIGNATURE: endpoint})


def export_model(model, directory, samples=None):
    """Exports both networks into `directory/decoder` and `directory/encoder`,
    and, for a model that classifies (`classify`), `directory/classifier`.

    Args:
        model: An `AdversarialAutoencoder`.
        directory: Folder to hold both SavedModels.
        samples: Whether the encoder gets the `sample` signature; None adds
            it when the posterior is random (not deterministic).

    Returns:
        A dict of the paths written, by network.
    """
    if samples is None:
        samples = type(model.posterior) is not DeterministicPosterior
    encoder_path = os.path.join(directory, "encoder")
    paths = {
        "decoder": export_decoder(model, os.path.join(directory, "decoder")),
        "encoder": export_encoder(model, encoder_path, samples=samples),
    }
    if hasattr(model, "classify"):
        paths["classifier"] = export_classifier(
            model, os.path.join(directory, "classifier")
        )
    return paths
