"""`model.export(path)`: one SavedModel that serves without keras_aae."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from helpers import ROOT
from helpers import build_variant
from helpers import make_model
from keras_aae.variants import VARIANTS

SERVE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf
    served = tf.saved_model.load(sys.argv[1])
    x = tf.constant(np.load(sys.argv[2]))
    out = {"signatures": sorted(served.signatures)}
    codes = served.signatures["encode"](images=x)["codes"]
    out["codes"] = codes.numpy().tolist()
    out["images"] = served.signatures["decode"](codes=codes)["images"].numpy().tolist()
    if "score" in served.signatures:
        scored = served.signatures["score"](images=x)
        out["scores"] = scored["scores"].numpy().tolist()
        out["anomalous"] = scored["anomalous"].numpy().tolist()
    out["modules"] = sorted(m for m in sys.modules if m.startswith("keras_aae"))
    print(json.dumps(out))
    """
)


def serve(path, images, tmp_path):
    """The SavedModel's signatures called by a process without keras_aae."""
    np.save(tmp_path / "x.npy", images)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", SERVE, str(path), str(tmp_path / "x.npy")],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        env=env,
        check=True,
    )
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["modules"] == []
    return out


def test_trained_and_loaded_model_exports_every_signature(
    tmp_path, digits_splits
):
    (x, _), (x_test, _) = digits_splits
    model = make_model()
    model.compile(jit_compile=False)  # the export is under test
    model.fit(x, epochs=2, batch_size=64, verbose=0)
    model.fit_anomaly_score(x, held_out=x_test[:200], quantile=0.9)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    names = loaded.export(str(tmp_path / "export"))
    assert names == ["serving_default", "encode", "decode", "score"]
    assert os.path.exists(tmp_path / "export" / "prior.json")
    out = serve(tmp_path / "export", x_test[:20], tmp_path)
    assert out["signatures"] == sorted(names)
    np.testing.assert_allclose(
        out["codes"], model.encode(x_test[:20]), atol=1e-5
    )
    np.testing.assert_allclose(
        out["scores"], model.score_anomalies(x_test[:20]), atol=1e-4
    )
    np.testing.assert_array_equal(
        out["anomalous"], model.is_anomalous(x_test[:20])
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_fresh_model_exports(variant, tmp_path):
    import tensorflow as tf

    model = build_variant(variant, latent_dim=2)
    model.export(str(tmp_path / "m"))
    served = tf.saved_model.load(str(tmp_path / "m"))
    expected = {"serving_default", "encode", "decode"}
    if hasattr(model, "classify"):
        expected.add("classify")
    if type(model.posterior).__name__ != "DeterministicPosterior":
        expected.add("sample")  # draws of q(z|x)
    assert set(served.signatures) == expected
    x = np.zeros((3, 8, 8, 1), np.float32)
    labels = np.array([0, 1, 1], np.int32)
    # The supervised model's call reads labels, domain adaptation's domains.
    extra = {}
    if variant == "supervised":
        extra, inputs = {"labels": labels}, (x, labels)
    elif variant == "domain_adaptation":
        extra, inputs = {"domains": labels}, (x, {"domain": labels})
    else:
        inputs = x
    out = served.signatures["serving_default"](images=x, **extra)
    np.testing.assert_allclose(
        out["reconstructions"].numpy(), model(inputs), atol=1e-5
    )
    codes = served.signatures["encode"](images=x)["codes"].numpy()
    np.testing.assert_allclose(codes, model.encode(x), atol=1e-5)


def test_other_formats_and_options_fail_in_one_line(tmp_path):
    model = make_model()
    for kwargs in ({"format": "onnx"}, {"input_signature": [1]}):
        with pytest.raises(ValueError) as error:
            model.export(str(tmp_path / "m"), **kwargs)
        assert "\n" not in str(error.value) and "Received" in str(error.value)
    assert not os.path.exists(tmp_path / "m")


SHIPPED = os.path.join(ROOT, "saved_models", "mnist-64d", "model.keras")


@pytest.mark.skipif(not os.path.exists(SHIPPED), reason="no shipped model")
def test_a_shipped_model_loads_and_exports(tmp_path, digits_splits):
    model = keras.models.load_model(SHIPPED)
    model.export(str(tmp_path / "export"))
    images = np.random.default_rng(0).uniform(size=(4, 28, 28, 1))
    out = serve(tmp_path / "export", images.astype("float32"), tmp_path)
    np.testing.assert_allclose(
        out["codes"], model.encode(images.astype("float32")), atol=1e-4
    )
    assert np.asarray(out["images"]).shape == (4, 28, 28, 1)
