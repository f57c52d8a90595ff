import tensorflow as tf


class RunningMean(tf.keras.layers.Layer):
    """Keeps a running mean of its inputs (a non-trainable statistic)."""

    def build(self, input_shape):
        self.mean = self.add_weight(
            name="mean",
            shape=(input_shape[-1],),
            initializer="zeros",
            trainable=False,
            use_resource=True,
            synchronization=tf.VariableSynchronization.AUTO,
            aggregation=tf.VariableAggregation.MEAN,
            experimental_autocast=False,
        )

    def call(self, inputs):
        self.mean.assign(0.9 * self.mean + 0.1 * tf.reduce_mean(inputs, axis=0))
        return inputs - self.mean
