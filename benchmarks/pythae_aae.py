"""A peer: pythae 0.1.2's `Adversarial_AE`, trained as its users train it.

pythae (clementchadebec/benchmark_VAE) is the public PyTorch library with an
adversarial autoencoder. This script builds its `Adversarial_AE` with MLPs
of the same sizes as `benchmarks/seed_torch.py` (the seed's 784-256-64 or
the paper's 2x1000 with 8-D codes), its default Gaussian posterior (the
encoder outputs a mean and a log-variance), its default adversarial scale,
and trains it with pythae's `TrainingPipeline` and `AdversarialTrainer`
(one autoencoder and one discriminator update per batch, Adam at 1e-3 for
both), on the MNIST training images read from the IDX files.

Each epoch's seconds are taken by a pythae `TrainingCallback` (epoch begin to
epoch end); `benchmarks/speed.py --configs pythae` times the whole process.

Needs the optional `bench` extra (`pip install ".[bench]"`: CPU torch and
pythae).
"""

import json
import os
import tempfile
import time

import torch
from pythae.models import Adversarial_AE
from pythae.models import Adversarial_AE_Config
from pythae.models.base.base_utils import ModelOutput
from pythae.models.nn import BaseDecoder
from pythae.models.nn import BaseDiscriminator
from pythae.models.nn import BaseEncoder
from pythae.pipelines import TrainingPipeline
from pythae.trainers import AdversarialTrainerConfig
from pythae.trainers.training_callbacks import TrainingCallback
from seed_torch import mlp
from seed_torch import parse_run_args
from seed_torch import read_idx_images
from torch import nn

PIXELS = 784


class Encoder(BaseEncoder):
    """An MLP trunk with pythae's two heads: mean and log-variance."""

    def __init__(self, hidden, latent_dim):
        super().__init__()
        self.trunk = nn.Sequential(mlp([PIXELS, *hidden], None), nn.ReLU())
        self.mean = nn.Linear(hidden[-1], latent_dim)
        self.log_var = nn.Linear(hidden[-1], latent_dim)

    def forward(self, x):
        h = self.trunk(x.reshape(len(x), -1))
        return ModelOutput(
            embedding=self.mean(h), log_covariance=self.log_var(h)
        )


class Decoder(BaseDecoder):
    def __init__(self, hidden, latent_dim):
        super().__init__()
        self.net = mlp([latent_dim, *reversed(hidden), PIXELS], nn.Sigmoid())

    def forward(self, z):
        return ModelOutput(
            reconstruction=self.net(z).reshape(len(z), 1, 28, 28)
        )


class Discriminator(BaseDiscriminator):
    def __init__(self, hidden, latent_dim):
        super().__init__()
        self.net = mlp([latent_dim, *hidden, 1], nn.Sigmoid())

    def forward(self, z):
        return ModelOutput(embedding=self.net(z))


class EpochTimer(TrainingCallback):
    """Seconds of each epoch, as pythae's trainer runs it."""

    def __init__(self):
        self.seconds = []
        self._start = None

    def on_epoch_begin(self, training_config, **kwargs):
        self._start = time.perf_counter()

    def on_epoch_end(self, training_config, **kwargs):
        self.seconds.append(time.perf_counter() - self._start)


def main(argv=None):
    """Train pythae's AAE on MNIST; print the images and epoch seconds."""
    args = parse_run_args(argv, main.__doc__)
    torch.manual_seed(0)
    images = read_idx_images(
        os.path.join(args.mnist_dir, "train-images-idx3-ubyte.gz")
    ).transpose(0, 3, 1, 2)
    config = Adversarial_AE_Config(
        input_dim=(1, 28, 28), latent_dim=args.latent_dim
    )
    model = Adversarial_AE(
        config,
        encoder=Encoder(args.hidden, args.latent_dim),
        decoder=Decoder(args.hidden, args.latent_dim),
        discriminator=Discriminator(args.hidden, args.latent_dim),
    )
    timer = EpochTimer()
    with tempfile.TemporaryDirectory() as out:
        training = AdversarialTrainerConfig(
            output_dir=out,
            num_epochs=args.epochs,
            per_device_train_batch_size=args.batch_size,
            learning_rate=1e-3,
            discriminator_learning_rate=1e-3,
            no_cuda=True,
        )
        TrainingPipeline(model=model, training_config=training)(
            train_data=images, callbacks=[timer]
        )
    print(json.dumps({"images": len(images), "epoch_seconds": timer.seconds}))


if __name__ == "__main__":
    main()
