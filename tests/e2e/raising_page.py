"""A page whose code raises, for tests/e2e/test_error_details.py: what does a visitor see?"""

from pathlib import Path

import streamlit as st

st.title("A page whose code raises")
raise RuntimeError(f"secret detail: the server keeps its files in {Path(__file__).parent}")
