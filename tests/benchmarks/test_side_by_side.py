"""benchmarks/side_by_side.py (the speed suite's harness) and benchmarks/suite.py's command list, with fake
engines and a fake clock: no model, no torch."""

import json
import sys

import pytest

from benchmarks import side_by_side, suite


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def fake_engines(clock, durations, calls):
    """Engines that advance `clock` by their next duration and log their name."""
    def make(name):
        queue = list(durations[name])

        def run():
            calls.append(name)
            clock.now += queue.pop(0)
            return name

        return run

    return {name: make(name) for name in durations}


def test_alternate_warms_up_then_alternates_and_takes_medians(monkeypatch):
    clock, calls = FakeClock(), []
    monkeypatch.setattr(side_by_side.time, "perf_counter", clock)
    durations = {"ours": [100.0, 1.0, 2.0, 4.0], "keras_hub": [100.0, 2.0, 2.0, 8.0]}
    medians = side_by_side.alternate(fake_engines(clock, durations, calls), repeats=3, units=8)
    assert calls == ["ours", "keras_hub"] * 4  # the warm-up calls first, then alternated rounds
    assert medians == {"ours": pytest.approx(4.0), "keras_hub": pytest.approx(4.0)}  # 8/2 (warm-up excluded)


def test_alternate_units_per_engine_and_check(monkeypatch):
    clock, calls = FakeClock(), []
    monkeypatch.setattr(side_by_side.time, "perf_counter", clock)
    engines = fake_engines(clock, {"ours": [1.0, 1.0], "transformers": [1.0, 1.0]}, calls)
    medians = side_by_side.alternate(engines, 1, {"ours": 10, "transformers": 5})
    assert medians == {"ours": pytest.approx(10.0), "transformers": pytest.approx(5.0)}

    def reject(name, result):
        if name == "transformers":
            raise RuntimeError(f"{name} made the wrong number of tokens")

    engines = fake_engines(clock, {"ours": [1.0], "transformers": [1.0]}, [])
    with pytest.raises(RuntimeError, match="transformers made the wrong number"):
        side_by_side.alternate(engines, 0, 1, check=reject)


def test_record_ratios_mean_ahead_above_one():
    faster = side_by_side.record("bert_train", "tokens_per_s", {"ours": 300.0, "keras_hub": 200.0,
                                 "transformers": 400.0}, {"keras_hub": 1.2}, {"batch": 32})
    assert faster["peers"] == {"keras_hub": 200.0, "transformers": 400.0}
    assert faster["ratios"] == {"keras_hub": 1.5, "transformers": 0.75}
    assert faster["higher_is_better"] is True and faster["ours"] == 300.0
    smaller = side_by_side.record("train_memory_length_1024", "mb", {"ours": 100.0, "transformers": 150.0}, {},
                                  {}, higher_is_better=False)
    assert smaller["ratios"] == {"transformers": 1.5}


def test_quick_arguments_and_publish_write_smoke_records(tmp_path, capsys):
    args = side_by_side.finish_arguments(side_by_side.arguments("x", repeats=5).parse_args(
        ["--quick", "--results-dir", str(tmp_path)]))
    assert args.repeats == 2
    default = side_by_side.finish_arguments(side_by_side.arguments("x", repeats=5).parse_args(["--quick"]))
    assert default.results_dir == side_by_side.SMOKE_DIR
    item = side_by_side.record("t5_beam", "sentences_per_s", {"ours": 2.0, "keras_hub": 1.0}, {}, {"batch": 2})
    side_by_side.publish("t5_beam", item, args)
    written = json.loads((tmp_path / "t5_beam.json").read_text())["records"]
    assert written[0]["config"] == {"batch": 2, "smoke": True}
    assert written[0]["command"] == "python -m benchmarks.t5_beam --quick"
    full = side_by_side.finish_arguments(side_by_side.arguments("x", repeats=5).parse_args(
        ["--results-dir", str(tmp_path)]))
    side_by_side.publish("t5_beam", item, full)
    written = json.loads((tmp_path / "t5_beam.json").read_text())["records"]
    assert "smoke" not in written[0]["config"] and written[0]["command"] == "python -m benchmarks.t5_beam"


def test_suite_commands_pass_quick_and_end_with_the_report():
    runs = suite.commands(quick=True)
    assert [name for name, _ in runs] == [*suite.SCRIPTS, "bench_report"]
    for name, command in runs[:-1]:
        assert command[:3] == [sys.executable, "-m", f"benchmarks.{name}"] and command[3:] == ["--quick"]
    assert runs[-1][1][-2:] == ["--results-dir", side_by_side.SMOKE_DIR]
    full = dict(suite.commands(quick=False, only=["t5_beam"]))
    assert list(full) == ["t5_beam", "bench_report"] and "--quick" not in full["t5_beam"]
