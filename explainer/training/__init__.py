"""Trainings: the network as a spec, the worker processes that run Keras, the default model.

Only :mod:`explainer.training.worker` and :mod:`explainer.training.keras_fit` import Keras, and
only inside a worker process; everything the web process imports here is numpy and threads.
"""
