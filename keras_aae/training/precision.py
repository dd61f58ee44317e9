"""Loss scaling for every phase's optimizer under `mixed_float16`.

Keras wraps only `model.optimizer` in a `LossScaleOptimizer`; a model with
one optimizer per phase must wrap the others itself, or small float16
gradients underflow to zero.
"""

import keras


def needs_loss_scaling(*layers):
    """Whether any of `layers` computes under the `mixed_float16` policy."""
    return any(layer.dtype_policy.name == "mixed_float16" for layer in layers)


def loss_scaled(optimizer):
    """`optimizer` wrapped in a `keras.optimizers.LossScaleOptimizer`
    (unless it is one already)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)
