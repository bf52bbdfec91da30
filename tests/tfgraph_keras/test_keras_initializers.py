"""tfgraph_keras/initializers.py: Keras names, defaults and configs over tfgraph's initializers."""
import numpy as np

import tfgraph as tf
import tfgraph_keras as keras


def _sample(init, shape):
    with tf.Graph().as_default(), tf.Session() as sess:
        return sess.run(init(shape))


def test_variance_scaling_fans_over_given_axes_as_keras3():
    default = keras.initializers.VarianceScaling(1.0, "fan_in", "uniform", seed=1)
    by_axes = keras.initializers.VarianceScaling(1.0, "fan_in", "uniform", seed=1,
                                                 input_axes=[0], output_axes=[2])
    a = _sample(default, (3, 4, 500))       # fan_in = 3 * 4: limit sqrt(3 / 12) = 0.5
    b = _sample(by_axes, (3, 4, 500))       # fan_in = 3:     limit sqrt(3 / 3) = 1
    assert 0.45 < np.abs(a).max() <= 0.5 and 0.9 < np.abs(b).max() <= 1.0
    config = by_axes.get_config()
    assert config["input_axes"] == [0] and config["output_axes"] == [2]
    assert keras.initializers.VarianceScaling.from_config(config).get_config() == config


def test_glorot_config_carries_keras3_axes_and_loads_them():
    config = keras.initializers.GlorotUniform(seed=3).get_config()
    assert config == {"seed": 3, "input_axes": None, "output_axes": None}
    init = keras.initializers.get({"class_name": "GlorotUniform", "config": dict(
        config, input_axes=[0], output_axes=[1])})
    limit = np.sqrt(6.0 / (20 + 30))
    assert np.abs(_sample(init, (20, 30))).max() <= limit
