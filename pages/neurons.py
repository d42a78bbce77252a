"""Neurons and layers: one cell's arithmetic, a dense layer, a digit as 784 inputs, the count."""

import numpy as np
import pandas as pd
import streamlit as st

from explainer.charts import neuron as charts
from explainer.charts import style
from explainer.concepts.lessons import neuron
from explainer.concepts.nn import parameters
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
OTHERS["neurons_hidden"] = 512
for key, value in OTHERS.items():
    st.session_state.setdefault(key, value)
    st.session_state[key] = st.session_state[key]  # kept while another page is open


def back_to_the_example():
    for key, value in {**EXAMPLE, **OTHERS, "activation": "none"}.items():
        st.session_state[key] = value


def try_threshold():
    back_to_the_example()
    st.session_state.update(activation="ReLU", bias=-1.0)


def try_input_up():
    st.session_state["input1"] = min(st.session_state["input1"] + 1.0, LIMIT)


def try_double_hidden():
    st.session_state["neurons_hidden"] = min(2 * int(st.session_state["neurons_hidden"]), 2048)


st.title("Neurons and layers")
st.markdown(f"**{journey.find(PAGE).summary}** It is only *inspired by* the brain's neurons, "
            "which fire or not, on or off: this cell holds any number. Change one and watch.")
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

check.task(PAGE, "threshold", "In the worked example (inputs 1 and 1, weights 0.612 and 0.215) "
           "the weighted sum is 0.827. Pick ReLU and set the bias to −1: what does the cell pass "
           "on?", ["0.827", "-0.173", "0"], "0",
           "0.827 − 1 = −0.173 is below 0, and ReLU turns anything below 0 into 0. With bias −1 "
           "the cell passes a value only once its sum is above 1: the bias is minus the "
           "threshold.", wrong_why={"-0.173": "That is the total before the activation."},
           try_it=("Set it: the worked example, ReLU, bias −1", try_threshold))

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
    st.caption(f"{style.SIGN_LEGEND} A cell is filled by the sign of its value.")
    st.markdown(f"**What the layer passes on:** {', '.join(short(v) for v in outputs)}")
raised = neuron.layer([min(x1 + 1.0, LIMIT), x2], weights, biases, activation)
changed = int(np.sum(np.abs(np.asarray(raised) - np.asarray(outputs)) > 1e-12))
check.task(PAGE, "layer", f"Add 1 to input 1 (now {short(x1)}). How many of the layer's three "
           "cells change their value?", ["0", "1", "2", "3"], str(changed),
           f"{changed} of 3 here. Input 1 is wired to every cell, so every cell with a weight on "
           "it other than 0 gets a new sum" + (" (a ReLU cell whose total stays below 0 stays "
                                               "at 0)" if activation == "ReLU" else "") + ".",
           try_it=("Add 1 to input 1", try_input_up))

st.subheader("Many layers make a network deep")
picture, words = st.columns([1.6, 1], gap="large")
with picture:
    st.plotly_chart(charts.deep_network(2), key="neurons_deep_chart")
with words:
    st.markdown("Layers between the input and the output are **hidden layers**: nobody tells "
                "their cells what to compute. A network with more than one, one after another, "
                "is called **deep**: each layer builds on what the one before found. That is the "
                "*deep* in deep learning. The network of this journey has one hidden layer of "
                "512 cells; the picture has two.")
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

# ---- counting parameters ------------------------------------------------------------------------
st.header("How many numbers does the network learn?")
sizes = [784, int(st.session_state.get("neurons_hidden", 512))]
if st.session_state.get("neurons_second"):
    sizes.append(int(st.session_state.get("neurons_hidden2", 512)))
sizes.append(10)
counts = parameters.parameter_counts(sizes)
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
        st.number_input("Hidden cells", 1, 2048, step=16, key="neurons_hidden")
        if st.checkbox("Add a second hidden layer", key="neurons_second"):
            st.number_input("Cells in the second hidden layer", 1, 2048, 512, step=16,
                            key="neurons_hidden2")
doubled = list(sizes)
doubled[1] = 2 * sizes[1]
ratio = sum(c.total for c in parameters.parameter_counts(doubled)) / total
grows = "About double" if 1.4 <= ratio < 3 else "About four times" if ratio >= 3 else \
    "About the same"
check.task(PAGE, "double", f"Double the first hidden layer, from {sizes[1]:,} to "
           f"{2 * sizes[1]:,} cells. How many numbers does the network learn then?",
           ["About the same", "About double", "About four times"], grows,
           f"{ratio:.2f} times as many: nearly all of them are the weights into and out of the "
           "hidden cells, one per wire, and each new cell brings its own wires.",
           try_it=("Double the hidden cells", try_double_hidden))
check.progress(PAGE, 3)

end_page(__file__)
