"""Neurons and layers: one cell's arithmetic, a dense layer, a digit as 784 inputs, the count."""

import numpy as np
import pandas as pd
import streamlit as st

from explainer.charts import neuron as charts
from explainer.charts import style
from explainer.concepts.lessons import neuron
from explainer.content import journey
from explainer.data.mnist import load_sample
from pages.shared import check, end_page, start_page, url_state
from pages.shared.terms import define

start_page(__file__)

PAGE = "pages/neurons.py"
LIMIT = 10.0  # every input, weight and bias stays within ±10
# The worked example: two inputs holding 1 into the top hidden cell. These are the URL's keys.
EXAMPLE = {"input1": neuron.EXAMPLE_INPUTS[0], "input2": neuron.EXAMPLE_INPUTS[1],
           "weight1": neuron.EXAMPLE_WEIGHTS[0], "weight2": neuron.EXAMPLE_WEIGHTS[1],
           "bias": neuron.EXAMPLE_BIAS}
ACTIVATION_NAMES = ("none", "ReLU", "sigmoid")
LABELS = {"input1": "input 1", "input2": "input 2", "weight1": "weight 1", "weight2": "weight 2",
          "bias": "the bias", "activation": "the activation"}
# The other two cells of the small layer, edited under "Go deeper" (kept in the session).
OTHERS = {f"neurons_w{j}_{i}": neuron.EXAMPLE_LAYER_WEIGHTS[j][i]
          for j in (1, 2) for i in range(2)}
OTHERS.update({f"neurons_b{j}": neuron.EXAMPLE_LAYER_BIASES[j] for j in (1, 2)})
for key, value in OTHERS.items():
    st.session_state.setdefault(key, value)
    st.session_state[key] = st.session_state[key]  # kept while another page is open


def back_to_the_example():
    for key, value in {**EXAMPLE, **OTHERS, "activation": "none"}.items():
        st.session_state[key] = value


st.title("Neurons and layers")
st.markdown(f"**{journey.find(PAGE).summary}** These cells are only *inspired by* the brain's "
            "neurons: each one is a few lines of arithmetic. Change any number and watch.")
define("Weight", "Bias", "Activation function", "Sigmoid")
url_state.check_link({**{key: url_state.number(-LIMIT, LIMIT) for key in EXAMPLE},
                      "activation": url_state.one_of(ACTIVATION_NAMES)}, LABELS)

# ---- one cell: the main interactive ----------------------------------------------------------
controls, result = st.columns([1, 1.35], gap="large")
with controls:
    st.markdown("**The inputs**, the numbers coming in")
    left, right = st.columns(2)
    x1 = left.number_input("input 1", -LIMIT, LIMIT, EXAMPLE["input1"], 0.1, format="%.3f",
                           key="input1", bind="query-params")
    x2 = right.number_input("input 2", -LIMIT, LIMIT, EXAMPLE["input2"], 0.1, format="%.3f",
                            key="input2", bind="query-params")
    st.markdown("**The cell's own numbers**, the ones it learns")
    left, middle, right = st.columns(3)
    w1 = left.number_input("weight 1", -LIMIT, LIMIT, EXAMPLE["weight1"], 0.01, format="%.3f",
                           key="weight1", bind="query-params")
    w2 = middle.number_input("weight 2", -LIMIT, LIMIT, EXAMPLE["weight2"], 0.01, format="%.3f",
                             key="weight2", bind="query-params")
    bias = right.number_input("bias", -LIMIT, LIMIT, EXAMPLE["bias"], 0.1, format="%.3f",
                              key="bias", bind="query-params")
    activation = st.radio("Activation: what the cell does with its total",
                          list(ACTIVATION_NAMES), key="activation", horizontal=True,
                          bind="query-params",
                          help="none passes the total on; ReLU turns a negative total into 0; "
                               "sigmoid squashes any total into 0 to 1.")

this = neuron.cell([x1, x2], [w1, w2], bias, activation)
short = neuron.short_number
with result:
    st.markdown("Multiply each input by its weight, add up, add the bias, apply the activation:")
    st.code("\n".join(this.lines()), language=None, wrap_lines=True)
    st.plotly_chart(charts.activation_curve(activation, this.total, this.bias),
                    key="neurons_curve_chart")
    if activation == "ReLU":
        fires = this.pre_activation > 0
        st.caption(f"With bias {short(bias)} the cell passes a positive value only once the "
                   f"weighted sum is above {short(-bias)}, its threshold. Now the sum is "
                   f"{short(this.total)}, so the cell "
                   f"{'fires: ' + short(this.output) if fires else 'stays at 0'}.")
    elif activation == "sigmoid":
        st.caption(f"The sigmoid passes more than 0.5 once the weighted sum is above "
                   f"{short(-bias)}; its output always stays between 0 and 1.")
    else:
        st.caption("Without an activation the output is just the weighted sum plus the bias. "
                   "Pick ReLU to see the bias act as a threshold.")

fires_now = float(neuron.relu(this.pre_activation)) > 0
check.task(PAGE, "fire", "Switch the activation to ReLU in your head: does the cell fire (give "
           "more than 0) with the numbers set above?",
           ["Yes, it fires", "No, it stays at 0"],
           "Yes, it fires" if fires_now else "No, it stays at 0",
           f"The weighted sum is {short(this.total)}; with the bias {short(bias)} the total is "
           f"{short(this.pre_activation)}, which is {'above' if fires_now else 'not above'} 0, "
           f"so ReLU {'passes it on' if fires_now else 'gives 0'}. Change a number and ask "
           "again: the answer follows your settings.")

# ---- a layer -------------------------------------------------------------------------------------
st.header("Many cells make a layer")
weights = np.array([[w1, w2]] + [[st.session_state[f"neurons_w{j}_{i}"] for i in range(2)]
                                 for j in (1, 2)])
biases = [bias] + [st.session_state[f"neurons_b{j}"] for j in (1, 2)]
outputs = neuron.layer([x1, x2], weights, biases, activation)
diagram, words = st.columns([1.6, 1], gap="large")
with diagram:
    st.plotly_chart(charts.dense_layer([x1, x2], weights, biases, outputs, 0),
                    key="neurons_layer_chart")
with words:
    st.markdown("Cells side by side, all reading the same inputs, form a **layer**. Every input "
                "is wired to every cell, each wire with its own weight: the layer is *densely "
                "connected*. The top cell is yours, ringed in purple.")
    st.caption(style.SIGN_LEGEND)
    st.markdown(f"**What the layer passes on:** {', '.join(short(v) for v in outputs)}")
    st.markdown("Layers between the input and the output are **hidden layers**. A network with "
                "many of them, one after another, is called **deep**: each layer builds on what "
                "the one before found. That is the *deep* in deep learning.")
define("Densely connected", "Hidden layer", "Deep")
with st.expander("Go deeper: edit the other two cells, and the layer as one multiplication"):
    for j in (1, 2):
        columns = st.columns(3)
        for i in range(2):
            columns[i].number_input(f"cell {j + 1}, weight {i + 1}", -LIMIT, LIMIT, step=0.01,
                                    format="%.3f", key=f"neurons_w{j}_{i}")
        columns[2].number_input(f"cell {j + 1}, bias", -LIMIT, LIMIT, step=0.1, format="%.3f",
                                key=f"neurons_b{j}")
    st.button("Back to the worked example", key="neurons_reset", on_click=back_to_the_example,
              icon=":material/restart_alt:")
    st.markdown("Every cell does the same arithmetic with its own weights, so a computer does the "
                "whole layer at once: put the weights in a table W (one row per cell), the biases "
                "in a list b, and the layer's values are the activation of W times the inputs, "
                "plus b. In symbols: values = activation(W · inputs + b).")

# ---- the input layer -------------------------------------------------------------------------
st.header("The input layer is the picture")
sample = load_sample()
picker, grid = st.columns([1, 1.6], gap="large")
with picker:
    st.markdown("An MNIST digit is 28 × 28 = **784 input cells**, each holding one pixel: 0 for "
                "white paper up to 255 for black ink. The network's first layer reads these 784 "
                "numbers and nothing else.")
    st.caption(style.DIGIT_LEGEND)
    with st.expander("Go deeper: another digit, and the numbers in the cells"):
        digit_class = st.selectbox("Digit", range(10), index=3, key="neurons_digit")
        of_class = np.flatnonzero(sample.y_train == digit_class)
        index = st.number_input(f"Which {digit_class} (of {len(of_class)} in the sample)", 0,
                                len(of_class) - 1, 0, key="neurons_digit_index")
        show_numbers = st.toggle("Write the values in the cells", key="neurons_numbers")
    image = sample.x_train[of_class[index]]
    st.caption(f"This {digit_class}: {int((image > 0).sum())} of the 784 cells hold some ink; "
               f"the darkest holds {int(image.max())}. Hover over a cell to read its value.")
with grid:
    st.plotly_chart(charts.digit_grid(image, show_numbers=show_numbers), key="neurons_grid_chart")
st.plotly_chart(charts.input_row(image), key="neurons_row_chart")
st.caption("The same 784 values in one long row, the picture's 28 rows laid end to end: this is "
           "how the first layer receives it. Every hidden cell is wired to all 784.")
check.task(PAGE, "weights", "How many weights does one hidden cell of the 784-512-10 network "
           "have?", ["1", "10", "512", "784"], "784",
           "One per input: each hidden cell is wired to all 784 pixels. Its 784 weights can be "
           "drawn as a 28 × 28 picture of their own: Recognizing patterns goes on from there.")

# ---- counting parameters ------------------------------------------------------------------------
st.header("How many numbers does the network learn?")
sizes = [784, int(st.session_state.get("neurons_hidden", 512))]
if st.session_state.get("neurons_second"):
    sizes.append(int(st.session_state.get("neurons_hidden2", 512)))
sizes.append(10)
counts = neuron.parameter_counts(sizes)
total = sum(c.total for c in counts)


def layer_name(position: int) -> str:
    if position == len(counts) - 1:
        return f"Output layer: one cell per digit ({counts[position].inputs:,} → 10)"
    hidden = "Hidden layer" + (f" {position + 1}" if len(counts) > 2 else "")
    return f"{hidden} ({counts[position].inputs:,} → {counts[position].cells:,})"


rows = [{"layer": layer_name(i), "weights": f"{c.inputs:,} × {c.cells:,} = {c.weights:,}",
         "biases": f"{c.biases:,}", "total": f"{c.total:,}"} for i, c in enumerate(counts)]
rows.append({"layer": "All layers", "weights": f"{sum(c.weights for c in counts):,}",
             "biases": f"{sum(c.biases for c in counts):,}", "total": f"{total:,}"})
table_column, sizes_column = st.columns([2, 1], gap="large")
with table_column:
    st.markdown("Each layer has one weight per wire (its inputs × its cells) and one bias per "
                "cell. The **output layer** is the last one: ten cells, one per digit 0 to 9, "
                "whose scores become the network's answer. You meet it on Output and loss.")
    st.table(pd.DataFrame(rows).set_index("layer"))
with sizes_column:
    st.metric(f"Numbers to learn in the {'-'.join(str(s) for s in sizes)} network", f"{total:,}",
              delta=f"{total - 407_050:+,} vs 784-512-10" if total != 407_050 else None,
              delta_color="off")
    with st.expander("Go deeper: other sizes"):
        st.number_input("Hidden cells", 1, 2048, 512, step=16, key="neurons_hidden")
        if st.checkbox("Add a second hidden layer", key="neurons_second"):
            st.number_input("Cells in the second hidden layer", 1, 2048, 512, step=16,
                            key="neurons_hidden2")
check.task(PAGE, "threshold", "You want a ReLU cell to fire only once its weighted sum is above "
           "2. Which bias do you give it?", ["-2", "0", "2"], "-2",
           "The bias is added to the sum, so with bias -2 the total is above 0 only when the sum "
           "is above 2: the bias is minus the threshold. Try it in the cell at the top.")
check.progress(PAGE, 3)

end_page(__file__)
