#!/bin/sh
# test_run_ab.sh — the table of bench/run_ab (bench/run_ab.mjs, docs/benchmarks.md, "Issue 15: the search's saturation
# after the numeric grams"): from synthetic bench/results/latest.json copies of two runs a tree, in ABBA order, the
# search row of each run beside the control (the geometric mean of the Go and Fastify baselines' /healthz and regions
# list req/s) and the search ÷ control, the means per tree, new ÷ old, and a run without results listed as such.
# Usage: test_run_ab.sh SOURCE_DIR
set -eu
top=$1
tmp=$(mktemp -d /tmp/yj-bench-run-ab-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
# result TAG N SEARCH_RPS CONTROL_RPS P99: a run whose four control figures are all CONTROL_RPS (geometric mean = it)
result() {
	q='/api/v1/institutions?q=%E4%BA%BA%E6%B0%91%E5%8C%BB%E9%99%A2&limit=20'
	cat >"$tmp/$1-$2.json" <<JSON
{"results": [
 {"endpoint": "/healthz", "server": "baseline_go", "rps": $4}, {"endpoint": "/healthz", "server": "baseline_pg", "rps": $4},
 {"endpoint": "/api/v1/regions?limit=20", "server": "baseline_go", "rps": $4},
 {"endpoint": "/api/v1/regions?limit=20", "server": "baseline_pg", "rps": $4},
 {"endpoint": "/api/v1/regions?limit=20", "server": "yijian_pg", "rps": 99999},
 {"endpoint": "$q", "server": "yijian_pg", "rps": $3, "cpu_us_per_req": 200, "pg_cpu_us_per_req": 220},
 {"endpoint": "$q", "server": "baseline_go", "rps": 3000}],
 "paced": {"target_rate": 3000, "points": [{"rate": 1500, "p99": 1}, {"rate": 3000, "p99": $5}]}}
JSON
	echo "start 2026-12-07T09:0$2:00Z load 1.5" >"$tmp/$1-$2.log"
}
# new: 4,000 and 4,400 req/s on a machine at 8,000 and 11,000 control req/s; old: 4,400 at 8,000 and 5,000 at 10,000.
result new 1 4000 8000 8
result old 1 4400 8000 6
result old 2 5000 10000 6
result new 2 4400 11000 10
node "$top/bench/run_ab.mjs" "$tmp" 2 >"$tmp/table"
grep -q '^| new 1 | 09:01:00, 1.5 | 4,000 | 200 | 220 | 3,000 | 8.00 at 3,000/s | 8,000 | 0.500 |$' "$tmp/table" ||
	fail "new 1: $(grep 'new 1' "$tmp/table")"
# ABBA: the second round's old before its new
[ "$(grep -o '^| [a-z]* [0-9]' "$tmp/table" | tr -d '|' | xargs)" = "new 1 old 1 old 2 new 2" ] || fail "order: $(cat "$tmp/table")"
grep -q '^| new, mean of 2 | | 4,200 | 200 | 220 | 3,000 | 9.00 | 9,500 | 0.450 |$' "$tmp/table" || fail "new mean: $(grep 'new, mean' "$tmp/table")"
grep -q '^| old, mean of 2 | | 4,700 | 200 | 220 | 3,000 | 6.00 | 9,000 | 0.525 |$' "$tmp/table" || fail "old mean: $(grep 'old, mean' "$tmp/table")"
# req/s 4,200 ÷ 4,700; the control's 9,500 ÷ 9,000; search ÷ control 0.45 ÷ 0.525
grep -q '^| new ÷ old | | 0.894 | 1.000 | 1.000 | 1.000 | 1.500 | 1.056 | 0.857 |$' "$tmp/table" || fail "ratios: $(grep 'new ÷ old' "$tmp/table")"
# a run that wrote no results
rm "$tmp/old-2.json"
node "$top/bench/run_ab.mjs" "$tmp" 2 >"$tmp/table"
grep -q '^| old 2 | .* | (no results) |' "$tmp/table" || fail "missing run: $(grep 'old 2' "$tmp/table")"
grep -q '^| old, mean of 1 | | 4,400 |' "$tmp/table" || fail "old mean without run 2: $(grep 'old, mean' "$tmp/table")"
echo "bench/run_ab.mjs: ok"
