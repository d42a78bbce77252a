"""Glossary: the closing review, every key term in two lines with a link to where you tried it."""

import streamlit as st

from explainer.content import journey
from explainer.content.glossary import TERMS
from pages.shared import check, end_page, start_page

start_page(__file__)

PAGE = "pages/glossary.py"

st.title("Glossary")
st.markdown("**The closing review of the journey: every word you met, in two lines each.**")
st.caption("It comes after Draw a digit, at the end of the walk. Go through the words below and "
           "check you could explain each one to a friend; where one is hazy, follow its link back "
           "to the page where you played with it.")

with st.expander("Check yourself first: three questions from the journey",
                 expanded=not st.query_params.get("term")):
    check.task(PAGE, "relu_double", "A ReLU cell outputs 3. Double every one of its weights and "
               "its bias: what does it output now?", ["0", "3", "6", "9"], "6",
               "Its weighted sum and its bias both double, so their total doubles to 6, and "
               "ReLU passes a positive total unchanged.")
    check.task(PAGE, "batch_cost", "A batch of four digits has losses 0.1, 0.3, 0.2 and 0.2. "
               "What is the cost on this batch?", ["0.2", "0.3", "0.8"], "0.2",
               "The cost is the mean loss: (0.1 + 0.3 + 0.2 + 0.2) / 4 = 0.2, not their sum.")
    check.task(PAGE, "huge_rate", "Gradient descent reaches the bottom with a learning rate of "
               "0.2. What can a rate 100 times larger do?",
               ["Get there 100 times faster", "Jump past the bottom and run away",
                "Exactly the same"], "Jump past the bottom and run away",
               "Each step overshoots the bottom by more than it started from, so the steps grow "
               "and the weights run off: it diverges.")
    check.progress(PAGE, 3)

# A link such as /glossary?term=softmax opens the page filtered to that term.
linked = st.query_params.get("term", "")
st.session_state.setdefault("glossary_query", str(linked)[:40])
query = st.text_input("Find a term", key="glossary_query", placeholder="e.g. softmax",
                      max_chars=40).strip().lower()
shown = [t for t in TERMS if query in t.name.lower() or query in t.definition.lower()]
if not shown:
    # The search may come from a link (?term=...): it stays in the text box and never goes into
    # markdown, where a crafted one could become a link or an image.
    st.info("No term matches your search. Try another word, or clear the box.")

columns = st.columns(2)
for i, term in enumerate(shown):
    with columns[i % 2].container(border=True):
        st.markdown(f"**{term.name}**")
        st.write(term.definition)
        stop = journey.find(term.page) if term.page else None
        if stop is not None and stop.exists:
            st.page_link(stop.page, label=f"Try it: {stop.title}", icon=stop.icon)

end_page(__file__)
