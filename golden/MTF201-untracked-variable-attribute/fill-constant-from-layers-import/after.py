import keras
from tensorflow.keras.layers import Layer


class LearnedTemperature(Layer):
    """Divides logits by a learned per-class temperature that starts at 0.5."""

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes

    def build(self, input_shape):
        self.temperature = self.add_weight(
            name="temperature",
            shape=[self.num_classes],
            initializer=keras.initializers.Constant(value=0.5),
        )

    def call(self, logits):
        return logits / self.temperature
