"""Argument checks shared by the public constructors.

Each check raises `TypeError` for a value of the wrong type and `ValueError`
for a value out of range, naming the argument and what was expected.
"""

import numbers


def check_positive_int(value, name):
    """Returns `value` as an int, or raises if it is not a positive int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be a positive int. Received: {name}={value!r}"
        )
    if value <= 0:
        raise ValueError(
            f"`{name}` must be a positive int. Received: {name}={value}"
        )
    return int(value)


def check_positive_number(value, name):
    """Returns `value` as a float, or raises if it is not positive."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a positive number. Received: {name}={value!r}"
        )
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(
            f"`{name}` must be a positive, finite number. "
            f"Received: {name}={value}"
        )
    return float(value)


def check_non_negative_number(value, name):
    """Returns `value` as a float, or raises if it is negative or not finite."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{name}` must be a non-negative number. Received: {name}={value!r}"
        )
    if not 0 <= value < float("inf"):
        raise ValueError(
            f"`{name}` must be a non-negative, finite number. "
            f"Received: {name}={value}"
        )
    return float(value)


def check_positive_int_list(values, name):
    """Returns `values` as a list of positive ints (an int counts as one)."""
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise TypeError(
            f"`{name}` must be a list of positive ints. Received: {name}={values!r}"
        )
    return [check_positive_int(v, name) for v in values]


def check_class_count(value, name):
    """Returns `value` as an int, or raises if it is not an int >= 2."""
    value = check_positive_int(value, name)
    if value < 2:
        raise ValueError(
            f"`{name}` must be at least 2. Received: {name}={value}"
        )
    return value


def check_keras_model(value, name):
    """Returns `value`, or raises `TypeError` if it is not a `keras.Model`."""
    import keras

    if not isinstance(value, keras.Model):
        raise TypeError(
            f"`{name}` must be a keras.Model. "
            f"Received: {name}={value!r} of type {type(value).__name__}"
        )
    return value


def check_option(identifier, option_type, name, expected):
    """Returns a model option from None, an instance or its config dict.

    Args:
        identifier: None, an instance of `option_type`, or a dict produced
            by `keras.saving.serialize_keras_object`.
        option_type: The option's class (or a tuple of classes).
        name: The argument's name, for the error.
        expected: What the error says was expected, e.g. "a ClusterBalance".

    Raises:
        TypeError: If `identifier` is none of those.
    """
    import keras

    if identifier is None or isinstance(identifier, option_type):
        return identifier
    if isinstance(identifier, dict):
        option = keras.saving.deserialize_keras_object(identifier)
        if isinstance(option, option_type):
            return option
    raise TypeError(
        f"`{name}` must be {expected}, its config dict or None. "
        f"Received: {name}={identifier!r} of type {type(identifier).__name__}"
    )
