#!/bin/sh
# test_summary.sh — the summary of `make bench` (docs/benchmarks.md, "The summary of make bench"): bench/result.mjs
# prints and appends a bench-result line with the ratio and met it computes, and bench/summary.mjs tables the lines,
# lists an expected figure no bench reported as not measured, and writes the JSON of BENCH_RESULTS_OUT.
# Usage: test_summary.sh SOURCE_DIR
set -eu
top=$1
tmp=$(mktemp -d /tmp/yj-bench-summary-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
export BENCH_RESULTS="$tmp/results.jsonl"
r() { node "$top/bench/result.mjs" "$@"; }

# result.mjs: one line on stdout, the same JSON appended to BENCH_RESULTS
out=$(r bench=draw "figure=draw, median of 3" value=2.5 unit=s "target=< 2 s" max=2)
[ "$out" = 'bench-result {"bench":"draw","figure":"draw, median of 3","value":2.5,"unit":"s","baseline":null,"baseline_value":null,"ratio":null,"target":"< 2 s","met":false}' ] ||
	fail "an absolute target missed: $out"
[ "bench-result $(cat "$BENCH_RESULTS")" = "$out" ] || fail "BENCH_RESULTS holds $(cat "$BENCH_RESULTS")"
# a throughput ratio against a baseline, and a latency where lower is better (ratio = baseline ÷ yijian)
r bench=docs "figure=文号 allocation, SQLite" value=600 unit=/s "baseline=one" baseline_value=200 "target=≥ 3×" ratioMin=3 |
	grep -q '"ratio":3,"target":"≥ 3×","met":true}$' || fail "ratio ≥ 3× not met"
r bench=docs "figure=PDF rendering, 1 thread" value=20 unit=ms baseline=b baseline_value=30 higher=0 "target=< 10 ms" max=10 |
	grep -q '"ratio":1.5,"target":"< 10 ms","met":false}$' || fail "lower-is-better ratio"
# no target: met null; a value that could not be measured: null
r bench=audit "figure=audited writes/s" value= unit=/s | grep -q '"value":null,.*"met":null}$' || fail "unmeasured value"

# summary.mjs: a row per line, in the order the benches ran, and the expected figures no bench reported
BENCH_RESULTS_OUT="$tmp/summary.json" node "$top/bench/summary.mjs" "$BENCH_RESULTS" draw docs >"$tmp/table"
grep -q '^== summary: 4 figures — 1 met, 2 not met, 1 for reference, 2 with a target not measured$' "$tmp/table" ||
	fail "summary head: $(head -3 "$tmp/table")"
grep -q '^draw  *draw, median of 3  *2.50 s  *—  *—  *< 2 s  *NOT met$' "$tmp/table" || fail "draw row: $(cat "$tmp/table")"
grep -q '^docs  *文号 allocation, SQLite  *600 /s  *one 200 /s  *3.00×  *≥ 3×  *met$' "$tmp/table" || fail "docs row: $(cat "$tmp/table")"
grep -q '^docs  *PDF rendering, 2 threads .*not measured$' "$tmp/table" || fail "missing figure not listed: $(cat "$tmp/table")"
[ "$(grep -n '^draw ' "$tmp/table" | cut -d: -f1)" -lt "$(grep -n '^docs ' "$tmp/table" | head -1 | cut -d: -f1)" ] ||
	fail "rows not in the order the benches ran"
node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	if (j.results.length !== 4 || j.counts.not_measured !== 2 || j.counts.met !== 1) process.exit(1)' "$tmp/summary.json" ||
	fail "BENCH_RESULTS_OUT: $(cat "$tmp/summary.json")"
echo "ok: bench summary"
