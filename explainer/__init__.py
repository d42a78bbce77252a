"""The math behind the app: numpy only, no Streamlit, no TensorFlow at import time."""
