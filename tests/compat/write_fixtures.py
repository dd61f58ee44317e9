"""Writes tests/compat/: one small .keras per variant, saved by keras-aae 0.1.0
(commit f7b8b53, before the redesign), with inputs, the outputs it computed
then, its weights, every optimizer's variables and its random state.

Run from a checkout of that commit: `python tests/compat/write_fixtures.py
tests/compat` (tests/models/test_saving.py loads the files with today's
code)."""

import os
import sys

os.environ["KERAS_BACKEND"] = "tensorflow"
import keras
import numpy as np

from keras_aae import data
from keras_aae import variants

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
x, y = data.load_arrays("digits", "train")
x, y = x[:128], y[:128]
arrays = {"images": x[:16], "labels": y[:16]}
for name in sorted(variants.VARIANTS):
    keras.utils.set_random_seed(0)
    kw = {"num_classes": 10}
    model = variants.build(name, (8, 8, 1), 2, hidden=[16], seed=0, **kw)
    model.compile()
    ds = variants.training_dataset(
        name,
        x,
        y,
        num_labels=None if name != "semi_supervised" else 50,
        batch_size=32,
        seed=0,
    )
    model.fit(ds, epochs=1, verbose=0)
    model.save(os.path.join(out, f"{name}.keras"))
    arrays[f"{name}/codes"] = model.encode(x[:16])
    arrays[f"{name}/reconstructions"] = model.reconstruct(x[:16], y[:16])
    arrays[f"{name}/seed_state"] = model.seed_generator.state.numpy()
    for phase in model._PHASES:
        optimizer = getattr(model, f"{phase}_optimizer")
        for i, v in enumerate(optimizer.variables):
            arrays[f"{name}/{phase}_optimizer/{i}"] = v.numpy()
    for net in model.layers:
        for v in net.weights:
            arrays[f"{name}/weights/{net.name}/{v.path}"] = v.numpy()
np.savez(os.path.join(out, "expected.npz"), **arrays)
print(sorted(os.listdir(out)), {k: v.shape for k, v in arrays.items()})
