"""Writes a variant of the demo's segmenta.toml for a benchmark.

    demo_project.py TEMPLATE OUT --clusters none|only [--demo DIR]

--clusters none keeps the RFM, journey and rule segmentations; only keeps the kmeans,
kprototypes and gmm ones. Either way the value models are left out ([value], the
value segmentations and the rule that reads p_alive): bench/value measures them. --demo DIR points the sources and the workspace at an
existing demo project (its data/ and .segmenta/), so that no second ingest is needed.
"""
import argparse

CLUSTERS = ('method = "kmeans"', 'method = "kprototypes"', 'method = "gmm"')

parser = argparse.ArgumentParser()
parser.add_argument("template")
parser.add_argument("out")
parser.add_argument("--clusters", choices=["none", "only"], required=True)
parser.add_argument("--demo")
args = parser.parse_args()

text = open(args.template).read()
if args.demo:
    text = text.replace('file = "data/', f'file = "{args.demo}/data/')
    text = text.replace("[workspace]\n", f'[workspace]\npath = "{args.demo}/.segmenta"\n', 1)
# The value models: the [value] table (with its comment), and the rule reading p_alive.
start = text.index("# Customer value")
text = text[:start] + text[text.index("[[segmentation]]", start):]
lines = text.split("\n")
for i, line in enumerate(lines):
    if "p_alive" in line:
        lines[i - 1] = lines[i - 1].rstrip(",")
lines = [line for line in lines if "p_alive" not in line]
text = "\n".join(lines)
head, *blocks = text.split("[[segmentation]]")
tail = blocks[-1][blocks[-1].index("[privacy]"):]
blocks = [block.split("[privacy]")[0] for block in blocks]
blocks = [b for b in blocks if 'method = "value"' not in b]
kept = [b for b in blocks if any(c in b for c in CLUSTERS) == (args.clusters == "only")]
with open(args.out, "w") as out:
    out.write(head + "".join("[[segmentation]]" + block for block in kept) + tail)
