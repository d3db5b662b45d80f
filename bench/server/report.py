"""Writes the markdown summary of one bench/server/run.sh run (to stdout).

    report.py OUT_DIR

Reads OUT_DIR/info.txt (key=value), results.tsv (one wrk RESULT line per run, with the
load average before it) and rss-server.csv / rss-baseline.csv (VmRSS once a second).
"""
import csv
import statistics
import sys
from pathlib import Path

out = Path(sys.argv[1])
info = dict(line.split("=", 1) for line in (out / "info.txt").read_text().splitlines() if "=" in line)


def read_results():
    runs = {}
    with open(out / "results.tsv") as f:
        next(f)
        for line in f:
            name, load, result = line.rstrip("\n").split("\t")
            fields = dict(item.split("=") for item in result.split())
            run = {key: float(value) for key, value in fields.items()}
            run["load"] = float(load)
            run["socket"] = run["connect"] + run["read"] + run["write"] + run["timeout"]
            runs[name] = run
    return runs


def read_rss(name):
    path = out / f"rss-{name}.csv"
    if not path.exists():
        return []
    with open(path) as f:
        return [(float(r["seconds"]), r["phase"], int(r["rss_kib"])) for r in csv.DictReader(f)]


def mib(kib):
    return f"{kib / 1024:,.0f}"


def ms(value):
    return f"{value:.2f}" if value < 10 else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def row(label, run, note=""):
    errors = f"{run['non2xx']:.0f} / {run['socket']:.0f}"
    cpu = f"{run['server_cores']:.2f} / {run['wrk_cores']:.2f} / {run['other_cores']:.2f}"
    return (f"| {label} | {run['rps']:,.0f} | {ms(run['p50_ms'])} | {ms(run['p90_ms'])} | "
            f"{ms(run['p99_ms'])} | {ms(run['max_ms'])} | {errors} | {run['load']:.2f} | "
            f"{cpu} | {note} |")


runs = read_results()
lookups = [runs[name] for name in sorted(runs) if name.startswith("lookup-")]
median = {key: statistics.median(run[key] for run in lookups)
          for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "load", "server_cores",
                      "wrk_cores", "other_cores")}
median["non2xx"] = sum(run["non2xx"] for run in lookups)
median["socket"] = sum(run["socket"] for run in lookups)

print(f"# segmenta serve under load: {int(info['customers']):,} customers\n")
print(f"- {info['date']}; commit {info['commit']}; binary sha256 {info['binary_sha256']} "
      f"(built {info['binary_built']}); /tmp/segmenta-lookup-ready: {info['lookup_ready_file']}")
print(f"- {info['cores']} cores ({info['cpu']}); load average {info['load_start']} at the start, "
      f"{info.get('load_end', '?')} at the end")
print(f"- server: `serve --port 0 --threads 64`, healthy after {info['server_startup_s']} s, "
      f"RSS {mib(int(info['rss_after_startup_kib']))} MiB; snapshot of "
      f"{int(info['snapshot_customers']):,} customers; exit {info['server_exit']} on SIGTERM")
if info.get("nodelay_shim") == "1":
    print("- **diagnostic run**: both servers preloaded with bench/server/nodelay.c (TCP_NODELAY "
          "on every accepted connection); not the server as built")
print(f"- baseline: {info['baseline']}; healthy after {info['baseline_startup_s']} s; exit "
      f"{info['baseline_exit']} on SIGTERM")
print()
print("| what | requests/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-2xx / socket errors "
      "| load before | CPU cores: server / wrk / others | |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
print(row(f"**lookups, median of {len(lookups)}** (`-t2 -c32`)", median,
          "errors: sum of the runs"))
for number, run in enumerate(lookups, 1):
    print(row(f"lookups, run {number} ({run['seconds']:.0f} s)", run))
print(row(f"preview, 4 rules in turn (`-t1 -c2`, {runs['preview']['seconds']:.0f} s)",
          runs["preview"]))
number = 1
while f"preview-rule-{number}" in runs:
    selected = info.get(f"rule_{number}_customers", "?")
    selected = f"{int(selected):,}" if selected.isdigit() else selected
    print(row(f"preview `{info[f'rule_{number}']}` alone", runs[f"preview-rule-{number}"],
              f"selects {selected}"))
    number += 1
print(row(f"baseline lookups, no index ({runs['baseline']['seconds']:.0f} s)", runs["baseline"],
          f"index ÷ baseline: {median['rps'] / runs['baseline']['rps']:.1f}× the requests/s"))
print()

rss = read_rss("server")
print("Server RSS (MiB) during the lookup runs, sampled every second:\n")
print("| phase | first | middle | last | max |")
print("|---|---:|---:|---:|---:|")
phases = ["warmup"] + [f"lookup-{n}" for n in range(1, len(lookups) + 1)] + ["preview"]
for phase in phases:
    values = [value for _, p, value in rss if p == phase]
    if values:
        print(f"| {phase} | {mib(values[0])} | {mib(values[len(values) // 2])} | "
              f"{mib(values[-1])} | {mib(max(values))} |")
during = [value for _, p, value in rss if p.startswith("lookup-")]
growth = during[-1] - during[0] if during else 0
last_run = [value for _, p, value in rss if p == f"lookup-{len(lookups)}"]
print()
print(f"From the first to the last second of the lookup runs: {mib(during[0])} → "
      f"{mib(during[-1])} MiB ({growth / 1024:+,.1f} MiB, {100 * growth / during[0]:+.1f}%); "
      f"over the last run {(last_run[-1] - last_run[0]) / 1024:+,.1f} MiB.")
baseline_rss = [value for _, p, value in read_rss("baseline") if p == "baseline"]
if baseline_rss:
    print(f"Baseline server: {mib(baseline_rss[0])} → {mib(baseline_rss[-1])} MiB.")
print()

preview = runs["preview"]
flat = abs(growth) <= 0.05 * during[0]
targets = [
    ("lookups ≥ 20,000/s", f"{median['rps']:,.0f}/s", median["rps"] >= 20000),
    ("lookup p99 < 5 ms", f"{median['p99_ms']:.2f} ms", median["p99_ms"] < 5),
    ("zero errors", f"{median['non2xx']:.0f} non-2xx, {median['socket']:.0f} socket",
     median["non2xx"] == 0 and median["socket"] == 0),
    ("RSS flat (within 5%)", f"{growth / 1024:+,.1f} MiB", flat),
    ("preview p99 < 100 ms", f"{preview['p99_ms']:.1f} ms", preview["p99_ms"] < 100),
]
print("| target | measured | met |")
print("|---|---:|---|")
for target, measured, met in targets:
    print(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
