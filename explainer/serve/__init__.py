"""Hosting for a class: several Streamlit servers behind nginx, and the job queue's processes.

``python -m explainer.serve`` (see __main__.py). Nothing here imports Streamlit or TensorFlow: the
servers and the workers are processes it starts and watches.
"""
