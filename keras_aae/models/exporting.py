"""`model.export(path)`: one SavedModel that serves the whole model.

Keras 3's own `Model.export` traces `call` from the model's recorded input
shapes; a subclassed model that was never called through `keras.Model`'s
functional machinery has none, so it stops with "The model provided has
never called" even after `fit`. The networks know their shapes: this
`export` builds each signature from them with `keras_aae.export`'s
endpoints, so a process without keras-aae serves the result.
"""

import tensorflow as tf

from keras_aae import export as export_lib
from keras_aae.posteriors import DeterministicPosterior

SAVED_MODEL_FORMAT = "tf_saved_model"


class SavedModelExport:
    """A `keras.Model` mixin: `export` writes a SavedModel of every task.

    The model holds `encoder`, `decoder`, `posterior`, `decoder_prior`,
    `_CALL_LABELS` (the name of the int input its call reads beside the
    images, or None) and `_call_inputs(images, labels)`; `classify` and
    `anomaly_score` where it has them.

    Example:

    >>> # model.export("out/model")
    >>> # served = tf.saved_model.load("out/model")
    >>> # served.signatures["encode"](images=x)["codes"]
    """

    def export(
        self,
        filepath,
        format=SAVED_MODEL_FORMAT,
        verbose=None,
        input_signature=None,
        **kwargs,
    ):
        """Writes a TensorFlow SavedModel that serves without keras-aae.

        Signatures, each a dict of named tensors:

        - `serving_default(images[, labels]) -> {"reconstructions"}`: the
          model's call (`labels` for the models whose decoder reads them:
          the supervised model's labels, domain adaptation's domains).
        - `encode(images) -> {"codes"}`: the posterior's mean.
        - `decode(codes) -> {"images"}`: the decoder's input as
          `model.decoder` takes it.
        - `sample(images, seed) -> {"codes"}`: draws of q(z|x), when the
          posterior is random.
        - `classify(images) -> {"probabilities"}`: the models that classify.
        - `score(images) -> {"scores", "anomalous"}`: when an anomaly score
          was fitted (`fit_anomaly_score`); `anomalous` is the score above
          the stored threshold (all False without one).

        The folder appears atomically, with `prior.json` (the decoder's
        prior) beside the SavedModel.

        Args:
            filepath: Folder to write.
            format: `"tf_saved_model"`, the one format this model exports.
            verbose: Whether to print the signatures written.
            input_signature: Must be None: the signatures come from the
                networks' input shapes.
            **kwargs: None are taken.

        Returns:
            The list of signature names written.

        Raises:
            ValueError: For another format, an `input_signature` or extra
                arguments.

        Example:

        >>> # keras.models.load_model("model.keras").export("out")
        """
        if format != SAVED_MODEL_FORMAT:
            raise ValueError(
                f"A {type(self).__name__} exports format='{SAVED_MODEL_FORMAT}'"
                " only (its signatures serve with TensorFlow alone); "
                f"Received: format={format!r}"
            )
        if input_signature is not None or kwargs:
            raise ValueError(
                "`export` takes no `input_signature` or options: the "
                "signatures come from the networks' input shapes. Received: "
                f"input_signature={input_signature!r}, {sorted(kwargs)}"
            )
        endpoints = self._export_endpoints()
        export_lib.write_endpoints(
            filepath, endpoints, export_lib.prior_file(self.decoder_prior)
        )
        if verbose:
            print(f"Saved a SavedModel at {filepath}: {', '.join(endpoints)}")
        return list(endpoints)

    def _export_endpoints(self):
        images = export_lib.input_spec(self.encoder, "images")
        endpoints = {
            export_lib.SIGNATURE: self._call_endpoint(images),
            "encode": export_lib.encoder_endpoint(self.encoder, self.posterior),
            "decode": export_lib.decoder_endpoint(self.decoder),
        }
        if type(self.posterior) is not DeterministicPosterior:
            endpoints["sample"] = export_lib.sampler_endpoint(
                self.encoder, self.posterior
            )
        if hasattr(self, "classify"):
            endpoints["classify"] = export_lib.classifier_endpoint(
                self.encoder, self.num_classes
            )
        if self.anomaly_score is not None:
            endpoints["score"] = (self._serve_scores, [images])
        return endpoints

    def _call_endpoint(self, images):
        if self._CALL_LABELS is None:

            def reconstruct(images):
                return {"reconstructions": self(images, training=False)}

            return reconstruct, [images]
        labels = tf.TensorSpec((None,), tf.int32, name=self._CALL_LABELS)

        def reconstruct_with_labels(images, labels):
            inputs = self._call_inputs(images, labels)
            return {"reconstructions": self(inputs, training=False)}

        return reconstruct_with_labels, [images, labels]
