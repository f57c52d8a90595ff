"""migrate-tf: migrate TensorFlow 1 and Keras 2 code to idiomatic Keras 3."""

__version__ = "0.1.0"
