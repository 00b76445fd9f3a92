"""benchmarks/bench_report.py: the suite's markdown table and PNG chart from results files (synthetic records),
and benchmarks/flops.py's FLOP count."""

import json

import pytest

from benchmarks import bench_report
from benchmarks.flops import bert_forward_flops, bert_train_step_flops


def speed(name, ours, keras_hub, transformers, target=None, smoke=False, **config):
    return {"name": name, "metric": "tokens_per_s", "higher_is_better": True, "ours": ours,
            "peers": {"keras_hub": keras_hub, "transformers": transformers},
            "ratios": {"keras_hub": round(ours / keras_hub, 2), "transformers": round(ours / transformers, 2)},
            "target": target or {}, "config": dict(config, **({"smoke": True} if smoke else {})),
            "machine": "2-core x86_64 CPU, no GPU", "date": "2026-12-03"}


def write(directory, script, records):
    (directory / f"{script}.json").write_text(json.dumps({"records": records}))


def suite_files(directory, smoke):
    write(directory, "training", [speed("bert_train", 300.0, 200.0, 250.0, {"keras_hub": 1.2, "transformers": 1.2},
                                        smoke=smoke),
                                  {**speed("mfu", 40.0, 35.0, 30.0, {"absolute": 50.0}), "metric": "percent"}])
    write(directory, "scaling", [speed(f"{mode}_length_{length}", 1000.0 / length, 900.0 / length, 1100.0 / length,
                                       {"keras_hub": 1.0, "transformers": 1.0}, smoke=smoke)
                                 for mode in ("train", "infer") for length in (128, 256, 512, 1024)])


def test_meets_checks_every_target():
    assert bench_report.meets(speed("a", 300.0, 200.0, 250.0, {"keras_hub": 1.2, "transformers": 1.2})) is True
    assert bench_report.meets(speed("a", 300.0, 200.0, 260.0, {"keras_hub": 1.2, "transformers": 1.2})) is False
    assert bench_report.meets(speed("a", 40.0, 1.0, 1.0, {"absolute": 50.0})) is False
    assert bench_report.meets(speed("a", 50.0, 1.0, 1.0, {"absolute": 50.0})) is True
    assert bench_report.meets(speed("a", 1.0, 1.0, 1.0)) is None


@pytest.mark.parametrize("smoke", [False, True])
def test_table_and_chart_of_the_suite(tmp_path, smoke):
    suite_files(tmp_path, smoke)
    bench_report.main(["--results-dir", str(tmp_path)])
    table = (tmp_path / "bench.md").read_text()
    lines = [line for line in table.splitlines() if line.startswith("| training") or line.startswith("| scaling")]
    assert len(lines) == 2 + 8  # one line per record
    bert = next(line for line in lines if "`bert_train`" in line)
    assert "| 300 | 200 | 250 | 1.50x (>= 1.2x) | 1.20x (>= 1.2x) |" in bert and bert.endswith("| yes |")
    assert next(line for line in lines if "`mfu`" in line).endswith("target 50.0 | **no** |")
    assert ("SMOKE RUN" in table) == smoke
    png = (tmp_path / "bench.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_by_length_series_sorted_per_engine(tmp_path):
    suite_files(tmp_path, smoke=False)
    series = bench_report._by_length(bench_report.load(str(tmp_path)), "train_length_")
    assert [length for length, _ in series["ours"]] == [128, 256, 512, 1024]
    assert series["transformers"][-1] == (1024, pytest.approx(1100.0 / 1024))


def test_malformed_results_file_names_the_file_and_record(tmp_path):
    write(tmp_path, "t5_beam", [{"name": "t5_beam", "metric": "sentences_per_s", "ours": 1.0}])
    with pytest.raises(ValueError, match=r"t5_beam\.json: record 0 \(t5_beam\) lacks peers, ratios"):
        bench_report.load(str(tmp_path))
    (tmp_path / "t5_beam.json").write_text("[]")
    with pytest.raises(ValueError, match=r"t5_beam\.json: not a results file"):
        bench_report.load(str(tmp_path))


def test_bert_flops_by_hand():
    # 1 layer, hidden 2, intermediate 4, batch 1, length 3: qkv 2*3*2*6 = 72, output 2*3*2*2 = 24, feed-forward
    # 2*2*3*2*4 = 96, scores + context 2*2*1*3*3*2 = 72; pooler 2*1*2*2 = 8, classifier 2*1*2*2 = 8.
    assert bert_forward_flops(1, 2, 4, batch=1, length=3) == 280
    assert bert_train_step_flops(1, 2, 4, batch=1, length=3) == 840
    # pooled_only: keys/values 48 at every token, query+output 16, feed-forward 32, scores+context 24 at one
    assert bert_forward_flops(1, 2, 4, batch=1, length=3, pooled_only=True) == 48 + 16 + 32 + 24 + 16
    # Same tokens per step, twice the length: the attention term doubles, the per-token terms stay, the
    # per-sequence head (pooler, classifier) halves.
    short, long = bert_forward_flops(4, 256, 1024, 64, 128), bert_forward_flops(4, 256, 1024, 32, 256)
    attention_short = 4 * 2 * 2 * 64 * 128 * 128 * 256
    head_short = 2 * 64 * 256 * 256 + 2 * 64 * 256 * 2
    assert long - short == attention_short - head_short // 2
