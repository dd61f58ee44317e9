"""What Keras keeps in its trainer, for models trained in several phases.

- `trainer.PhaseTrainer`: one optimizer per phase (compile, its config,
  loss scaling, the gradient's scale, XLA for the phases);
- `distribution`: `ReplicaSeedGenerator`, global-batch scaling, log shapes,
  `steps_per_execution`;
- `precision`: loss scaling under `mixed_float16`;
- `xla`: whether the phases run XLA-compiled; the persistent cache of
  compiled programs that the command line keeps.
"""

from keras_aae.training.distribution import DEFAULT_STEPS_PER_EXECUTION
from keras_aae.training.distribution import ReplicaSeedGenerator
from keras_aae.training.trainer import PhaseTrainer

__all__ = [
    "DEFAULT_STEPS_PER_EXECUTION",
    "PhaseTrainer",
    "ReplicaSeedGenerator",
]
