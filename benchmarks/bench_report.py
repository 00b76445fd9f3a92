"""One markdown table and one PNG chart for the whole speed suite, from its results files.

Run from the repository root: `python -m benchmarks.bench_report [--results-dir DIR]` (`make bench` runs it last).
Reads `DIR/<script>.json` for the scripts of `SCRIPTS` that exist (format: `../shared/RESULTS.md`) and writes
`DIR/bench.md` (every record: ours, keras-hub, transformers, ratios against their targets) and `DIR/bench.png`
(tokens/s against sequence length for the three engines, training and inference; peak memory against length;
ratio bars of the headline records against their targets). Records of `--quick` runs (config `smoke`) are
labelled as smoke runs in both.
"""

import argparse
import json
import os

from benchmarks.results_file import RESULTS_DIR

SCRIPTS = ("training", "generation", "t5_beam", "scaling")
ENGINES = ("ours", "keras_hub", "transformers")
LABELS = {"ours": "zoo", "keras_hub": "keras-hub", "transformers": "transformers"}
COLORS = {"ours": "tab:blue", "keras_hub": "tab:orange", "transformers": "tab:green"}
HEADLINE = ("bert_train", "bert_infer", "bert_train_bf16", "bert_infer_bf16", "gpt_greedy", "t5_beam",
            "train_length_1024", "infer_length_1024")
SMOKE_NOTE = ("SMOKE RUN: tiny configs (`--quick`), 2 repeats. These numbers are not results; "
              "`make bench` on a quiet machine makes the real ones.")


def load(results_dir, scripts=SCRIPTS):
    """`[(script, record), ...]` from the results files present, in `scripts` order."""
    rows = []
    for script in scripts:
        path = os.path.join(results_dir, f"{script}.json")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            try:
                records = json.load(f)["records"]
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}: not a results file with a 'records' list ({error})") from None
        for index, item in enumerate(records):
            missing = [key for key in ("name", "metric", "ours", "peers", "ratios") if key not in item]
            if missing:
                raise ValueError(f"{path}: record {index} ({item.get('name', '?')}) lacks {', '.join(missing)}")
            rows.append((script, item))
    return rows


def is_smoke(rows):
    return any(item.get("config", {}).get("smoke") for _, item in rows)


def meets(item):
    """True/False when the record has a target (ratios >= their targets; `absolute`: ours >= it), else None."""
    target = item.get("target") or {}
    if not target:
        return None
    checks = []
    for name, goal in target.items():
        if name == "absolute":
            ours = item["ours"]
            checks.append(ours >= goal if item.get("higher_is_better", True) else ours <= goal)
        elif name in item["ratios"]:
            checks.append(item["ratios"][name] >= goal)
    return all(checks) if checks else None


def _number(value):
    return "-" if value is None else f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _ratio(item, peer):
    ratio = item["ratios"].get(peer)
    if ratio is None:
        return "-"
    goal = (item.get("target") or {}).get(peer)
    return f"{ratio:.2f}x" + (f" (>= {goal}x)" if goal is not None else "")


def table(rows):
    """The markdown of the whole suite: one line per record."""
    lines = ["# Speed suite", ""]
    if is_smoke(rows):
        lines += [f"**{SMOKE_NOTE}**", ""]
    machines = sorted({item.get("machine", "?") for _, item in rows})
    dates = sorted({item.get("date", "?") for _, item in rows})
    lines += [f"Machine: {', '.join(machines)}. Dates: {', '.join(dates)}. Ratios are ours/peer for "
              "higher-is-better metrics and peer/ours otherwise (above 1: zoo ahead), from engines alternated "
              "in one process (medians after warm-up).", "",
              "| script | record | metric | zoo | keras-hub | transformers | vs keras-hub | vs transformers "
              "| other | target met |",
              "|---|---|---|---:|---:|---:|---:|---:|---|---|"]
    for script, item in rows:
        peers = item["peers"]
        others = [f"{name} {_number(value)} ({_ratio(item, name)})" for name, value in peers.items()
                  if name not in ENGINES]
        absolute = (item.get("target") or {}).get("absolute")
        if absolute is not None:
            others.append(f"target {absolute}")
        met = {True: "yes", False: "**no**", None: "-"}[meets(item)]
        lines.append(f"| {script} | `{item['name']}` | {item['metric']} | {_number(item['ours'])} | "
                     f"{_number(peers.get('keras_hub'))} | {_number(peers.get('transformers'))} | "
                     f"{_ratio(item, 'keras_hub')} | {_ratio(item, 'transformers')} | {'; '.join(others)} | {met} |")
    return "\n".join(lines) + "\n"


def _by_length(rows, prefix):
    """`{engine: [(length, value), ...]}` of the records named `<prefix><length>`, lengths ascending."""
    found = sorted((int(item["name"][len(prefix):]), item) for _, item in rows
                   if item["name"].startswith(prefix) and item["name"][len(prefix):].isdigit())
    series = {engine: [] for engine in ENGINES}
    for length, item in found:
        values = {"ours": item["ours"], **item["peers"]}
        for engine in ENGINES:
            if engine in values:
                series[engine].append((length, values[engine]))
    return series


def _lines(axis, series, title, ylabel, style="-o", label_suffix=""):
    drawn = False
    for engine, points in series.items():
        if points:
            lengths, values = zip(*points)
            axis.plot(lengths, values, style, color=COLORS[engine], label=LABELS[engine] + label_suffix)
            axis.set_xscale("log", base=2)
            axis.set_xticks(lengths, [str(length) for length in lengths])
            drawn = True
    axis.set_title(title)
    axis.set_xlabel("sequence length (tokens per step fixed: batch x length)")
    axis.set_ylabel(ylabel)
    if drawn:
        axis.legend()
        axis.grid(alpha=0.3)
    else:
        axis.text(0.5, 0.5, "no scaling records", ha="center", va="center", transform=axis.transAxes)


def _ratio_bars(axis, rows):
    """Bars from 1 to each ratio on a log scale (up: zoo ahead, down: behind), labelled, targets as ticks."""
    import matplotlib.ticker

    items = {item["name"]: item for _, item in rows}
    names = [name for name in HEADLINE if name in items]
    width = 0.38
    for offset, peer in ((-width / 2, "keras_hub"), (width / 2, "transformers")):
        points = [(index + offset, items[name]["ratios"][peer], items[name].get("target", {}).get(peer))
                  for index, name in enumerate(names) if peer in items[name]["ratios"]]
        if not points:
            continue
        positions, values, goals = zip(*points)
        axis.bar(positions, [value - 1.0 for value in values], width, bottom=1.0, color=COLORS[peer],
                 label=f"zoo / {LABELS[peer]}")
        for position, value in zip(positions, values):
            axis.annotate(f"{value:.2f}", (position, value), ha="center", fontsize="x-small",
                          va="bottom" if value >= 1 else "top")
        marks = [(position, goal) for position, goal in zip(positions, goals) if goal is not None]
        if marks:
            axis.scatter(*zip(*marks), marker="_", s=300, color="black", zorder=3,
                         label="target" if peer == "keras_hub" else None)
    axis.set_yscale("log")
    axis.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.axhline(1.0, color="grey", linewidth=1)
    axis.set_xticks(range(len(names)), names, rotation=30, ha="right")
    axis.set_ylabel("speed ratio, log scale (above 1: zoo faster)")
    axis.set_title("zoo's speed ratios against the peers")
    if names:
        axis.legend(fontsize="small")
    else:
        axis.text(0.5, 0.5, "no headline records", ha="center", va="center", transform=axis.transAxes)


def chart(rows, path):
    """Writes the suite's PNG to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(2, 2, figsize=(13, 9.5))
    _lines(axes[0, 0], _by_length(rows, "train_length_"), "BERT training step", "tokens/s")
    _lines(axes[0, 1], _by_length(rows, "infer_length_"), "BERT inference (forward pass)", "tokens/s")
    _lines(axes[1, 0], _by_length(rows, "train_memory_length_"), "Peak memory (solid: training, dashed: inference)",
           "MB above the process's imports", label_suffix=" train")
    _lines(axes[1, 0], _by_length(rows, "infer_memory_length_"), "Peak memory (solid: training, dashed: inference)",
           "MB above the process's imports", style="--s", label_suffix=" infer")
    _ratio_bars(axes[1, 1], rows)
    title = "zoo vs keras-hub vs transformers, " + ", ".join(sorted({item.get("machine", "?") for _, item in rows}))
    if is_smoke(rows):
        title = "SMOKE RUN (tiny --quick configs): NOT RESULTS\n" + title
    figure.suptitle(title, color="firebrick" if is_smoke(rows) else "black", fontsize=13)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results-dir", default=RESULTS_DIR)
    args = parser.parse_args(argv)
    rows = load(args.results_dir)
    if not rows:
        raise SystemExit(f"no results files of {', '.join(SCRIPTS)} in {args.results_dir}")
    with open(os.path.join(args.results_dir, "bench.md"), "w") as f:
        f.write(table(rows))
    chart(rows, os.path.join(args.results_dir, "bench.png"))
    print(f"wrote {args.results_dir}/bench.md and bench.png ({len(rows)} records)")


if __name__ == "__main__":
    main()
