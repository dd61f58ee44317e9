"""A user's own images: a folder of PNG or JPEG files as arrays.

`load_image_folder` reads every PNG and JPEG under a folder (sub-folders as
labels when the images sit in them), decodes them with TensorFlow, converts
them to one channel count and one size, and scales them to [0, 1]. Bad
folders get one clear `ValueError`: empty, unreadable files, images at
the top beside sub-folders of images, or sizes that differ without a size
to resize them to.

Example:

>>> # images = load_image_folder("photos/normal", image_size=(64, 64))
>>> # images.images.shape, images.paths[0], images.class_names
"""

import dataclasses
import os
import re

import numpy as np
import tensorflow as tf

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")


@dataclasses.dataclass(frozen=True)
class ImageFolder:
    """The images of a folder.

    Attributes:
        images: float32 `(n, height, width, channels)` in [0, 1].
        labels: int32 `(n,)`: the index of each image's sub-folder in
            `class_names`, or None for a folder without sub-folders.
        paths: The images' paths, in the order of `images` (sorted).
        class_names: The sub-folders' names, sorted (empty without them).
    """

    images: np.ndarray
    labels: np.ndarray
    paths: tuple
    class_names: tuple


def _image_files(folder):
    """Sorted image paths directly in `folder`."""
    return sorted(
        os.path.join(folder, name)
        for name in os.listdir(folder)
        if name.lower().endswith(IMAGE_EXTENSIONS)
        and os.path.isfile(os.path.join(folder, name))
    )


def _listing(folder):
    """`(paths, labels or None, class_names)` of a folder's images."""
    if not os.path.isdir(folder):
        raise ValueError(
            f"The image folder {folder!r} does not exist or is not a folder."
        )
    top = _image_files(folder)
    classes = {}
    for name in sorted(os.listdir(folder)):
        sub = os.path.join(folder, name)
        if os.path.isdir(sub) and _image_files(sub):
            classes[name] = _image_files(sub)
    if top and classes:
        raise ValueError(
            f"The image folder {folder!r} mixes images at its top "
            f"({os.path.basename(top[0])!r}, ...) with sub-folders of images "
            f"({', '.join(classes)}): put every image in a sub-folder (one "
            "per label) or none."
        )
    if not top and not classes:
        raise ValueError(
            f"The image folder {folder!r} holds no PNG or JPEG images "
            f"(extensions {', '.join(IMAGE_EXTENSIONS)}), at its top or one "
            "sub-folder down."
        )
    if top:
        return top, None, ()
    names = tuple(classes)
    paths = [p for n in names for p in classes[n]]
    labels = [i for i, n in enumerate(names) for _ in classes[n]]
    return paths, np.asarray(labels, np.int32), names


def _decode(path):
    try:
        with open(path, "rb") as f:
            content = f.read()
        return tf.io.decode_image(content, expand_animations=False).numpy()
    except (OSError, tf.errors.OpError) as error:
        reason = getattr(error, "message", None) or str(error)
        reason = re.sub(r"\{\{[^}]*\}\}", "", reason)  # TF's op names
        raise ValueError(
            f"Could not read the image {path!r}: "
            f"{' '.join(reason.split())[:160]}. Remove or replace it."
        ) from None


def _channels(decoded, channels):
    """The images converted to `channels` (default: 1 if all are gray)."""
    if channels is None:
        channels = 1 if all(d.shape[-1] in (1, 2) for d in decoded) else 3
    converted = []
    for d in decoded:
        d = d[..., :1] if d.shape[-1] == 2 else d[..., :3]  # drop alpha
        if d.shape[-1] == 1 and channels == 3:
            d = np.repeat(d, 3, axis=-1)
        elif d.shape[-1] == 3 and channels == 1:
            d = tf.image.rgb_to_grayscale(d).numpy()
        converted.append(d)
    return converted


def _one_size(decoded, paths, image_size):
    if image_size is None:
        sizes = {d.shape[:2] for d in decoded}
        if len(sizes) > 1:
            first = decoded[0].shape[:2]
            other = next(
                i for i, d in enumerate(decoded) if d.shape[:2] != first
            )
            raise ValueError(
                "The images differ in size: "
                f"{os.path.basename(paths[0])!r} is {first[0]}x{first[1]}, "
                f"{os.path.basename(paths[other])!r} is "
                f"{decoded[other].shape[0]}x{decoded[other].shape[1]}; pass "
                "an image size (`--image-size HEIGHT WIDTH`) to resize them "
                "all to it."
            )
        return np.stack(decoded).astype(np.float32) / 255.0
    height, width = image_size
    return np.stack(
        [
            tf.image.resize(d.astype(np.float32), (height, width)).numpy()
            if d.shape[:2] != (height, width)
            else d.astype(np.float32)
            for d in decoded
        ]
    ).clip(0, 255) / np.float32(255.0)


def _check_size(image_size):
    if image_size is None:
        return None
    if (
        len(image_size) != 2
        or not all(isinstance(v, (int, np.integer)) for v in image_size)
        or min(image_size) < 1
    ):
        raise ValueError(
            "`image_size` must be two positive ints (height, width). "
            f"Received: image_size={image_size!r}"
        )
    return tuple(int(v) for v in image_size)


def load_image_folder(folder, image_size=None, channels=None):
    """Reads a folder of PNG and JPEG images into arrays.

    Images sit directly in `folder`, or in sub-folders whose names become
    the labels (`class_names`, sorted; `labels` index them).

    Args:
        folder: The folder's path.
        image_size: Optional `(height, width)` every image is resized to;
            without it the images must all have one size.
        channels: 1 (grayscale) or 3 (colour); default 1 when every image is
            grayscale, else 3 (gray images repeated into three channels).
            Alpha channels are dropped.

    Returns:
        An `ImageFolder`.

    Raises:
        ValueError: If the folder is missing or holds no images, mixes
            images at the top with sub-folders, holds a file that does not
            decode (naming it), or sizes differ without `image_size`.

    Example:

    >>> # folder = load_image_folder("scans", image_size=(28, 28), channels=1)
    """
    image_size = _check_size(image_size)
    if channels not in (None, 1, 3):
        raise ValueError(
            f"`channels` must be 1, 3 or None. Received: channels={channels!r}"
        )
    paths, labels, names = _listing(os.fspath(folder))
    decoded = _channels([_decode(p) for p in paths], channels)
    images = _one_size(decoded, paths, image_size)
    return ImageFolder(images.astype(np.float32), labels, tuple(paths), names)
