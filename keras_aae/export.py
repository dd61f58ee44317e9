"""Export the decoder and encoder as TensorFlow SavedModels.

The SavedModels need neither Keras nor keras-aae to serve: load them with
`tf.saved_model.load` (or TF Serving) and call their `serving_default`
signature. The decoder's signature maps `codes` to `images`; the encoder's
maps `images` to `codes`.

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


def export_network(network, path, input_name, output_name, extra_files=None):
    """Writes one network as a SavedModel with a named signature.

    The folder appears atomically: an existing export at `path` is replaced
    only once the new one is complete.

    Args:
        network: A built `keras.Model` with one input and one output.
        path: Folder to write.
        input_name: Key of the signature's input.
        output_name: Key of the signature's output.
        extra_files: Optional dict of file name to text, written into the
            folder with the SavedModel (and so appearing with it).

    Returns:
        `path`.
    """
    spec = tf.TensorSpec(
        (None,) + tuple(network.inputs[0].shape[1:]),
        tf.float32,
        name=input_name,
    )

    def serve(inputs):
        return {output_name: network(inputs, training=False)}

    archive = keras.export.ExportArchive()
    archive.track(network)
    archive.add_endpoint(name=SIGNATURE, fn=serve, input_signature=[spec])
    with atomic_path(path) as tmp:
        archive.write_out(tmp, verbose=False)
        for name, text in (extra_files or {}).items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
    return os.fspath(path)


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
        config = keras.saving.serialize_keras_object(model.decoder_prior)
        extra = {PRIOR_FILE: json.dumps(config)}
    return export_network(
        _network(model, "decoder"), path, "codes", "images", extra_files=extra
    )


def export_encoder(model, path):
    """Exports the encoder: signature `serving_default(images) -> {"codes"}`.

    Args:
        model: An `AdversarialAutoencoder` or an encoder `keras.Model`.
        path: Folder to write.

    Returns:
        `path`.
    """
    return export_network(_network(model, "encoder"), path, "images", "codes")


def export_model(model, directory):
    """Exports both networks into `directory/decoder` and `directory/encoder`.

    Args:
        model: An `AdversarialAutoencoder`.
        directory: Folder to hold both SavedModels.

    Returns:
        A dict with the two paths.
    """
    return {
        "decoder": export_decoder(model, os.path.join(directory, "decoder")),
        "encoder": export_encoder(model, os.path.join(directory, "encoder")),
    }
