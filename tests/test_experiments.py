"""One-change experiments: one setting changed each, sentences that follow the figures, runs
computed once and shared, and a real (short) run whose reported accuracy is its own."""

from __future__ import annotations

import dataclasses
import json
import threading

import numpy as np
import pytest

from explainer.data.mnist import MnistData, load_sample
from explainer.training import experiments as ex
from explainer.training.experiment_store import SharedRuns, cache_key, load_result, save_result
from explainer.training.spec import (
    AUGMENTED,
    ModelConfig,
    parameter_count,
    training_subset,
    validate,
)

slow = pytest.mark.slow


@pytest.fixture(scope="module")
def sample() -> MnistData:
    return load_sample()


def row(experiment_id: str, accuracy: float, seconds: float = 17.0,
        parameters: int = 407_050, robust: float | None = None) -> ex.ExperimentResult:
    """A result as a run would report it (for the sentences: their wording follows these)."""
    return ex.ExperimentResult(experiment_id, ex.BY_ID[experiment_id].name, accuracy, seconds,
                               parameters, [accuracy], 5, 60_000, robustness_accuracy=robust)


# -- the experiments as data ------------------------------------------------------------------


def test_the_issues_changes_are_all_there_with_unique_ids():
    ids = [e.id for e in ex.EXPERIMENTS]
    assert len(set(ids)) == len(ids) == 9 and ex.BASELINE_ID not in ids
    assert {"no-scaling", "squared-loss", "no-hidden", "hidden-16", "sigmoid", "sgd",
            "one-epoch", "tenth-data", "augmented"} == set(ids)


def test_the_augmented_experiment_is_the_draw_pages_network_with_its_epochs_named():
    experiment = ex.BY_ID["augmented"]
    assert experiment.config.with_changes(label="") == AUGMENTED.with_changes(label="")
    assert f"({AUGMENTED.epochs} epochs)" in experiment.name and AUGMENTED.epochs > 5


def changed_settings(config: ModelConfig, reference: ModelConfig = ex.BASELINE_CONFIG) -> set[str]:
    """The names of the settings in which ``config`` differs from ``reference`` (not its label)."""
    mine, theirs = config.as_dict(), reference.as_dict()
    return {name for name in mine if name != "label" and mine[name] != theirs[name]}


@pytest.mark.parametrize("experiment", ex.EXPERIMENTS, ids=lambda e: e.id)
def test_each_experiment_is_valid_and_changes_exactly_one_setting(experiment):
    config = experiment.config
    assert validate(config) == []
    changed = changed_settings(config)
    names = {name for name, _ in experiment.changes}
    assert len(names) == 1
    # fewer epochs only where the experiment says so, and then the note says it
    extra = {"epochs"} if experiment.epochs is not None else set()
    assert changed == names | extra
    assert bool(experiment.epochs_note) == (experiment.epochs is not None)
    assert config.seed == ex.BASELINE_CONFIG.seed  # a fixed seed: the same run every time
    assert experiment.name and experiment.question.endswith(("?", ".", ")"))


def test_the_baseline_is_the_walk_throughs_network():
    assert changed_settings(ex.BASELINE.config) == set()
    assert ex.BASELINE.config.hidden == (512,) and ex.BASELINE.config.epochs == 5


def test_validation_allows_what_the_experiments_need_and_no_more():
    assert validate(ModelConfig(hidden=())) == []  # softmax regression: no hidden layer
    assert validate(ModelConfig(train_fraction=0.1)) == []
    assert validate(ModelConfig(hidden=(64, 64, 64))) != []
    for fraction in (0.0, -0.5, 1.5, float("nan")):
        problems = validate(ModelConfig(train_fraction=fraction))
        assert problems and "share of training digits" in problems[0]


def test_a_tenth_of_the_digits_is_a_fixed_subset_of_the_real_ones(sample):
    images, labels = training_subset(sample.x_train, sample.y_train, 0.1)
    assert len(images) == len(labels) == 600
    again, _ = training_subset(sample.x_train, sample.y_train, 0.1)
    assert np.array_equal(images, again)
    # every chosen digit keeps its own label, and the ten classes are all there
    index = {digit.tobytes(): label for digit, label in zip(sample.x_train, sample.y_train)}
    assert all(index[d.tobytes()] == label for d, label in zip(images, labels))
    assert set(labels.tolist()) == set(range(10))
    whole = training_subset(sample.x_train, sample.y_train, 1.0)
    assert whole[0] is sample.x_train


# -- the sentence follows the numbers ---------------------------------------------------------


def test_the_same_change_reads_differently_when_the_figures_differ():
    baseline = row(ex.BASELINE_ID, 0.979)
    experiment = ex.BY_ID["no-scaling"]
    worse = ex.describe(row("no-scaling", 0.912), baseline)
    same = ex.describe(row("no-scaling", 0.977), baseline)
    assert worse != same
    assert "fell far, from 97.9% to 91.2%" in worse and experiment.why_worse in worse
    assert "97.7% against 97.9%" in same and experiment.why_same in same
    assert experiment.why_worse not in same and "fell" not in same
    better = ex.describe(row("no-scaling", 0.985), baseline)
    assert "rose, from 97.9% to 98.5%" in better and experiment.why_worse not in better
    small_fall = ex.describe(row("no-scaling", 0.970), baseline)
    assert "fell, from 97.9% to 97.0%" in small_fall and "fell far" not in small_fall


def test_a_run_that_did_not_learn_is_called_so():
    text = ex.describe(row("sgd", 0.113), row(ex.BASELINE_ID, 0.979))
    assert "did not learn" in text and "11.3%" in text


def test_parameters_and_time_are_mentioned_only_when_they_differ():
    baseline = row(ex.BASELINE_ID, 0.979, seconds=17.0)
    smaller = ex.describe(row("no-hidden", 0.925, seconds=6.0, parameters=7_850), baseline)
    assert "7,850 parameters instead of 407,050" in smaller
    assert "6.0 s of training instead of 17 s" in smaller
    alike = ex.describe(row("sigmoid", 0.975, seconds=18.0), baseline)
    assert "parameters" not in alike and "of training" not in alike
    assert ex.describe(baseline, baseline).startswith("The walk-through's network reached 97.9%")


def test_the_augmented_sentence_adds_the_robustness_set_from_its_figures():
    baseline = row(ex.BASELINE_ID, 0.979, seconds=24.0, robust=0.781)
    text = ex.describe(row("augmented", 0.982, seconds=310.0, robust=0.958), baseline)
    assert "98.2% against 97.9%" in text and ex.BY_ID["augmented"].why_same in text
    assert "310 s of training instead of 24 s" in text
    assert "robustness set" in text and "95.8% right, against 78.1%" in text
    worse = ex.describe(row("augmented", 0.95, seconds=310.0, robust=0.93), baseline)
    assert "fell" in worse and "93.0% right, against 78.1%" in worse
    unknown = ex.describe(row("augmented", 0.982, robust=0.958), row(ex.BASELINE_ID, 0.979))
    assert unknown.endswith("95.8% right.")  # the walk-through's figure not measured: no "against"
    # other changes keep their sentence to test accuracy, whatever their robustness figure
    assert "robustness" not in ex.describe(row("sigmoid", 0.975, robust=0.7), baseline)


def test_table_rows_carry_the_figures_and_the_sentence():
    baseline = row(ex.BASELINE_ID, 0.979)
    rows = ex.table_rows([baseline, row("one-epoch", 0.961, seconds=3.5)], baseline)
    assert [r["Change"] for r in rows] == ["The walk-through's network",
                                           "One epoch instead of five"]
    assert rows[1]["Test accuracy"] == 0.961 and rows[1]["Seconds"] == 3.5
    assert rows[1]["Robustness set"] is None  # not measured for this row
    assert rows[1]["What it shows"].startswith("After one epoch, test accuracy fell")


# -- shared and kept on disk ------------------------------------------------------------------


def test_the_cache_key_changes_with_config_data_and_keras(sample):
    config = ex.BY_ID["no-hidden"].config
    key = cache_key("no-hidden", config, sample, "3.15.1")
    assert key.startswith("experiment-no-hidden-6000-digits-")
    assert key == cache_key("no-hidden", config, sample, "3.15.1")
    assert key != cache_key("no-hidden", config.with_changes(epochs=1), sample, "3.15.1")
    assert key != cache_key("no-hidden", config, sample, "3.16.0")
    fewer = dataclasses.replace(sample, x_train=sample.x_train[:5000],
                                y_train=sample.y_train[:5000])
    assert key != cache_key("no-hidden", config, fewer, "3.15.1")


def test_a_saved_result_loads_back_and_a_damaged_one_is_ignored(tmp_path):
    result = row("hidden-16", 0.951)
    save_result(result, tmp_path, "k")
    assert load_result(tmp_path, "k") == result
    (tmp_path / "bad.json").write_text("{not json")
    assert load_result(tmp_path, "bad") is None
    assert load_result(tmp_path, "absent") is None


# -- real runs --------------------------------------------------------------------------------


@slow
def test_an_experiment_reports_its_own_accuracy(sample):
    """No scaling, one epoch on the sample: the row's accuracy is what its predictions score."""
    from explainer.training.keras_fit import train_quietly as train_once

    experiment = ex.BY_ID["no-scaling"]
    trained = train_once(experiment.config.with_changes(epochs=1), sample)
    result = ex.result_from_trained(experiment, trained, sample)
    from explainer.concepts.models.inside import forward
    from explainer.concepts.nn.network import Network

    network = Network.from_keras(trained.weights, "relu", trained.config.input_scale)
    predicted = forward(network, sample.x_test).probabilities.argmax(axis=1)  # raw 0-255 inputs
    assert result.test_accuracy == pytest.approx(np.mean(predicted == sample.y_test), abs=1e-9)
    assert result.epochs == 1 and len(result.epoch_accuracy) == 1
    # the curve's last point is the same test accuracy, as Keras measured it during fit
    assert result.epoch_accuracy[-1] == pytest.approx(result.test_accuracy, abs=1e-3)
    assert result.parameters == sum(w.size for w in trained.weights) == 407_050
    assert result.train_samples == 6_000 and result.seconds > 0
    # and on the robustness set: the same network's answers for the changed test digits
    from explainer.concepts.inputs.distort import robustness_set

    changed = forward(network, robustness_set(sample.x_test).images).probabilities
    assert result.robustness_accuracy == pytest.approx(
        np.mean(changed.argmax(axis=1) == sample.y_test), abs=1e-9)


@slow
def test_parameters_counted_by_hand_match_keras_for_every_experiment():
    from explainer.training.keras_fit import build_model

    for experiment in (ex.BASELINE, *ex.EXPERIMENTS):
        config = experiment.config
        assert build_model(config).count_params() == parameter_count(config)


@slow
def test_many_visitors_asking_for_one_experiment_wait_for_one_run(sample, tmp_path):
    from explainer.training.keras_fit import train_quietly as train_once

    calls = []

    def counted_train(config, data):
        calls.append(config)
        return train_once(config, data)

    experiment = ex.BY_ID["tenth-data"]
    short = experiment.config.with_changes(epochs=1)
    runs = SharedRuns(tmp_path)
    answers = []

    def visitor():
        answers.append(runs.result(experiment, sample, counted_train, "test", config=short))

    visitors = [threading.Thread(target=visitor) for _ in range(5)]
    for thread in visitors:
        thread.start()
    for thread in visitors:
        thread.join(timeout=120)
    assert len(calls) == 1 and len(answers) == 5
    assert all(answer == answers[0] for answer in answers)
    assert answers[0].train_samples == 600  # a tenth of the sample's 6,000
    key = cache_key(experiment.id, short, sample, "test")
    saved = json.loads((tmp_path / f"{key}.json").read_text())
    assert saved["test_accuracy"] == answers[0].test_accuracy
    # a restarted server finds it on disk and trains nothing
    again = SharedRuns(tmp_path)
    assert again.known(key) == answers[0]
    assert again.result(experiment, sample, counted_train, "test", config=short) == answers[0]
    assert len(calls) == 1
