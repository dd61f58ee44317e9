"""Data: loading, `tf.data` pipelines, label subsets, input checks.

- `loading`: `load_arrays`, `load_splits` (train, validation, test) of any
  tensorflow-datasets image set or scikit-learn's offline `digits`;
- `pipelines`: `as_dataset` (shuffled, batched, resumable by epoch with
  `EpochOrder`),
  `semi_supervised_dataset`, `load`, `steps_per_epoch`;
- `labels`: `balanced_subset`, `hide_labels`, `split_classes`, `hold_out`;
- `domains`: `load_domain_splits`, `resize_images` and the checks of domain adaptation data
  (`domain_adaptation_dataset` batches both domains);
- `folders`: `load_image_folder`, a folder of the user's PNG and JPEG
  images (sub-folders as labels);
- `checks`: `check_training_data`, run by every model's `fit`;
- `cache`: `ArrayCache`, the decoded TFDS splits that `load_arrays` keeps
  (`$KERAS_AAE_CACHE/arrays`).

Example:

>>> from keras_aae import data
>>> train = data.load("digits", split="train", batch_size=64, seed=0)
>>> images = next(iter(train))
>>> images.shape
TensorShape([64, 8, 8, 1])
"""

from keras_aae.data.checks import check_training_data
from keras_aae.data.domains import MNIST_BOX_FRACTION
from keras_aae.data.domains import load_domain_splits
from keras_aae.data.domains import resize_images
from keras_aae.data.folders import ImageFolder
from keras_aae.data.folders import load_image_folder
from keras_aae.data.labels import balanced_subset
from keras_aae.data.labels import hide_labels
from keras_aae.data.labels import hold_out
from keras_aae.data.labels import split_classes
from keras_aae.data.loading import DIGITS
from keras_aae.data.loading import DatasetNotFoundError
from keras_aae.data.loading import load_arrays
from keras_aae.data.loading import load_splits
from keras_aae.data.loading import validation_size
from keras_aae.data.pipelines import EpochOrder
from keras_aae.data.pipelines import as_dataset
from keras_aae.data.pipelines import domain_adaptation_dataset
from keras_aae.data.pipelines import load
from keras_aae.data.pipelines import semi_supervised_dataset
from keras_aae.data.pipelines import steps_per_epoch

__all__ = [
    "DIGITS",
    "DatasetNotFoundError",
    "MNIST_BOX_FRACTION",
    "EpochOrder",
    "ImageFolder",
    "as_dataset",
    "balanced_subset",
    "check_training_data",
    "domain_adaptation_dataset",
    "hide_labels",
    "hold_out",
    "load",
    "load_arrays",
    "load_domain_splits",
    "load_image_folder",
    "load_splits",
    "resize_images",
    "semi_supervised_dataset",
    "split_classes",
    "steps_per_epoch",
    "validation_size",
]
