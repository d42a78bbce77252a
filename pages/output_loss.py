"""Output and loss: softmax turns 10 scores into probabilities; the loss says how wrong they are."""

import numpy as np
import streamlit as st

from explainer.charts import learning as charts
from explainer.concepts import backprop as bp
from explainer.concepts import softmax_loss as sl
from explainer.concepts.descent import RMSprop
from explainer.data.mnist import describe, load_sample
from pages.shared import end_page, start_page

start_page(__file__)

DEFAULT_SCORES = (0.5, -1.0, 0.2, 3.0, -0.5, 1.0, 0.0, -2.0, 1.5, 0.3)
SCALES = (1, 10, 100, 1000)
HIDDEN = 32  # the stand-in network: 784-32-10, small enough to train here in a second
TRAIN_STEPS = 200


@st.cache_data(show_spinner=False, max_entries=16)
def network(seed: int, trained: bool) -> bp.Network:
    """A 784-32-10 network with random weights, or the same after a short training."""
    net = bp.init_network((784, HIDDEN, 10), "relu", seed=seed)
    if trained:
        data = load_sample()
        net, _ = bp.train(net, bp.digit_inputs(data.x_train), data.y_train, RMSprop(0.002),
                          TRAIN_STEPS, batch_size=64, seed=seed)
    return net


st.title("Output and loss")
st.caption("The last layer has 10 cells, one per digit. Their raw scores become probabilities, "
           "and the probabilities are compared with the correct answer: that is the loss.")

for i, score in enumerate(DEFAULT_SCORES):
    st.session_state.setdefault(f"output_score_{i}", score)

# --- 1. Softmax --------------------------------------------------------------------------------
st.subheader("1. Softmax: scores in, probabilities out")
source = st.radio("Where the 10 scores come from",
                  ["Set them myself", "Send a digit through a network with random weights"],
                  key="output_source", horizontal=True)

left, right = st.columns([1, 2], gap="large")
with left:
    if source == "Set them myself":
        correct = st.selectbox("The correct digit", range(10), index=3, key="output_correct")
        scale = st.select_slider("Multiply every score by", SCALES, value=1, key="output_scale",
                                 help="Try 1000: the scores get huge, softmax stays finite.")
        cols = st.columns(2)
        raw = np.array([cols[i // 5].slider(f"Score of cell {i}", -10.0, 10.0, step=0.1,
                                            key=f"output_score_{i}") for i in range(10)])
        scores = raw * scale
    else:
        data = load_sample()
        index = st.slider("Test digit", 0, len(data.x_test) - 1, 7, key="output_digit")
        seed = st.number_input("Random weights, seed", 0, 999, 0, key="output_seed")
        image, correct = data.x_test[index], int(data.y_test[index])
        st.plotly_chart(charts.digit_image(image, f"A {correct} from MNIST's test set"),
                        width="stretch")
        net = network(int(seed), False)
        scores = bp.forward(net, bp.digit_inputs(image[None]), [correct]).scores[0]
        st.caption(f"Its 784 pixels (0-1) go through {HIDDEN} ReLU cells and 10 output cells, "
                   "every weight random. Expect a guess close to 1 in 10.")

probabilities = sl.softmax(scores)
target = sl.one_hot(correct)
with right:
    a, b = st.columns(2)
    a.plotly_chart(charts.score_bars(scores, correct), width="stretch")
    b.plotly_chart(charts.probability_bars(probabilities, correct), width="stretch")
    st.latex(r"p_i = \frac{e^{z_i}}{\sum_{j=0}^{9} e^{z_j}}"
             r"\;=\;\frac{e^{z_i - \max z}}{\sum_j e^{z_j - \max z}}")
    if np.max(np.abs(scores)) > 709:
        naive = sl.naive_softmax(scores)
        st.info(f"Scores up to {np.max(np.abs(scores)):,.0f}: written as the textbook formula, "
                f"e^{np.max(scores):,.0f} overflows to infinity and the division gives "
                f"{np.isnan(naive).sum()} NaN cells. Subtracting the largest score first "
                "(the second form) changes nothing mathematically and keeps every e^ at most 1, "
                "so the probabilities stay finite and still add up to 1.")
    else:
        st.caption("The largest score gets the largest share; every probability is positive and "
                   "together they add up to 1. Adding the same number to every score changes "
                   "nothing.")

# --- 2. Loss -----------------------------------------------------------------------------------
st.subheader("2. How wrong? The loss")
squared_terms = sl.squared_error_terms(probabilities, target)
squared = float(squared_terms.sum())
ce = float(sl.cross_entropy_from_scores(scores, target))
p_correct = float(probabilities[correct])
m1, m2, m3 = st.columns(3)
m1.metric("Probability of the correct digit", f"{p_correct:.4f}")
m2.metric("Squared error", f"{squared:.4f}", help="Sum over the 10 cells of (p - y)²")
m3.metric("Cross-entropy", f"{ce:.4f}", help="-log of the correct cell's probability")

left, right = st.columns(2, gap="large")
with left:
    st.plotly_chart(charts.squared_error_bars(probabilities, target), width="stretch")
    st.caption(f"The correct answer is the one-hot row for {correct}: 1 in cell {correct}, 0 "
               "elsewhere. Square each cell's difference and add them up.")
with right:
    grid = np.linspace(0.01, 1.0, 200)
    curve_sq, curve_ce = sl.losses_vs_correct_probability(grid)
    st.plotly_chart(charts.loss_curves(grid, curve_sq, curve_ce, p_correct, squared, ce),
                    width="stretch")
    st.caption("Cross-entropy, what the Keras code trains with, is -log p of the correct cell: 0 "
               "when p = 1, and it shoots up as p goes to 0, so a confident wrong answer costs a "
               "lot. The curves assume the other cells share the rest evenly.")
if p_correct < 1e-7:
    st.warning(f"The correct digit gets a probability of {p_correct:.1e}: almost certainly "
               "wrong. Its exact cross-entropy is large but finite; Keras clips probabilities at "
               "1e-7, which caps it at 16.1.")

# --- 3. Cost -----------------------------------------------------------------------------------
st.subheader("3. Cost: the mean loss over many examples")
c1, c2, c3 = st.columns(3)
batch = c1.slider("Examples in the batch", 4, 32, 12, key="output_batch")
which = c2.radio("Network", ["Random weights", f"After {TRAIN_STEPS} training steps"],
                 key="output_network", horizontal=True)
seed = c3.number_input("Seed", 0, 999, 0, key="output_cost_seed")
data = load_sample()
pick = np.random.default_rng(int(seed)).choice(len(data.x_test), batch, replace=False)
with st.spinner("Training the stand-in network on the sample digits ..."):
    net = network(int(seed), which != "Random weights")
labels = data.y_test[pick]
result = sl.batch_losses(bp.forward(net, bp.digit_inputs(data.x_test[pick]), labels).scores,
                         labels)
cost_sq, cost_ce = sl.cost(result["squared_error"]), sl.cost(result["cross_entropy"])
m1, m2, m3 = st.columns(3)
m1.metric("Cost (mean cross-entropy)", f"{cost_ce:.4f}")
m2.metric("Cost (mean squared error)", f"{cost_sq:.4f}")
m3.metric("Right answers", f"{int(np.sum(result['predicted'] == labels))} of {batch}")

left, right = st.columns([1, 1], gap="large")
with left:
    st.plotly_chart(charts.batch_cost_chart(labels, result["cross_entropy"], cost_ce,
                                            "cross-entropy"), width="stretch")
with right:
    st.dataframe({"digit": labels, "guess": result["predicted"],
                  "p(correct)": np.round(result["p_correct"], 4),
                  "squared error": np.round(result["squared_error"], 4),
                  "cross-entropy": np.round(result["cross_entropy"], 4)},
                 height=320, hide_index=True, key="output_cost_table")
st.caption(f"The cost is the number training drives down: every weight is changed a little to "
           f"lower it. Random weights guess (cost near log 10 = 2.30); after {TRAIN_STEPS} "
           f"training steps on the sample the cost falls. Digits: {describe(data)}.")

end_page(__file__)
