"""What a trained autoencoder answers: codes, images, reconstructions."""

import keras
import numpy as np
from keras import ops


class AutoencoderInference:
    """A `keras.Model` mixin: `encode`, `decode`, `reconstruct`, `generate`.

    The model holds `encoder` and `decoder` networks, a `posterior`
    (`keras_aae.posteriors`), a `decoder_prior`, and
    the hooks `_labels(y)` and `_decoder_input(codes, labels)` (the paper's
    supervised variants feed the decoder a label beside the code). Results
    are numpy arrays; calling the model returns reconstructions.

    Example:

    >>> # codes = model.encode(images); images = model.decode(codes)
    >>> # samples = model.generate(64, seed=0)
    """

    def call(self, inputs, training=False):
        """Returns the reconstructions of `inputs` (from the posterior's
        mean code)."""
        x, labels = self._split_inputs(inputs)
        codes = self._inference_codes(x, training=training)
        return self.decoder(
            self._decoder_input(codes, labels), training=training
        )

    # The name of the int input the call reads beside the images (the
    # supervised model's labels, domain adaptation's domains), or None.
    _CALL_LABELS = None

    def _split_inputs(self, inputs):
        return inputs, None

    def _call_inputs(self, images, labels):
        """What `call` takes, from images and the `_CALL_LABELS` input."""
        return images

    def reconstruct(self, x, labels=None, batch_size=256):
        """Returns the reconstructions of `x` as a numpy array.

        Args:
            x: Images.
            labels: Int labels, for models whose decoder reads them.
            batch_size: Positive int.
        """
        codes = self._decoder_input(
            self.encode(x, batch_size), self._labels(labels)
        )
        return self.decode(ops.convert_to_numpy(codes), batch_size)

    def _inference_codes(self, x, training=False):
        """The codes of `x` without posterior noise, as float32."""
        outputs = ops.cast(self.encoder(x, training=training), "float32")
        return self.posterior.mean(outputs)

    def encode(self, x, batch_size=256):
        """Returns the codes of `x` as a numpy array (the posterior's
        mean)."""
        outputs = self.encoder.predict(x, batch_size=batch_size, verbose=0)
        return ops.convert_to_numpy(self.posterior.mean(outputs))

    def decode(self, z, batch_size=256):
        """Returns the decoded images of codes `z` as a numpy array."""
        return self.decoder.predict(z, batch_size=batch_size, verbose=0)

    def generate(self, num_samples, seed=None):
        """Decodes `num_samples` draws of `decoder_prior` (numpy images);
        the same `seed` gives the same images."""
        return self.decode(
            np.asarray(self.sample_codes(num_samples, seed=seed))
        )

    def sample_codes(self, num_samples, seed=None):
        """Draws `num_samples` decoder inputs from `decoder_prior`."""
        return self.decoder_prior.sample(num_samples, seed=seed)

    def predict_step(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return self(x, training=False)
