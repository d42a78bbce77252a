"""The Keras side: the model spec, the trainings, the default model."""
