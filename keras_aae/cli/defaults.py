"""`keras-aae train`'s arguments, completed from `--recipe` and defaults.

The parser leaves every argument a recipe can set at None, so an argument
the user typed always wins over the recipe, and the recipe over the
package's defaults (`parser.TRAIN_DEFAULTS`). What a recipe holds that has
no flag (discriminator steps and sizes, SGD with its schedule) reaches the
model and `compile` through `recipe_model_arguments` and
`recipe_compile_arguments`.
"""

from keras_aae import recipes
from keras_aae.cli.parser import TRAIN_DEFAULTS

# Recipe fields with a flag of the same name.
_FIELDS = ("epochs", "batch_size", "latent_dim", "hidden", "variant")
_FIELDS += ("num_classes", "sample_adversary", "architecture")
# Model arguments with a flag of the same name.
_MODEL_FLAGS = ("prior", "posterior", "discriminator_noise")
_MODEL_FLAGS += ("reconstruction_loss",)


def complete(args):
    """Fills `args`' unset arguments in place: recipe, then defaults.

    Args:
        args: The parsed `train` arguments (`argparse.Namespace`).

    Returns:
        `args`, with `num_labels` None for "every label".
    """
    recipe = recipes.get(args.recipe) if args.recipe else None
    given = {}
    if recipe is not None:
        given = {name: getattr(recipe, name) for name in _FIELDS}
        given["hidden"] = list(recipe.hidden)
        given["num_labels"] = recipe.num_labels
        given.update(
            {
                name: recipe.model_arguments[name]
                for name in _MODEL_FLAGS
                if name in recipe.model_arguments
            }
        )
    for name in (*TRAIN_DEFAULTS, *_MODEL_FLAGS, "sample_adversary"):
        if getattr(args, name) is None:
            value = given.get(name)
            setattr(
                args, name, TRAIN_DEFAULTS.get(name) if value is None else value
            )
    if args.num_labels is None:
        args.num_labels = given.get("num_labels")
    elif args.num_labels == "all":
        args.num_labels = None
    return args


def recipe_model_arguments(args):
    """The model arguments of `args.recipe` that have no flag (e.g.
    `discriminator_steps`, `discriminator_hidden`); {} without a recipe."""
    if not args.recipe:
        return {}
    recipe = recipes.get(args.recipe)
    arguments = {
        name: value
        for name, value in recipe.model_arguments.items()
        if name not in _MODEL_FLAGS
    }
    if recipe.discriminator_hidden is not None:
        arguments["discriminator_hidden"] = list(recipe.discriminator_hidden)
    return arguments


def recipe_compile_arguments(args, phases, steps_per_epoch):
    """The `compile` arguments of `args.recipe` (its optimizers and
    schedules) for a model with these `phases`; {} without a recipe.

    Raises:
        ValueError: If a learning-rate flag would change an SGD recipe's
            scheduled optimizer.
    """
    if not args.recipe:
        return {}
    recipe = recipes.get(args.recipe)
    flags = [
        phase
        for phase in phases
        if getattr(args, f"{phase}_lr", None) is not None
    ]
    if recipe.sgd and flags:
        raise ValueError(
            f"Recipe {args.recipe!r} trains with SGD on a schedule; a "
            "learning-rate flag cannot change it (drop the flag, or train "
            f"without the recipe). Received: --{flags[0]}-lr "
            f"{getattr(args, flags[0] + '_lr')}"
        )
    return recipe.compile_arguments(phases, steps_per_epoch)
