"""The concept math: numpy only, no Streamlit, no TensorFlow."""
