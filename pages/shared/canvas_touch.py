"""The drawing canvas on a touch screen: no invisible toolbar over its top-right corner.

streamlit-drawable-canvas 0.13 keeps its toolbar (undo, redo, "Reset canvas & history") over the
canvas' top-right corner, see-through until the mouse hovers the canvas, when it slides up above
it. A finger never hovers: a stroke that starts there is lost, and a tap there presses the unseen
reset and erases the drawing. The component draws inside an open shadow root that the page's own
styles cannot reach, so a small script gives every such canvas one rule: on screens without
hover, the toolbar is not shown (the page's own Clear button stays). Mouse users keep it.
"""

from __future__ import annotations

import streamlit as st


def hide_toolbar_on_touch() -> None:
    """Give every drawing canvas of the page the touch-screen rule (see the module's note).

    The script runs once per browser tab (its flag), then after every change of the page: a new
    canvas (after Clear, or on another page) gets the rule as soon as its shadow root is there.
    """
    st.html("""
<script>
(() => {
  if (window.__canvasTouchRule) return;
  window.__canvasTouchRule = true;
  const RULE = "@media (hover: none), (pointer: coarse) {"
             + " .dc-toolbar { display: none !important; } }";
  const apply = () => {
    for (const host of document.querySelectorAll("[class*='st-key-'] *")) {
      const root = host.shadowRoot;
      if (!root || root.querySelector("style[data-touch-rule]")) continue;
      const style = document.createElement("style");
      style.dataset.touchRule = "";
      style.textContent = RULE;
      root.appendChild(style);
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; apply(); });
  }).observe(document.body, {childList: true, subtree: true});
  apply();
})();
</script>
""", unsafe_allow_javascript=True)
