"""Exported SavedModels serve with plain TensorFlow, without keras_aae."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from helpers import build_variant
from helpers import make_model
from keras_aae import export

SERVE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    decoder = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
    encoder = tf.saved_model.load(sys.argv[2]).signatures["serving_default"]
    z = np.load(sys.argv[3]); x = np.load(sys.argv[4])
    np.save(sys.argv[5], decoder(codes=tf.constant(z))["images"].numpy())
    np.save(sys.argv[6], encoder(images=tf.constant(x))["codes"].numpy())
    print(json.dumps(sorted(m for m in sys.modules if m.startswith("keras_aae"))))
    """
)


def test_saved_models_match_live_networks_without_the_package(
    tmp_path, small_images
):
    model = make_model()
    # Without XLA: the export is under test (the compiled phases have their
    # own test, tests/training/test_xla.py).
    model.compile(jit_compile=False)
    model.fit(small_images, epochs=1, batch_size=64, verbose=0)
    paths = export.export_model(model, str(tmp_path / "export"))
    z = np.random.default_rng(0).normal(size=(10, 4)).astype("float32")
    x = small_images[:10]
    files = [str(tmp_path / n) for n in ("z.npy", "x.npy", "xo.npy", "zo.npy")]
    np.save(files[0], z)
    np.save(files[1], x)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVE,
            paths["decoder"],
            paths["encoder"],
            *files,
        ],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        env=env,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
    np.testing.assert_allclose(
        np.load(files[2]), model.decoder(z).numpy(), atol=1e-5
    )
    np.testing.assert_allclose(
        np.load(files[3]), model.encoder(x).numpy(), atol=1e-5
    )


def test_saved_model_cli_lists_named_signature(tmp_path):
    model = make_model()
    path = export.export_decoder(model, str(tmp_path / "decoder"))
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    out = subprocess.run(
        [cli, "show", "--dir", path, "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "signature_def['serving_default']" in out
    assert "inputs['codes']" in out and "outputs['images']" in out


def test_export_replaces_previous_export_atomically(tmp_path):
    first, second = make_model(init_seed=1), make_model(init_seed=2)
    path = str(tmp_path / "decoder")
    export.export_decoder(first, path)
    export.export_decoder(second, path)
    assert sorted(os.listdir(tmp_path)) == ["decoder"]
    import tensorflow as tf

    served = tf.saved_model.load(path).signatures["serving_default"]
    z = np.zeros((1, 4), "float32")
    np.testing.assert_allclose(
        served(codes=tf.constant(z))["images"].numpy(),
        second.decoder(z).numpy(),
        atol=1e-6,
    )


def test_exported_weights_are_stored_once(tmp_path):
    model = make_model(hidden=(256,))
    path = export.export_encoder(model, str(tmp_path / "encoder"))
    size = os.path.getsize(
        os.path.join(path, "variables", "variables.data-00000-of-00001")
    )
    weight_bytes = 4 * model.encoder.count_params()
    # keras-team/keras#23553 stores each weight twice when the network is
    # tracked beside the endpoint that captures it.
    assert weight_bytes <= size < 1.2 * weight_bytes, (size, weight_bytes)


def test_classifier_export_serves_the_class_probabilities(tmp_path, digits):
    model = build_variant("domain_adaptation", latent_dim=3)
    paths = export.export_model(model, str(tmp_path))
    assert sorted(paths) == ["classifier", "decoder", "encoder"]
    served = tf.saved_model.load(paths["classifier"])
    x = digits[0][:16]
    probabilities = served.signatures["serving_default"](images=tf.constant(x))[
        "probabilities"
    ].numpy()
    np.testing.assert_allclose(
        probabilities, model.predict_classes(x), rtol=1e-5, atol=1e-6
    )
    with pytest.raises(TypeError):
        export.export_classifier(model.encoder, str(tmp_path / "x"))
