"""Tests for `keras_aae.recipes`: every recipe builds, trains, round-trips."""

import os

import keras
import numpy as np
import pytest

from keras_aae import data
from keras_aae import models
from keras_aae import posteriors
from keras_aae import recipes
from keras_aae import variants

SHAPE = (8, 8, 1)


def _digits_like(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(size=(n,) + SHAPE).astype("float32"),
        np.arange(n) % 10,
    )


@pytest.mark.parametrize("name", sorted(recipes.RECIPES))
def test_recipe_builds_at_its_own_sizes(name):
    recipe = recipes.get(name)
    model = recipe.build(SHAPE, steps_per_epoch=10, seed=0)
    assert isinstance(model, variants.VARIANTS[recipe.variant])
    # `hidden` sizes the MLPs: the encoder's, or with convolutional
    # networks the discriminator's.
    sized = (
        model.encoder if recipe.architecture == "mlp" else model.discriminator
    )
    widths = [
        layer.units
        for layer in sized.layers
        if isinstance(layer, keras.layers.Dense)
    ]
    assert widths[: len(recipe.hidden)] == list(recipe.hidden)
    if "posterior" in recipe.model_arguments:
        expected = posteriors.get(recipe.model_arguments["posterior"])
        assert model.posterior.get_config() == expected.get_config()


@pytest.mark.parametrize("name", sorted(recipes.RECIPES))
def test_recipe_trains_and_round_trips(name, tmp_path):
    # The recipe's own optimizers, schedules and model arguments, on
    # networks small enough for a test.
    recipe = recipes.get(name)
    recipe = recipe.replace(
        hidden=(16,),
        discriminator_hidden=(16,),
        batch_size=16,
        num_labels=None if recipe.num_labels is None else 20,
    )
    x, y = _digits_like()
    model = recipe.build(
        SHAPE, recipe.steps_per_epoch(len(x)), seed=0, jit_compile=False
    )
    before = [w.numpy().copy() for w in model.encoder.weights]
    extra = {}
    if recipe.variant == "domain_adaptation":
        # Unlabeled target images beside the labeled source.
        extra = {
            "target_images": _digits_like(seed=1)[0],
            "order": data.EpochOrder(seed=0),
        }
    history = model.fit(
        recipe.dataset(x, y, seed=0, **extra), epochs=1, verbose=0
    )
    assert np.isfinite(history.history["loss"][-1])
    after = model.encoder.weights
    assert any(
        not np.allclose(a, b.numpy())
        for a, b in zip(before, after, strict=True)
    )
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    loaded = models.load_model(path)
    assert type(loaded) is type(model)
    np.testing.assert_allclose(loaded.encode(x), model.encode(x), atol=1e-6)
    for phase in model._PHASES:
        saved = getattr(model, f"{phase}_optimizer").get_config()
        assert getattr(loaded, f"{phase}_optimizer").get_config() == saved


def test_paper_schedule_divides_every_rate_by_ten_at_the_decay_epochs():
    recipe = recipes.get("paper_semi_supervised")
    arguments = recipe.compile_arguments(
        ("reconstruction", "classification"), steps_per_epoch=600
    )
    config = arguments["classification_optimizer"].get_config()
    schedule = keras.optimizers.schedules.deserialize(config["learning_rate"])
    steps = (0, 600 * 50 - 1, 600 * 50, 600 * 1000 - 1, 600 * 1000)
    rates = [float(schedule(step)) for step in steps]
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-6)
    assert arguments["reconstruction_optimizer"].momentum == 0.9


def test_recipe_config_round_trips():
    recipe = recipes.get("paper_clustering").replace(num_classes=30)
    assert recipes.Recipe.from_config(recipe.get_config()) == recipe


def test_unknown_recipe_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="paper_semi_supervised.*'nope'"):
        recipes.get("nope")


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"variant": "gan"}, "variant='gan'"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"batch_size": -1}, "batch_size"),
        ({"num_labels": 0}, "num_labels"),
    ],
)
def test_bad_recipe_fields_are_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        recipes.get("paper_semi_supervised").replace(**changes)


@pytest.mark.parametrize("weight, expected", [(0.0, None), (0.05, 0.05)])
def test_a_recipes_sample_adversary_weight_builds_it_or_none(weight, expected):
    recipe = recipes.Recipe(
        "unsupervised", 4, hidden=(16,), sample_adversary=weight
    )
    model = recipe.build(SHAPE, steps_per_epoch=10, seed=0)
    if expected is None:
        assert model.sample_adversary is None
    else:
        assert model.sample_adversary.weight == expected
        shape = model.sample_adversary.discriminator.inputs[0].shape[1:]
        assert tuple(shape) == SHAPE
    assert recipes.Recipe.from_config(recipe.get_config()) == recipe


def test_a_negative_sample_adversary_weight_is_refused():
    with pytest.raises(ValueError, match="sample_adversary"):
        recipes.Recipe("unsupervised", 4, sample_adversary=-1.0)
