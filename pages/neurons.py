"""Neurons and layers: one cell's arithmetic, the bias as a threshold, a dense layer, 784 inputs."""

import numpy as np
import pandas as pd
import streamlit as st

from explainer.charts import building as charts
from explainer.concepts import neuron
from explainer.data.mnist import load_sample
from pages.shared import end_page, start_page

start_page(__file__)

N_CELLS = len(neuron.EXAMPLE_LAYER_WEIGHTS)
N_INPUTS = len(neuron.EXAMPLE_INPUTS)
VALUE_LIMIT = 10.0  # every input, weight and bias stays within ±10

# Session defaults: the worked example. Widget values live under these keys.
defaults = {f"neurons_x{i}": neuron.EXAMPLE_INPUTS[i] for i in range(N_INPUTS)}
for j in range(N_CELLS):
    defaults[f"neurons_b{j}"] = neuron.EXAMPLE_LAYER_BIASES[j]
    for i in range(N_INPUTS):
        defaults[f"neurons_w{j}_{i}"] = neuron.EXAMPLE_LAYER_WEIGHTS[j][i]
defaults.update(neurons_cell=0, neurons_activation="none")
for key, value in defaults.items():
    st.session_state.setdefault(key, value)
    # Keep the values of cells whose boxes are not on screen now (Streamlit forgets the state of
    # widgets it does not draw in a run).
    st.session_state[key] = st.session_state[key]


def reset_example():
    for k, v in defaults.items():
        st.session_state[k] = v


st.title("Neurons and layers")
st.markdown("A cell (a *neuron*) does three small things: it multiplies each input by a "
            "**weight**, adds the products up together with a **bias**, and passes the sum "
            "through an **activation**. Change any number and watch the result.")

# ---- one cell ---------------------------------------------------------------------------------
st.header("One cell, step by step")
controls, result = st.columns([1, 1.4], gap="large")
with controls:
    st.radio("Which hidden cell do you edit?", range(N_CELLS), key="neurons_cell",
             format_func=lambda j: f"cell {j + 1}" + (" (top)" if j == 0 else ""),
             horizontal=True)
    cell_index = st.session_state["neurons_cell"]
    st.markdown("**Inputs** (shared by every cell)")
    input_columns = st.columns(N_INPUTS)
    for i, column in enumerate(input_columns):
        column.number_input(f"input {i + 1}", -VALUE_LIMIT, VALUE_LIMIT, step=0.1, format="%.3f",
                            key=f"neurons_x{i}")
    st.markdown(f"**Weights and bias of cell {cell_index + 1}**")
    weight_columns = st.columns(N_INPUTS + 1)
    for i in range(N_INPUTS):
        weight_columns[i].number_input(f"weight {i + 1}", -VALUE_LIMIT, VALUE_LIMIT, step=0.01,
                                       format="%.3f", key=f"neurons_w{cell_index}_{i}")
    weight_columns[-1].number_input("bias", -VALUE_LIMIT, VALUE_LIMIT, step=0.1, format="%.3f",
                                    key=f"neurons_b{cell_index}")
    st.radio("Activation", list(neuron.CELL_ACTIVATIONS), key="neurons_activation", horizontal=True,
             format_func=lambda a: {"none": "none", "ReLU": "ReLU  max(0, x)",
                                    "sigmoid": "sigmoid"}[a])
    st.button("Back to the worked example", key="neurons_reset", on_click=reset_example,
              icon=":material/restart_alt:")

inputs = [st.session_state[f"neurons_x{i}"] for i in range(N_INPUTS)]
weights = np.array([[st.session_state[f"neurons_w{j}_{i}"] for i in range(N_INPUTS)]
                    for j in range(N_CELLS)])
biases = [st.session_state[f"neurons_b{j}"] for j in range(N_CELLS)]
activation = st.session_state["neurons_activation"]
this = neuron.cell(inputs, weights[cell_index], biases[cell_index], activation)
outputs = neuron.layer(inputs, weights, biases, activation)

with result:
    st.code("\n".join(this.lines()), language=None, wrap_lines=True)
    metric_columns = st.columns(3)
    metric_columns[0].metric("weighted sum", neuron.short_number(this.total))
    metric_columns[1].metric("threshold t = −bias", neuron.short_number(this.threshold))
    metric_columns[2].metric(f"output of cell {cell_index + 1}",
                             neuron.short_number(this.output))
    st.plotly_chart(charts.activation_curve(activation, this.total, this.bias),
                    key="neurons_curve_chart")
    t = this.threshold
    if activation == "ReLU":
        passes = this.total > t
        st.caption(f"With bias {this.bias:.3g} the cell passes a positive value only once the "
                   f"weighted sum exceeds t = {t:.3g}. Now the sum is {this.total:.3g}, so the "
                   f"cell {'fires: ' + format(this.output, '.3g') if passes else 'stays at 0'}.")
    elif activation == "sigmoid":
        st.caption(f"The sigmoid is above 0.5 once the weighted sum exceeds t = {t:.3g}; the "
                   "output is always between 0 and 1.")
    else:
        st.caption("Without an activation the output is just the weighted sum plus the bias. "
                   "Pick ReLU to see the bias act as a threshold.")

# ---- a layer -----------------------------------------------------------------------------------
st.header("A densely connected layer")
diagram, words = st.columns([1.6, 1], gap="large")
with diagram:
    st.plotly_chart(charts.dense_layer(inputs, weights, biases, outputs, cell_index),
                    key="neurons_layer_chart")
with words:
    st.markdown(f"Every input is connected to **every** hidden cell: {N_INPUTS} inputs × "
                f"{N_CELLS} cells = {N_INPUTS * N_CELLS} weights, plus {N_CELLS} biases. "
                "Red lines carry positive weights, blue negative ones, thicker for bigger "
                f"weights. Cell {cell_index + 1}'s incoming weights are written on its lines.")
    st.markdown("Each cell computes the same way with its own weights, so the whole layer is "
                "one matrix product: values = activation(W · inputs + b).")
    values = ", ".join(f"{v:.3g}" for v in outputs)
    st.markdown(f"**Layer values now:** {values}")

# ---- the input layer ------------------------------------------------------------------------
st.header("The input layer is the picture")
sample = load_sample()
picker, grid = st.columns([1, 2], gap="large")
with picker:
    st.markdown("An MNIST digit is 28 × 28 = **784 input cells**, each holding a pixel from 0 "
                "(no ink) to 255 (full ink). The network's first layer sees these 784 numbers.")
    digit_class = st.selectbox("Digit", range(10), index=3, key="neurons_digit")
    of_class = np.flatnonzero(sample.y_train == digit_class)
    index = st.number_input(f"Which {digit_class} (of {len(of_class)} in the sample)", 0,
                            len(of_class) - 1, 0, key="neurons_digit_index")
    show_numbers = st.toggle("Write the values in the cells", key="neurons_numbers")
    image = sample.x_train[of_class[index]]
    st.metric("input cells", "784", help="28 rows × 28 columns")
    st.caption(f"{int((image > 0).sum())} of the 784 cells hold some ink; the largest value "
               f"is {int(image.max())}. Hover over a cell to read its value.")
with grid:
    st.plotly_chart(charts.digit_grid(image, show_numbers=show_numbers), key="neurons_grid_chart")
st.plotly_chart(charts.input_row(image), key="neurons_row_chart")
st.caption("The same 784 values in one long row, 28 rows laid end to end: this is how the first "
           "layer receives the picture. Every one of its cells is connected to all 784.")

# ---- counting parameters ------------------------------------------------------------------------
st.header("How many numbers does the network learn?")
sizes_column, table_column = st.columns([1, 2], gap="large")
with sizes_column:
    hidden = st.number_input("Hidden cells", 1, 2048, 512, step=16, key="neurons_hidden")
    second = st.checkbox("Add a second hidden layer", key="neurons_second")
    sizes = [784, hidden]
    if second:
        sizes.append(st.number_input("Cells in the second hidden layer", 1, 2048, 512, step=16,
                                     key="neurons_hidden2"))
    sizes.append(10)
    st.caption("Each layer has one weight per connection (inputs × cells) and one bias per "
               "cell.")
counts = neuron.parameter_counts(sizes)
total = sum(c.total for c in counts)
rows = [{"layer": c.name, "weights": f"{c.inputs:,} × {c.cells:,} = {c.weights:,}",
         "biases": f"{c.biases:,}", "total": f"{c.total:,}"} for c in counts]
rows.append({"layer": "All layers", "weights": f"{sum(c.weights for c in counts):,}",
             "biases": f"{sum(c.biases for c in counts):,}", "total": f"{total:,}"})
with table_column:
    st.table(pd.DataFrame(rows).set_index("layer"))
    st.metric(f"Parameters of the {'-'.join(str(s) for s in sizes)} network", f"{total:,}",
              delta=f"{total - 407_050:+,} vs 784-512-10" if total != 407_050 else None,
              delta_color="off")

end_page(__file__)
