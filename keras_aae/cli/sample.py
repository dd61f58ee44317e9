"""`keras-aae sample`: decode prior samples with an exported decoder."""

import json
import os

import numpy as np
import tensorflow as tf

from keras_aae import priors
from keras_aae._io import atomic_path
from keras_aae.cli.parser import UsageError
from keras_aae.cli.parser import one_line
from keras_aae.export import PRIOR_FILE
from keras_aae.export import SIGNATURE
from keras_aae.images import save_image_grid


def run(args):
    """Writes `--num` decoded prior draws to `--out` (.png grid or .npy)."""
    if not args.out.endswith((".png", ".npy")):
        raise UsageError(
            f"--out must end in .png or .npy, received {args.out!r}"
        )
    if not os.path.isdir(args.decoder):
        raise UsageError(
            f"--decoder {args.decoder!r} is not an exported decoder folder"
        )
    serve = tf.saved_model.load(args.decoder).signatures[SIGNATURE]
    latent_dim = serve.structured_input_signature[1]["codes"].shape[-1]
    prior = _sampling_prior(args, latent_dim)
    codes = prior.sample(args.num, seed=args.seed)
    images = serve(codes=codes)["images"].numpy()
    if args.out.endswith(".npy"):
        with atomic_path(args.out) as tmp:
            np.save(tmp, images)
    else:
        save_image_grid(images, args.out)
    print(f"Wrote {args.num} samples to {args.out}")
    return 0


def _sampling_prior(args, latent_dim):
    """`--prior`, else the prior recorded at export, else a Gaussian."""
    try:
        if args.prior is not None:
            return priors.get(args.prior, latent_dim=latent_dim)
        recorded = os.path.join(args.decoder, PRIOR_FILE)
        if os.path.exists(recorded):
            with open(recorded) as f:
                return priors.get(json.load(f))
        return priors.get("gaussian", latent_dim=latent_dim)
    except (ValueError, TypeError) as error:
        raise UsageError(one_line(error)) from None
