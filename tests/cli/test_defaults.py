"""Tests of keras_aae.cli.defaults: `--recipe`, flags and defaults."""

import pytest

from keras_aae import recipes
from keras_aae.cli import defaults
from keras_aae.cli import parser


def _train_args(*argv):
    return parser.build_parser().parse_args(["train", "--out", "o", *argv])


def test_without_a_recipe_the_package_defaults_fill_the_gaps():
    args = defaults.complete(_train_args("--latent-dim", "3"))
    assert args.latent_dim == 3
    for name, value in parser.TRAIN_DEFAULTS.items():
        if name != "latent_dim":
            assert getattr(args, name) == value, name
    assert args.num_labels is None and args.prior is None
    assert defaults.recipe_model_arguments(args) == {}


def test_a_recipe_fills_what_the_command_line_left_unset():
    recipe = recipes.get("fast_semi_supervised")
    args = defaults.complete(
        _train_args("--recipe", "fast-semi-supervised", "--epochs", "3")
    )
    assert args.epochs == 3  # typed: wins over the recipe
    assert args.variant == "semi_supervised"
    assert args.latent_dim == recipe.latent_dim
    assert args.hidden == list(recipe.hidden)
    assert args.batch_size == recipe.batch_size
    assert args.num_labels == recipe.num_labels == 100
    assert args.posterior == recipe.model_arguments["posterior"]
    assert args.discriminator_noise == 0.0
    assert defaults.recipe_model_arguments(args) == {"discriminator_steps": 1}


def test_all_labels_typed_overrides_a_recipes_label_budget():
    args = defaults.complete(
        _train_args("--recipe", "fast_semi_supervised", "--num-labels", "all")
    )
    assert args.num_labels is None
    args = defaults.complete(
        _train_args("--recipe", "fast_semi_supervised", "--num-labels", "20")
    )
    assert args.num_labels == 20


def test_the_showcase_recipe_sets_its_epochs_and_networks():
    args = defaults.complete(_train_args("--recipe", "showcase"))
    recipe = recipes.get("showcase")
    assert (args.epochs, args.batch_size) == (recipe.epochs, recipe.batch_size)
    assert (args.latent_dim, args.variant) == (8, "unsupervised")
    assert args.sample_adversary == recipe.sample_adversary == 0.02
    typed = _train_args("--recipe", "showcase", "--sample-adversary", "0")
    assert defaults.complete(typed).sample_adversary == 0.0


def test_an_sgd_recipe_refuses_a_learning_rate_flag():
    args = defaults.complete(
        _train_args("--recipe", "paper_supervised", "--generator-lr", "0.1")
    )
    with pytest.raises(ValueError, match="--generator-lr 0.1"):
        defaults.recipe_compile_arguments(
            args, ("reconstruction", "generator"), steps_per_epoch=10
        )
    args = defaults.complete(_train_args("--recipe", "paper_supervised"))
    arguments = defaults.recipe_compile_arguments(
        args, ("reconstruction", "generator"), steps_per_epoch=10
    )
    assert set(arguments) == {"reconstruction_optimizer", "generator_optimizer"}


def test_an_unknown_recipe_is_a_usage_error():
    with pytest.raises(parser.UsageError, match="unknown recipe 'nope'"):
        _train_args("--recipe", "nope")
