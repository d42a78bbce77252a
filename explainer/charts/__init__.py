"""Plotly figure builders; pages only display what these return."""
