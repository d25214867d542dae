// bench/result.mjs — benchResult (bench/lib.mjs) for the shell wrappers of the C benches: one figure as key=value
// arguments, e.g. `node bench/result.mjs bench=draw 'figure=draw, median of 3' value=1.2 unit=s 'target=< 2 s' max=2`.
// Numbers: value, baseline_value, ratio, min, max, atMost, ratioMin; met=true|false; higher=0 when lower is better.
// An empty value stands for "not measured" (null).
import { benchResult } from './lib.mjs';

const NUM = new Set(['value', 'baseline_value', 'ratio', 'min', 'max', 'atMost', 'ratioMin']);
const o = {};
for (const a of process.argv.slice(2)) {
	const i = a.indexOf('=');
	if (i < 1) { process.stderr.write(`bench/result.mjs: ${a}: not key=value\n`); process.exit(2); }
	const k = a.slice(0, i), v = a.slice(i + 1);
	if (NUM.has(k)) o[k] = v === '' ? NaN : Number(v);
	else if (k === 'met') o.met = v === 'true' ? true : v === 'false' ? false : null;
	else if (k === 'higher') o.higher = v !== '0';
	else o[k] = v;
}
if (o.ratio !== undefined && !Number.isFinite(o.ratio)) o.ratio = null;
benchResult(o);
