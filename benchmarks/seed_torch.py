"""The seed tutorial's PyTorch AAE, re-implemented from its listing.

`../shared/seeds/000_*.txt` ("Numerical Example") trains a 784-256-64 MLP
autoencoder with a 64-256-1 discriminator on MNIST: Adam at 1e-3 for the
encoder+decoder (reconstruction MSE plus the adversarial BCE, one backward
pass) and for the discriminator, batch 128, shuffled `DataLoader`, Gaussian
N(0, I) prior. This module keeps that loop line for line. The only change is
where the images come from: torchvision is not installed here, so the
dataset is a `torch.utils.data.Dataset` that returns one `(1, 28, 28)` float
tensor in [0, 1] per index, as `transforms.ToTensor()` does (without the PIL
round trip, which would only make the seed slower).

Needs the optional `bench` extra (`pip install ".[bench]"`, CPU torch).
"""

import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader
from torch.utils.data import Dataset


def mlp(sizes, final):
    """Linear layers with ReLU between them, `final` after the last.

    With one hidden size this is exactly the listing's fc1/relu/fc2; more
    sizes give the paper's deeper networks (benchmarks of the 2x1000 MLPs).
    """
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    if final is not None:
        layers.append(final)
    return nn.Sequential(*layers)


def Encoder(input_dim, hidden_dims, z_dim):
    return mlp([input_dim, *hidden_dims, z_dim], None)


def Decoder(z_dim, hidden_dims, output_dim):
    return mlp([z_dim, *hidden_dims, output_dim], nn.Sigmoid())


def Discriminator(z_dim, hidden_dims):
    return mlp([z_dim, *hidden_dims, 1], nn.Sigmoid())


class ImageDataset(Dataset):
    """Per-index `(image, label)` like torchvision's MNIST with ToTensor."""

    def __init__(self, images, labels):
        # images: (n, 28, 28, 1) float32 in [0, 1] (keras_aae.data layout).
        self.images = torch.from_numpy(
            np.ascontiguousarray(images.transpose(0, 3, 1, 2))
        )
        self.labels = torch.from_numpy(np.asarray(labels, dtype=np.int64))

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]


class SeedAAE:
    """The seed's three networks, optimizers and training loop."""

    def __init__(
        self,
        input_dim=784,
        hidden_dims=(256,),
        z_dim=64,
        learning_rate=1e-3,
        seed=0,
    ):
        torch.manual_seed(seed)
        self.input_dim = input_dim
        self.z_dim = z_dim
        self.encoder = Encoder(input_dim, hidden_dims, z_dim)
        self.decoder = Decoder(z_dim, hidden_dims, input_dim)
        self.discriminator = Discriminator(z_dim, hidden_dims)
        self.reconstruction_loss = nn.MSELoss()
        self.adversarial_loss = nn.BCELoss()
        self.optimizer_G = optim.Adam(
            list(self.encoder.parameters()) + list(self.decoder.parameters()),
            lr=learning_rate,
        )
        self.optimizer_D = optim.Adam(
            self.discriminator.parameters(), lr=learning_rate
        )

    def train_step(self, real_data):
        """One iteration of the seed's loop body; returns (g_loss, d_loss)."""
        encoder, decoder, discriminator = (
            self.encoder,
            self.decoder,
            self.discriminator,
        )
        real_data = real_data.view(-1, self.input_dim)
        valid = torch.ones(real_data.size(0), 1)
        fake = torch.zeros(real_data.size(0), 1)

        self.optimizer_G.zero_grad()
        z = encoder(real_data)
        reconstructed_data = decoder(z)
        recon_loss = self.reconstruction_loss(reconstructed_data, real_data)
        validity = discriminator(z)
        reg_loss = self.adversarial_loss(validity, valid)
        g_loss = recon_loss + reg_loss
        g_loss.backward()
        self.optimizer_G.step()

        self.optimizer_D.zero_grad()
        z_real = torch.randn(real_data.size(0), self.z_dim)
        validity_real = discriminator(z_real)
        d_real_loss = self.adversarial_loss(validity_real, valid)
        z_fake = encoder(real_data).detach()
        validity_fake = discriminator(z_fake)
        d_fake_loss = self.adversarial_loss(validity_fake, fake)
        d_loss = 0.5 * (d_real_loss + d_fake_loss)
        d_loss.backward()
        self.optimizer_D.step()
        return g_loss, d_loss

    def fit(
        self,
        images,
        labels,
        epochs,
        batch_size=128,
        verbose=True,
        max_steps=None,
    ):
        """Runs the seed's loop; returns (history, images seen, seconds)."""
        train_loader = DataLoader(
            dataset=ImageDataset(images, labels),
            batch_size=batch_size,
            shuffle=True,
        )
        history = []
        seen = 0
        start = time.perf_counter()
        for epoch in range(epochs):
            for batch_idx, (real_data, _) in enumerate(train_loader):
                g_loss, d_loss = self.train_step(real_data)
                seen += real_data.size(0)
                if max_steps is not None and batch_idx + 1 >= max_steps:
                    break
            history.append({"g_loss": g_loss.item(), "d_loss": d_loss.item()})
            if verbose:
                print(
                    f"Epoch [{epoch + 1}/{epochs}] | G Loss: {g_loss.item():.4f} "
                    f"| D Loss: {d_loss.item():.4f}",
                    flush=True,
                )
        return history, seen, time.perf_counter() - start

    @torch.no_grad()
    def encode(self, images, batch_size=1000):
        flat = images.reshape(len(images), -1)
        return np.concatenate(
            [
                self.encoder(torch.from_numpy(flat[i : i + batch_size])).numpy()
                for i in range(0, len(flat), batch_size)
            ]
        )

    @torch.no_grad()
    def decode(self, codes, shape=(28, 28, 1), batch_size=1000):
        codes = np.asarray(codes, dtype=np.float32)
        out = np.concatenate(
            [
                self.decoder(
                    torch.from_numpy(codes[i : i + batch_size])
                ).numpy()
                for i in range(0, len(codes), batch_size)
            ]
        )
        return out.reshape((len(codes),) + tuple(shape))


def read_idx_images(path):
    """MNIST images from a gzipped IDX file, as torchvision reads them:
    `(n, 28, 28, 1)` float32 in [0, 1] (`transforms.ToTensor()`)."""
    import gzip

    with gzip.open(path, "rb") as f:
        raw = f.read()
    count, rows, cols = (
        int.from_bytes(raw[i : i + 4], "big") for i in (4, 8, 12)
    )
    pixels = np.frombuffer(raw, np.uint8, offset=16)
    return (pixels.reshape(count, rows, cols, 1) / 255.0).astype(np.float32)


def parse_run_args(argv, description):
    """The arguments `speed.py` passes to a PyTorch training script."""
    import argparse
    import os

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256])
    parser.add_argument(
        "--mnist-dir",
        default=os.path.join(
            os.path.dirname(__file__), "..", "..", "shared", "data", "mnist"
        ),
    )
    return parser.parse_args(argv)


def main(argv=None):
    """The seed's script as a process: read MNIST, train, print per epoch.

    What the whole-process comparison in `speed.py` times: the seed's loop
    from the interpreter's start to its exit, on the 60,000 training
    images read from the IDX files, as the tutorial's torchvision does.
    """
    import json
    import os

    args = parse_run_args(argv, main.__doc__.splitlines()[0])
    images = read_idx_images(
        os.path.join(args.mnist_dir, "train-images-idx3-ubyte.gz")
    )
    labels = np.zeros(len(images), np.int64)  # the loop never reads them
    model = SeedAAE(hidden_dims=args.hidden, z_dim=args.latent_dim)
    seconds = []
    for _ in range(args.epochs):
        _, _, elapsed = model.fit(images, labels, 1, args.batch_size)
        seconds.append(elapsed)
    print(json.dumps({"images": len(images), "epoch_seconds": seconds}))


if __name__ == "__main__":
    main()
