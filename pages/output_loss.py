"""Output and loss: softmax turns 10 scores into probabilities; the loss says how wrong they are."""

import numpy as np
import streamlit as st

from explainer.charts import output as charts
from explainer.concepts.lessons import backprop as bp
from explainer.concepts.nn import network
from explainer.concepts.nn import softmax_loss as sl
from explainer.concepts.nn.optimizers import RMSprop
from explainer.data.mnist import load_sample
from pages.shared import check, end_page, start_page, terms, url_state

start_page(__file__)

PAGE = "pages/output_loss.py"
SOURCES = ("Scores I set", "A real digit, random weights")
DEFAULT_SCORES = (0.5, -1.0, 0.2, 3.0, -0.5, 1.0, 0.0, -2.0, 1.5, 0.3)
SCORE_RANGE = (-5.0, 10.0)
SCALES = (1, 10, 100, 1000)
HIDDEN = 32  # the stand-in network: 784-32-10, small enough to train here in a second
TRAIN_STEPS = 200


@st.cache_data(show_spinner=False, max_entries=16)
def small_network(seed: int, trained: bool) -> network.Network:
    """A 784-32-10 network with random weights, or the same after a short training."""
    net = network.init_network((784, HIDDEN, 10), "relu", seed=seed)
    if trained:
        data = load_sample()
        net, _ = bp.train(net, network.digit_inputs(data.x_train), data.y_train, RMSprop(0.002),
                          TRAIN_STEPS, batch_size=64, seed=seed)
    return net


def raw_scores() -> list[float]:
    """The ten scores set with the sliders (the correct digit's from its own slider)."""
    label = st.session_state.get("label", 3)
    return [st.session_state.get("score", 3.0) if i == label else
            st.session_state[f"output_score_{i}"] for i in range(10)]


def shift_scores():
    """Add 5 to every score (or take 5 away where adding would leave the sliders' range)."""
    shift = 5.0 if np.max(raw_scores()) + 5 <= SCORE_RANGE[1] else -5.0
    label = st.session_state.get("label", 3)
    for i in range(10):
        key = "score" if i == label else f"output_score_{i}"
        now = st.session_state.get(key, 3.0)
        st.session_state[key] = float(np.clip(round(now + shift, 1), *SCORE_RANGE))


def set_batch(size: int):
    def action():
        st.session_state["output_batch"] = size
    return action


st.title("Output and loss")
st.markdown("**The idea:** the network's last layer gives each digit a score; *softmax* turns "
            "the ten scores into probabilities, and the *loss* is one number that says how "
            "wrong they are.")
st.markdown(
    "Four words first. Sending a picture through the network, layer by layer, to get its ten "
    "scores is a **forward pass**. The network learns from examples that come with the right "
    "answer, their **label** (the digit a person said the picture shows): those examples are the "
    "**training set**. A separate **test set**, digits it never learns from, checks how well it "
    "reads handwriting it has not seen.")
terms.define("Forward propagation", "Label", "Training set", "Test set", "Softmax", "Loss")

url_state.check_link({"source": url_state.one_of(SOURCES), "label": url_state.whole(0, 9),
                      "score": url_state.number(*SCORE_RANGE)},
                     {"source": "where the scores come from", "label": "the correct digit",
                      "score": "the correct digit's score"})
for i, score in enumerate(DEFAULT_SCORES):
    st.session_state.setdefault(f"output_score_{i}", score)

# --- 1. Softmax --------------------------------------------------------------------------------
left, right = st.columns([1, 2], gap="large")
with left:
    source = st.radio("Where the ten scores come from", SOURCES, key="source",
                      bind="query-params")
    correct = st.selectbox("The correct digit (the label)", range(10), index=3, key="label",
                           bind="query-params")
    if source == SOURCES[0]:
        own = st.slider("Score of the correct digit", *SCORE_RANGE, 3.0, step=0.1, key="score",
                        bind="query-params",
                        help="Raise it and watch the network grow sure of the right answer.")
        raw = np.array([own if i == correct else st.session_state[f"output_score_{i}"]
                        for i in range(10)])
        scores = raw * st.session_state.get("output_scale", 1)
    else:
        data = load_sample()
        which = np.flatnonzero(data.y_test == correct)
        pick = int(st.session_state.get("output_example", 0)) % len(which)
        image = data.x_test[which[pick]]
        st.plotly_chart(charts.digit_image(image, f"A {correct} from the test set"),
                        width="stretch", key="output_digit_chart")
        net = small_network(int(st.session_state.get("output_seed", 0)), False)
        scores = network.forward(net, network.digit_inputs(image[None]), [correct]).scores[0]
    probabilities = sl.softmax(scores)
    target = sl.one_hot(correct)
    p_correct = float(probabilities[correct])
    ce = float(sl.cross_entropy_from_scores(scores, target))
    squared = float(sl.squared_error_terms(probabilities, target).sum())
    st.metric("Probability of the correct digit", f"{p_correct:.4f}")
with right:
    st.plotly_chart(charts.scores_and_probabilities(scores, probabilities, correct),
                    width="stretch", key="output_bars_chart")
if source == SOURCES[0]:
    st.caption("The largest score gets the largest share; every probability is positive and "
               f"together they add up to 1. The correct digit is marked {charts.style.RIGHT_MARK}.")
else:
    st.caption(f"The digit's 784 pixels go through {HIDDEN} hidden cells and 10 output cells, "
               "every weight random: expect a guess close to 1 in 10. The correct digit is "
               f"marked {charts.style.RIGHT_MARK}.")

shift = 5.0 if np.max(raw_scores()) + 5 <= SCORE_RANGE[1] else -5.0
check.task(PAGE, "add_five", "Add 5 to every one of the ten scores: what do the probabilities "
           "do?", ["All rise", "They stay the same", "The largest rises, the others fall"],
           "They stay the same",
           "Softmax only cares how far apart the scores are: every e^score grows by the same "
           "factor, e⁵, and the division by their sum cancels it.",
           try_it=(f"{'Add 5 to' if shift > 0 else 'Take 5 from'} every score", shift_scores)
           if source == SOURCES[0] else None)

with st.expander("Go deeper: set every score, huge scores, and softmax written out"):
    if source == SOURCES[0]:
        st.caption("The other nine scores (the correct digit's comes from the slider above).")
        cols = st.columns(3)
        others = [i for i in range(10) if i != correct]
        for k, i in enumerate(others):
            cols[k % 3].slider(f"Score of {i}", *SCORE_RANGE, step=0.1, key=f"output_score_{i}")
        st.select_slider("Multiply every score by", SCALES, value=1, key="output_scale",
                         help="Try 1000: the scores get huge, softmax stays finite.")
    else:
        c1, c2 = st.columns(2)
        c1.number_input(f"Which {correct} from the test set", 0, 99, 0, key="output_example")
        c2.number_input("Random weights, seed", 0, 999, 0, key="output_seed")
    st.markdown("In words: raise *e* to each score (always positive), then divide each by their "
                "sum (so they add up to 1). Written as a formula, for digit *i* with score "
                "*zᵢ*:")
    st.latex(r"p_i = \frac{e^{z_i}}{\sum_{j=0}^{9} e^{z_j}}"
             r"\;=\;\frac{e^{z_i - \max z}}{\sum_j e^{z_j - \max z}}")
    st.markdown("The second form subtracts the largest score first. It gives the same "
                "probabilities (the factor cancels) but never overflows: adding the same number "
                "to every score changes nothing.")
    if np.max(np.abs(scores)) > 709:
        naive = sl.naive_softmax(scores)
        st.info(f"Scores up to {np.max(np.abs(scores)):,.0f}: written as the first formula, "
                f"e^{np.max(scores):,.0f} overflows to infinity and the division gives "
                f"{np.isnan(naive).sum()} NaN cells. The second form keeps every e^ at most 1, "
                "so the probabilities stay finite and still add up to 1.")

# --- 2. Loss -----------------------------------------------------------------------------------
st.subheader("How wrong? The loss")
st.markdown("The **loss** compares the probabilities with the right answer: 1 for the correct "
            "digit, 0 for the others. **Cross-entropy**, what the Keras code trains with, looks "
            "at the correct digit's probability only: the lower it is, the larger the loss. "
            "**Squared error** adds up the squared differences of all ten cells.")
sure_and_wrong = check.task(
    PAGE, "confident_wrong", "A confident wrong answer: the right digit gets a probability of "
    "only 0.01. Which loss punishes it more?", ["Cross-entropy", "Squared error",
                                                  "Both the same"], "Cross-entropy",
    f"Cross-entropy is −log 0.01 = {-np.log(0.01):.2f}; squared error stays near 1 (about "
    f"{float(sl.losses_vs_correct_probability(np.array([0.01]))[0][0]):.2f}). Cross-entropy "
    "shoots up as the right digit's probability goes to 0, so confident mistakes cost the most.")
left, right = st.columns([1, 2], gap="large")
with left:
    st.metric("Cross-entropy", f"{ce:.4f}", help="minus the log of the correct probability")
    st.metric("Squared error", f"{squared:.4f}", help="the sum of the ten squared differences")
    if p_correct < 1e-7:
        st.warning(f"The correct digit gets a probability of {p_correct:.1e}: almost certainly "
                   "wrong. Its exact cross-entropy is large but finite; Keras clips "
                   "probabilities at 1e-7, which caps it at 16.1.")
with right:
    if sure_and_wrong:
        grid = np.linspace(0.01, 1.0, 200)
        curve_sq, curve_ce = sl.losses_vs_correct_probability(grid)
        st.plotly_chart(charts.loss_curves(grid, curve_sq, curve_ce, p_correct, squared, ce),
                        width="stretch", key="output_loss_chart")
        st.caption("A confident wrong answer costs a lot: cross-entropy shoots up as the right "
                   "probability goes to 0. (The curves share the rest evenly among the other "
                   "nine.)")
    else:
        st.info("The chart of both losses answers the question above: answer it first, or "
                "press Show me.", icon=":material/visibility_off:")
with st.expander("Go deeper: the squared error cell by cell, and the one-hot row"):
    st.markdown(f"The right answer written as ten numbers, 1 in cell {correct} and 0 elsewhere, "
                "is called the **one-hot row**. Subtract it from the probabilities cell by cell, "
                "square each difference and add them up: that is the squared error.")
    terms.define("One-hot", "Cross-entropy")
    st.plotly_chart(charts.squared_error_bars(probabilities, target), width="stretch",
                    key="output_squared_chart")
    st.markdown("Cross-entropy written out: **− log p**, p the correct digit's probability. "
                "It is 0 when p = 1.")

# --- 3. Cost -----------------------------------------------------------------------------------
st.subheader("The cost: the mean loss over many digits")
st.markdown("One digit's loss says little. The **cost** is the mean loss over the training set: "
            "the single number training drives down, by changing every weight a little. Each "
            "training step estimates it on a **batch**, a handful of digits (128 in the Keras "
            "code): the mean loss over the batch. Here, a batch of test digits.")
terms.define("Cost", "Batch")
c1, c2 = st.columns(2)
st.session_state.setdefault("output_batch", 12)
batch = c1.slider("Digits in the batch", 4, 32, key="output_batch")
which = c2.radio("Network", ["Random weights", f"After {TRAIN_STEPS} training steps"],
                 key="output_network", horizontal=True)
data = load_sample()
with st.spinner("Training the stand-in network on the sample digits ..."):
    net = small_network(0, which != "Random weights")


def batch_cost(size: int) -> tuple[np.ndarray, dict]:
    """The labels and losses of a batch of ``size`` test digits, the same for every visitor."""
    pick = np.random.default_rng(0).choice(len(data.x_test), size, replace=False)
    labels = data.y_test[pick]
    scores = network.forward(net, network.digit_inputs(data.x_test[pick]), labels).scores
    return labels, sl.batch_losses(scores, labels)


labels, result = batch_cost(batch)
cost_sq, cost_ce = sl.cost(result["squared_error"]), sl.cost(result["cross_entropy"])
other_size = 32 if batch < 24 else 4
other_cost = sl.cost(batch_cost(other_size)[1]["cross_entropy"])
ratio = other_cost / max(cost_ce, 1e-12)
moves = "It grows" if ratio > 1.5 else "It shrinks" if ratio < 1 / 1.5 else \
    "It stays about the same"
check.task(PAGE, "batch_mean", f"Take {other_size} digits instead of {batch}: what does the "
           "cost do?", ["It grows", "It stays about the same", "It shrinks"], moves,
           f"It goes from {cost_ce:.3f} to {other_cost:.3f}. The cost is a mean, not a sum: "
           "more digits give a steadier estimate of the same number, not a bigger one.",
           try_it=(f"Take {other_size} digits", set_batch(other_size)))
left, right = st.columns([1, 2], gap="large")
with left:
    st.metric("Cost (mean cross-entropy)", f"{cost_ce:.4f}")
    st.metric("Right answers", f"{int(np.sum(result['predicted'] == labels))} of {batch}")
    st.caption(f"Random weights guess, so each digit gets about 1 in 10 and the cost sits near "
               f"{-np.log(0.1):.2f}, the loss of a 0.1 probability. After {TRAIN_STEPS} "
               f"training steps the cost falls. Digits: {data.source}.")
with right:
    st.plotly_chart(charts.batch_cost_chart(labels, result["cross_entropy"], cost_ce,
                                            "cross-entropy"), width="stretch",
                    key="output_cost_chart")
check.progress(PAGE, 3)
with st.expander("Go deeper: every digit of the batch"):
    st.metric("Cost (mean squared error)", f"{cost_sq:.4f}")
    st.dataframe({"label": labels, "guess": result["predicted"],
                  "p(correct)": np.round(result["p_correct"], 4),
                  "squared error": np.round(result["squared_error"], 4),
                  "cross-entropy": np.round(result["cross_entropy"], 4)},
                 height=320, hide_index=True, key="output_cost_table")

end_page(__file__)
