"""Serving the app to a class: several Streamlit servers behind nginx, started by one command.

    python -m explainer.serve --replicas 3 --port 8500

``cluster`` starts and keeps them (``supervisor``), ``nginx`` writes the balancer's
configuration from ``nginx.conf.template``, ``address`` finds the address to share, ``status``
is what the host page reads, and ``hooks`` is where the trainings plug in. Nothing here imports
Streamlit: the servers are processes of their own.
"""
