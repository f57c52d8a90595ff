"""Training entry point (unchanged by the migration, apart from what it calls)."""

import tensorflow as tf

from speech_model.layers import AttentionPooling, FrameNormalization


def build_model(num_frames=98, channels=40, num_keywords=12):
    frames = tf.keras.Input(shape=(num_frames, channels))
    x = FrameNormalization(channels, name="frame_norm")(frames)
    x = tf.keras.layers.Conv1D(64, 3, padding="same", activation="relu")(x)
    x = AttentionPooling(name="pool")(x)
    logits = tf.keras.layers.Dense(num_keywords)(x)
    return tf.keras.Model(frames, logits)


if __name__ == "__main__":
    model = build_model()
    model.summary()
