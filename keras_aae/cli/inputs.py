"""The images a command reads: a TFDS dataset, `digits`, or a folder.

`training_splits` gives `keras-aae train` its train, validation and test
splits from `--dataset` or `--images` (with `--classes`, `--holdout-labels`
and domain adaptation's `--target-dataset`); `scoring_images` gives
`keras-aae score` the images to score with their names and labels.
"""

import numpy as np

from keras_aae import data

# The share of a folder's images held out of training: the anomaly
# threshold is a quantile of their scores, and the figures show them.
FOLDER_HELD_OUT = 0.1


def _folder_splits(args):
    folder = data.load_image_folder(args.images, image_size=args.image_size)
    labels = folder.labels
    if labels is None:
        labels = np.zeros(len(folder.images), np.int32)
    if len(folder.images) < 10:
        raise ValueError(
            f"The image folder {args.images!r} holds {len(folder.images)} "
            "images; training needs at least 10 (a tenth is held out for "
            "the anomaly threshold)."
        )
    order = np.random.default_rng(args.seed).permutation(len(labels))
    cut = max(1, int(round(FOLDER_HELD_OUT * len(labels))))
    held, kept = order[:cut], order[cut:]
    held_out = (folder.images[held], labels[held])
    return {
        "train": (folder.images[kept], labels[kept]),
        "validation": held_out,
        "test": held_out,
    }, folder.class_names


def _keep_classes(splits, classes, names):
    """Keeps `classes` (ints, or sub-folder names) in train and validation;
    the test split keeps every class (the figures show the others too)."""
    wanted = []
    for c in classes:
        if c in names:
            wanted.append(names.index(c))
        elif str(c).isdigit():
            wanted.append(int(c))
        else:
            raise ValueError(
                f"Unknown class {c!r}: expected a label number or one of the "
                f"image folder's sub-folders {list(names)}. Received: "
                f"--classes {' '.join(map(str, classes))}"
            )
    kept = dict(splits)
    for key in ("train", "validation"):
        x, y = splits[key]
        mask = np.isin(y, wanted)
        kept[key] = (x[mask], y[mask])
    if not len(kept["train"][0]):
        present = sorted(set(np.unique(splits["train"][1]).tolist()))
        raise ValueError(
            f"No training image has the classes {wanted}; the labels there "
            f"are {present}. Received: --classes "
            f"{' '.join(map(str, classes))}"
        )
    return kept


def training_splits(args):
    """`(splits, target_images)` for `keras-aae train`.

    `splits` holds `"train"`, `"validation"` (normal images kept out of
    training: the anomaly threshold's) and `"test"`, each `(images,
    labels)`; `target_images` is the domain adaptation target's training
    images (else None).

    Raises:
        ValueError: On a bad folder, unknown classes, or arguments that do
            not go together.
    """
    adapting = args.variant == "domain_adaptation"
    if adapting != bool(args.target_dataset):
        raise ValueError(
            "--target-dataset goes with --variant domain_adaptation, and "
            "that variant needs it. Received: --variant "
            f"{args.variant} --target-dataset {args.target_dataset}"
        )
    if args.images and adapting:
        raise ValueError(
            "--images trains on a folder; domain adaptation reads TFDS "
            "datasets. Received: --images with --variant domain_adaptation"
        )
    target_images, names = None, ()
    if args.images:
        splits, names = _folder_splits(args)
    elif adapting:
        domains = data.load_domain_splits(
            args.dataset, args.target_dataset, data_dir=args.data_dir
        )
        # Only the target's images: its labels never reach training.
        splits, target_images = domains["source"], domains["target"]["train"][0]
    else:
        splits = data.load_splits(args.dataset, data_dir=args.data_dir)
    if args.classes:
        splits = _keep_classes(splits, args.classes, names)
    if args.holdout_labels:
        splits = dict(splits)
        for key in ("train", "validation"):
            (x, y), _ = data.split_classes(*splits[key], args.holdout_labels)
            splits[key] = (x, y)
    return splits, target_images


def scoring_images(args, image_size, channels):
    """`(images, names, labels)` for `keras-aae score`: a folder's images
    resized to the model's (names are paths, labels sub-folder names), or
    a dataset split's (names are indices, labels the dataset's)."""
    if args.images:
        folder = data.load_image_folder(
            args.images, image_size=image_size, channels=channels
        )
        labels = None
        if folder.labels is not None:
            labels = [folder.class_names[i] for i in folder.labels]
        return folder.images, list(folder.paths), labels
    images, labels = data.load_arrays(
        args.dataset, args.split, data_dir=args.data_dir
    )
    if tuple(images.shape[1:]) != (*image_size, channels):
        raise ValueError(
            f"The model reads images of shape {(*image_size, channels)}; "
            f"{args.dataset}'s are {tuple(images.shape[1:])}."
        )
    return images, list(range(len(images))), [int(v) for v in labels]
