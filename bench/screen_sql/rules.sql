-- bench/screen_sql/rules.sql — yijian's rule types (src/claims/screen.c) written as SQL, for
-- bench/screen. One text runs on DuckDB and on SQLite; the few spots where the dialects differ
-- are macros, expanded by dialect.mjs:
--   @DAYS(a, b)  whole days from date b to date a
--   @YMD(d)      the date as the integer YYYYMMDD
--   @MONTH(d)    year * 12 + month - 1
-- The rule base is data, as for yijian: the tables `rules` (rules/rules.csv), `item_lists`
-- (rules/item_lists.csv), `institutions`, `physicians` (--registry) and `deaths` (--deaths) are
-- loaded as text, and each statement below runs every enabled rule of one type by joining them.
-- Parameters and their defaults are those of screen.c (yj_rule_num(r, key, default)).
--
-- `claims` has the CSV's columns with typed values: dates as dates (DuckDB DATE, SQLite
-- 'YYYY-MM-DD' text), quantity in thousandths, unit_price and amount in fen (integers, as in
-- yijian), admit/discharge/days_supply NULL when empty, and its rowid in file order.
--
-- Each section starts with a line `-- @section NAME`; the bench times every section. `prep`
-- builds the small rule tables and the per-claim head rows that several rule types share (as
-- yijian builds its claim and patient indexes before the rules). Each rule section appends
-- (rule_id, claim_id, line_no) rows to `flags`; a line flagged twice by one rule (a stay that
-- is both the second of one readmission pair and the first of the next) is compared once.

-- @section prep
CREATE TABLE flags (rule_id VARCHAR, claim_id VARCHAR, line_no INTEGER);

-- params "key=value;key=value" of each rule
CREATE TABLE rule_params AS
WITH RECURSIVE s(rule_id, rest, part) AS (
	SELECT rule_id, COALESCE(params, '') || ';', CAST(NULL AS VARCHAR) FROM rules
	UNION ALL
	SELECT rule_id, substr(rest, instr(rest, ';') + 1), substr(rest, 1, instr(rest, ';') - 1)
	FROM s WHERE rest <> ''
)
SELECT rule_id, trim(substr(part, 1, instr(part, '=') - 1)) AS k, trim(substr(part, instr(part, '=') + 1)) AS v
FROM s WHERE part IS NOT NULL AND instr(part, '=') > 0;

-- enabled rules with their parameters (defaults as in screen.c)
CREATE TABLE rule_cfg AS
SELECT rule_id, "type" AS rtype, scene, list_id,
	sex, min_age, max_age, max_days, days, diag_chars, min_idle_days, min_hours * speed_kmh AS max_km,
	CAST(round(amount * 100) AS BIGINT) AS amount_fen, growth,
	CAST(round(min_amount * 100) AS BIGINT) AS min_amount_fen, top_n, min_parts, min_days, max_days,
	child_max_age, adult_min_age, CASE WHEN min_insts < 2 THEN 2 ELSE min_insts END AS min_insts
FROM (
	SELECT r.rule_id, r."type", r.scene, COALESCE(r.list, '') AS list_id,
		COALESCE((SELECT substr(v, 1, 1) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'sex' AND v <> ''), '') AS sex,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_age' AND v <> ''), 0) AS min_age,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'max_age' AND v <> ''), 200) AS max_age,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'max_days' AND v <> ''), 7) AS max_days,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'days' AND v <> ''), 15) AS days,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'diag_chars' AND v <> ''), 3) AS diag_chars,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_idle_days' AND v <> ''), 3) AS min_idle_days,
		COALESCE((SELECT CAST(v AS DOUBLE) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_hours' AND v <> ''), 4) AS min_hours,
		COALESCE((SELECT CAST(v AS DOUBLE) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'speed_kmh' AND v <> ''), 80) AS speed_kmh,
		COALESCE((SELECT CAST(v AS DOUBLE) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'amount' AND v <> ''), 1000) AS amount,
		(SELECT CAST(v AS DOUBLE) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'growth' AND v <> '') AS growth,
		COALESCE((SELECT CAST(v AS DOUBLE) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_amount' AND v <> ''), 1000) AS min_amount,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'top_n' AND v <> ''), 0) AS top_n,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_parts' AND v <> ''), 2) AS min_parts,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_days' AND v <> ''),
			CASE WHEN r."type" = 'card_identity' THEN 1 ELSE 2 END) AS min_days,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'child_max_age' AND v <> ''), 13) AS child_max_age,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'min_insts' AND v <> ''), 5) AS min_insts,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'adult_min_age' AND v <> ''), 18) AS adult_min_age,
		COALESCE((SELECT CAST(trunc(CAST(v AS DOUBLE)) AS INTEGER) FROM rule_params p WHERE p.rule_id = r.rule_id AND p.k = 'max_days' AND v <> ''), 4) AS max_days
	FROM rules r
	WHERE NOT (substr(COALESCE(r.enabled, ''), 1, 1) = '0' OR r.enabled IN ('no', 'false'))
) q;

-- the enabled rules once per visit type of their scene: rules meet claim lines by an equality join
-- on the visit type (a condition like instr(scene, visit_type) > 0 leaves the engine no hash key)
CREATE TABLE rule_vt AS
SELECT r.*, v.visit_type
FROM rule_cfg r
JOIN (SELECT 'O' AS visit_type UNION ALL SELECT 'E' UNION ALL SELECT 'I') v ON instr(r.scene, v.visit_type) > 0;

-- list membership (an item listed twice counts once) and the list rows per rule
CREATE TABLE list_items AS
SELECT list_id, item_code, MAX(COALESCE(value, '')) AS value FROM item_lists GROUP BY list_id, item_code;

-- diag_limit prefixes: the `|`-separated value of each list item, empty parts dropped
CREATE TABLE diag_prefix AS
WITH RECURSIVE s(list_id, item_code, rest, part) AS (
	SELECT list_id, item_code, value || '|', CAST(NULL AS VARCHAR) FROM list_items
	WHERE list_id IN (SELECT list_id FROM rule_cfg WHERE rtype = 'diag_limit')
	UNION ALL
	SELECT list_id, item_code, substr(rest, instr(rest, '|') + 1), substr(rest, 1, instr(rest, '|') - 1)
	FROM s WHERE rest <> ''
)
SELECT list_id, item_code, part AS prefix FROM s WHERE part IS NOT NULL AND part <> '';

-- consumable_procedure pairs: the `|`-separated procedure codes of each listed consumable
CREATE TABLE proc_pair AS
WITH RECURSIVE s(list_id, item_code, rest, part) AS (
	SELECT list_id, item_code, value || '|', CAST(NULL AS VARCHAR) FROM list_items
	WHERE list_id IN (SELECT list_id FROM rule_cfg WHERE rtype = 'consumable_procedure')
	UNION ALL
	SELECT list_id, item_code, substr(rest, instr(rest, '|') + 1), substr(rest, 1, instr(rest, '|') - 1)
	FROM s WHERE rest <> ''
)
SELECT DISTINCT list_id, item_code, part AS proc FROM s WHERE part IS NOT NULL AND part <> '';

-- registry: the departments of each institution and of each physician's registration
CREATE TABLE inst_depts AS
WITH RECURSIVE s(institution_code, rest, part) AS (
	SELECT institution_code, COALESCE(depts, '') || '|', CAST(NULL AS VARCHAR) FROM institutions
	UNION ALL
	SELECT institution_code, substr(rest, instr(rest, '|') + 1), trim(substr(rest, 1, instr(rest, '|') - 1))
	FROM s WHERE rest <> ''
)
SELECT DISTINCT institution_code, part AS dept FROM s WHERE part IS NOT NULL AND part <> '';

CREATE TABLE phys_depts AS
WITH RECURSIVE s(physician_id, institution_code, rest, part) AS (
	SELECT physician_id, institution_code, COALESCE(depts, '') || '|', CAST(NULL AS VARCHAR) FROM physicians
	UNION ALL
	SELECT physician_id, institution_code, substr(rest, instr(rest, '|') + 1), trim(substr(rest, 1, instr(rest, '|') - 1))
	FROM s WHERE rest <> ''
)
SELECT DISTINCT physician_id, institution_code, part AS dept FROM s WHERE part IS NOT NULL AND part <> '';

CREATE TABLE inst_geo AS
SELECT institution_code, MAX(CAST(NULLIF(lat, '') AS DOUBLE)) AS lat, MAX(CAST(NULLIF(lon, '') AS DOUBLE)) AS lon
FROM institutions GROUP BY institution_code;

CREATE TABLE death_day AS
SELECT patient_id, MIN(death_date) AS death_date FROM deaths GROUP BY patient_id;

-- indexes on the small tables the rules probe line by line (DuckDB's hash joins do not need
-- them; SQLite's nested loops do)
CREATE INDEX list_items_k ON list_items (list_id, item_code);
CREATE INDEX rule_vt_k ON rule_vt (rtype, visit_type);
CREATE INDEX diag_prefix_k ON diag_prefix (list_id, item_code);
CREATE INDEX proc_pair_k ON proc_pair (list_id, item_code);
CREATE INDEX inst_depts_k ON inst_depts (institution_code, dept);
CREATE INDEX phys_depts_k ON phys_depts (physician_id, institution_code, dept);
CREATE INDEX inst_geo_k ON inst_geo (institution_code);
CREATE INDEX death_day_k ON death_day (patient_id);

-- the head row of each claim (lowest line_no, then first in the file): one grouping finds its rowid
-- as the least packed (line_no, rowid) key, and a join by rowid fetches the row, rather than a sort
-- of every row or eight arg_min states per claim (EXPLAIN ANALYZE: the string arg_mins were most of
-- the grouping's time). Its visit type decides a claim's scene, and an inpatient claim's head row
-- gives the stay's patient, admission, discharge and main diagnosis.
CREATE TABLE claim_head AS
SELECT c.claim_id, c.line_no, c.patient_id, c.institution_code, c.visit_type, c.admit_date, c.discharge_date,
	c.service_date, c.diagnosis, m.rn
FROM (SELECT MIN(CAST(line_no AS BIGINT) * 4294967296 + rowid) % 4294967296 AS rn FROM claims GROUP BY claim_id) m
JOIN claims c ON c.rowid = m.rn;

-- @section sex_item
INSERT INTO flags
SELECT x.rule_id, c.claim_id, c.line_no
FROM (
	SELECT r.rule_id, r.visit_type, l.item_code,
		CASE WHEN substr(l.value, 1, 1) IN ('M', 'F') THEN substr(l.value, 1, 1) ELSE r.sex END AS allowed
	FROM rule_vt r JOIN list_items l ON l.list_id = r.list_id
	WHERE r.rtype = 'sex_item'
) x
JOIN claims c ON c.item_code = x.item_code
WHERE x.allowed <> '' AND c.sex <> x.allowed AND x.visit_type = c.visit_type;

-- @section age_item
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM rule_vt r
JOIN list_items l ON l.list_id = r.list_id
JOIN claims c ON c.item_code = l.item_code
WHERE r.rtype = 'age_item' AND r.visit_type = c.visit_type
	AND (floor((@YMD(c.service_date) - @YMD(c.birth_date)) / 10000.0) < r.min_age
	     OR floor((@YMD(c.service_date) - @YMD(c.birth_date)) / 10000.0) > r.max_age);

-- @section price_cap
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM rule_vt r
JOIN list_items l ON l.list_id = r.list_id
JOIN claims c ON c.item_code = l.item_code
WHERE r.rtype = 'price_cap' AND r.visit_type = c.visit_type
	AND c.unit_price > CAST(round(CAST(l.value AS DOUBLE) * 100) AS BIGINT);

-- @section daily_cap
-- per patient, day and listed item: quantity summed over the lines above the cap (a grouping joined
-- back to its lines: a window partitioned the same way sorts every listed line)
INSERT INTO flags
WITH x AS (
	SELECT r.rule_id, c.claim_id, c.line_no, c.patient_id, c.service_date, c.item_code, c.quantity,
		CAST(round(CAST(l.value AS DOUBLE) * 1000) AS BIGINT) AS cap
	FROM rule_vt r
	JOIN list_items l ON l.list_id = r.list_id
	JOIN claims c ON c.item_code = l.item_code
	WHERE r.rtype = 'daily_cap' AND r.visit_type = c.visit_type
), g AS (
	SELECT rule_id, patient_id, service_date, item_code FROM x
	GROUP BY rule_id, patient_id, service_date, item_code, cap HAVING SUM(quantity) > cap
)
SELECT x.rule_id, x.claim_id, x.line_no
FROM x JOIN g ON g.rule_id = x.rule_id AND g.patient_id = x.patient_id AND g.service_date = x.service_date
	AND g.item_code = x.item_code;

-- @section exclusive
-- two or more different items of one group (the list value) for a patient on one day
INSERT INTO flags
WITH x AS (
	SELECT r.rule_id, c.claim_id, c.line_no, c.patient_id, c.service_date, l.value AS grp, c.item_code
	FROM rule_vt r
	JOIN list_items l ON l.list_id = r.list_id
	JOIN claims c ON c.item_code = l.item_code
	WHERE r.rtype = 'exclusive' AND r.visit_type = c.visit_type
), g AS (
	SELECT rule_id, patient_id, service_date, grp FROM x
	GROUP BY rule_id, patient_id, service_date, grp HAVING MIN(item_code) <> MAX(item_code)
)
SELECT x.rule_id, x.claim_id, x.line_no
FROM x JOIN g ON g.rule_id = x.rule_id AND g.patient_id = x.patient_id AND g.service_date = x.service_date
	AND g.grp = x.grp;

-- @section duplicate_line
-- identical lines (item, date, quantity, unit price) in one claim whose head row is in scene
INSERT INTO flags
SELECT r.rule_id, d.claim_id, d.line_no
FROM (
	SELECT claim_id, line_no,
		COUNT(*) OVER (PARTITION BY claim_id, item_code, service_date, quantity, unit_price) AS n
	FROM claims
) d
JOIN claim_head h ON h.claim_id = d.claim_id
JOIN rule_vt r ON r.rtype = 'duplicate_line' AND r.visit_type = h.visit_type
WHERE d.n >= 2;

-- @section days_supply
-- drug lines with days_supply above max_days; a rule with a list looks at listed drugs only
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM rule_vt r
JOIN claims c ON c.days_supply > r.max_days AND r.visit_type = c.visit_type
WHERE r.rtype = 'days_supply' AND r.list_id = '' AND c.item_type = 'drug'
UNION ALL
SELECT r.rule_id, c.claim_id, c.line_no
FROM rule_vt r
JOIN list_items l ON l.list_id = r.list_id
JOIN claims c ON c.item_code = l.item_code
WHERE r.rtype = 'days_supply' AND c.item_type = 'drug' AND c.days_supply > r.max_days
	AND r.visit_type = c.visit_type;

-- @section readmission
-- consecutive stays of a patient (by admission): readmitted 0..days after the previous
-- discharge with the same first diag_chars characters of the main diagnosis; both head rows.
-- A claim at the same institution admitted on or before the previous discharge continues that
-- stay (中途结算) and is not a readmission. (yijian chains such segments into one stay; this
-- baseline only skips the pair, which is the same on the generator's data.)
INSERT INTO flags
WITH s AS (
	SELECT claim_id, line_no, admit_date, diagnosis, institution_code,
		LAG(claim_id) OVER w AS p_claim, LAG(line_no) OVER w AS p_line,
		LAG(discharge_date) OVER w AS p_discharge, LAG(diagnosis) OVER w AS p_diag,
		LAG(institution_code) OVER w AS p_inst
	FROM claim_head WHERE visit_type = 'I'
	WINDOW w AS (PARTITION BY patient_id ORDER BY admit_date, rn)
), p AS (
	SELECT r.rule_id, s.claim_id, s.line_no, s.p_claim, s.p_line
	FROM s JOIN rule_cfg r ON r.rtype = 'readmission'
	WHERE s.p_claim IS NOT NULL AND s.p_discharge IS NOT NULL AND s.admit_date IS NOT NULL
		AND @DAYS(s.admit_date, s.p_discharge) BETWEEN 0 AND r.days
		AND NOT (s.institution_code = s.p_inst AND s.admit_date <= s.p_discharge)
		AND substr(s.diagnosis, 1, r.diag_chars) = substr(s.p_diag, 1, r.diag_chars)
)
SELECT rule_id, claim_id, line_no FROM p
UNION ALL
SELECT rule_id, p_claim, p_line FROM p;

-- @section idle_bed
-- a stay with at least min_idle_days days in [admission, discharge) (clamped to 1..400 days)
-- on which the claim has only listed (accommodation) lines: those lines, or the head row
-- when the idle days have no lines at all
INSERT INTO flags
WITH st AS (
	SELECT r.rule_id, r.list_id, r.min_idle_days, h.claim_id, h.line_no AS head_line, h.admit_date,
		CASE WHEN @DAYS(h.discharge_date, h.admit_date) < 1 THEN 1
		     WHEN @DAYS(h.discharge_date, h.admit_date) > 400 THEN 400
		     ELSE @DAYS(h.discharge_date, h.admit_date) END AS len
	FROM claim_head h JOIN rule_cfg r ON r.rtype = 'idle_bed'
	WHERE h.visit_type = 'I' AND h.discharge_date IS NOT NULL
), ln AS (
	SELECT st.rule_id, st.claim_id, c.line_no, @DAYS(c.service_date, st.admit_date) AS d,
		CASE WHEN l.item_code IS NULL THEN 1 ELSE 0 END AS treat
	FROM st
	JOIN claims c ON c.claim_id = st.claim_id
	LEFT JOIN list_items l ON l.list_id = st.list_id AND l.item_code = c.item_code
	WHERE @DAYS(c.service_date, st.admit_date) >= 0 AND @DAYS(c.service_date, st.admit_date) < st.len
), dd AS (
	SELECT rule_id, claim_id, d, MAX(treat) AS tr FROM ln GROUP BY rule_id, claim_id, d
), cl AS (
	SELECT rule_id, claim_id, SUM(tr) AS treated, COUNT(*) - SUM(tr) AS idle_with_lines
	FROM dd GROUP BY rule_id, claim_id
), idle AS (
	SELECT st.rule_id, st.claim_id, st.head_line, COALESCE(cl.idle_with_lines, 0) AS idle_with_lines
	FROM st LEFT JOIN cl ON cl.rule_id = st.rule_id AND cl.claim_id = st.claim_id
	WHERE st.len - COALESCE(cl.treated, 0) >= st.min_idle_days
)
SELECT ln.rule_id, ln.claim_id, ln.line_no
FROM ln
JOIN idle ON idle.rule_id = ln.rule_id AND idle.claim_id = ln.claim_id
JOIN dd ON dd.rule_id = ln.rule_id AND dd.claim_id = ln.claim_id AND dd.d = ln.d
WHERE dd.tr = 0
UNION ALL
SELECT rule_id, claim_id, head_line FROM idle WHERE idle_with_lines = 0;

-- @section outpatient_in_stay
-- an O/E line strictly between admission and discharge of one of the patient's stays
INSERT INTO flags
SELECT DISTINCT r.rule_id, c.claim_id, c.line_no
FROM claim_head s
JOIN claims c ON c.patient_id = s.patient_id
	AND c.service_date > s.admit_date AND c.service_date < s.discharge_date
JOIN rule_vt r ON r.rtype = 'outpatient_in_stay' AND r.visit_type = c.visit_type
WHERE s.visit_type = 'I' AND s.discharge_date IS NOT NULL AND c.visit_type <> 'I';

-- @section diag_limit
-- a listed item whose line's diagnosis starts with none of the item's prefixes
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM rule_vt r
JOIN list_items l ON l.list_id = r.list_id
JOIN claims c ON c.item_code = l.item_code
WHERE r.rtype = 'diag_limit' AND r.visit_type = c.visit_type
	AND NOT EXISTS (
		SELECT 1 FROM diag_prefix p
		WHERE p.list_id = r.list_id AND p.item_code = c.item_code
			AND substr(c.diagnosis, 1, length(p.prefix)) = p.prefix);

-- @section after_death
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM claims c
JOIN death_day dd ON dd.patient_id = c.patient_id
JOIN rule_vt r ON r.rtype = 'after_death' AND r.visit_type = c.visit_type
WHERE c.service_date > dd.death_date;

-- @section physician_scope
-- the physician has no registration at the institution, or it does not cover the department
-- (institutions not in the registry are a registry gap, reported once, not judged)
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM claims c
JOIN inst_geo i ON i.institution_code = c.institution_code
JOIN rule_vt r ON r.rtype = 'physician_scope' AND r.visit_type = c.visit_type
LEFT JOIN phys_depts p ON p.physician_id = c.physician_id AND p.institution_code = c.institution_code AND p.dept = c.dept_code
WHERE p.physician_id IS NULL;

-- @section dept_unregistered
-- a department the institution has not registered (institutions not in the registry are not judged)
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM claims c
JOIN inst_geo i ON i.institution_code = c.institution_code
JOIN rule_vt r ON r.rtype = 'dept_unregistered' AND r.visit_type = c.visit_type
LEFT JOIN inst_depts d ON d.institution_code = c.institution_code AND d.dept = c.dept_code
WHERE d.institution_code IS NULL;

-- @section card_misuse
-- one patient at two institutions on one day: of the institutions' first lines (in file
-- order), the farthest pair (great circle), flagged when farther than min_hours × speed_kmh
INSERT INTO flags
WITH f AS (
	SELECT r.rule_id, c.patient_id, c.service_date, c.institution_code, MIN(c.rowid) AS rn
	FROM claims c
	JOIN rule_vt r ON r.rtype = 'card_misuse' AND r.visit_type = c.visit_type
	GROUP BY r.rule_id, c.patient_id, c.service_date, c.institution_code
), m AS (
	SELECT f.* FROM f
	JOIN (SELECT rule_id, patient_id, service_date FROM f GROUP BY rule_id, patient_id, service_date HAVING COUNT(*) >= 2) k
		ON k.rule_id = f.rule_id AND k.patient_id = f.patient_id AND k.service_date = f.service_date
), pairs AS (
	SELECT a.rule_id, a.patient_id, a.service_date, a.rn AS ra, b.rn AS rb,
		2 * 6371.0 * asin(sqrt(
			sin((gb.lat - ga.lat) * (pi() / 180) / 2) * sin((gb.lat - ga.lat) * (pi() / 180) / 2)
			+ cos(ga.lat * (pi() / 180)) * cos(gb.lat * (pi() / 180))
			  * sin((gb.lon - ga.lon) * (pi() / 180) / 2) * sin((gb.lon - ga.lon) * (pi() / 180) / 2))) AS d
	FROM m a
	JOIN m b ON b.rule_id = a.rule_id AND b.patient_id = a.patient_id AND b.service_date = a.service_date AND b.rn > a.rn
	JOIN inst_geo ga ON ga.institution_code = a.institution_code
	JOIN inst_geo gb ON gb.institution_code = b.institution_code
	WHERE ga.lat IS NOT NULL AND ga.lon IS NOT NULL AND gb.lat IS NOT NULL AND gb.lon IS NOT NULL
), best AS (
	SELECT pairs.*, ROW_NUMBER() OVER (PARTITION BY rule_id, patient_id, service_date ORDER BY d DESC, ra, rb) AS k
	FROM pairs
), hit AS (
	SELECT best.rule_id, ra, rb FROM best JOIN rule_cfg r ON r.rule_id = best.rule_id
	WHERE best.k = 1 AND best.d > 0 AND best.d > r.max_km
)
SELECT hit.rule_id, c.claim_id, c.line_no FROM hit JOIN claims c ON c.rowid = hit.ra
UNION ALL
SELECT hit.rule_id, c.claim_id, c.line_no FROM hit JOIN claims c ON c.rowid = hit.rb;

-- @section big_prescription
-- an O/E claim (by its head row) whose drug lines sum above `amount` yuan: its drug lines
INSERT INTO flags
WITH s AS (
	SELECT claim_id, SUM(amount) AS total FROM claims WHERE item_type = 'drug' GROUP BY claim_id
)
SELECT r.rule_id, c.claim_id, c.line_no
FROM s
JOIN claim_head h ON h.claim_id = s.claim_id
JOIN rule_vt r ON r.rtype = 'big_prescription' AND r.visit_type = h.visit_type AND s.total > r.amount_fen
JOIN claims c ON c.claim_id = s.claim_id
WHERE c.item_type = 'drug';

-- @section key_drug
-- per rule, institution, listed drug and month: growth over the previous month (not in the
-- first month of the rule's lines) when `growth` is set, and/or a place in the month's top_n
-- institutions (ties: the institution seen first in the file)
INSERT INTO flags
WITH x AS (
	SELECT r.rule_id, c.claim_id, c.line_no, c.institution_code, c.item_code, @MONTH(c.service_date) AS m, c.amount
	FROM rule_vt r
	JOIN list_items l ON l.list_id = r.list_id
	JOIN claims c ON c.item_code = l.item_code
	WHERE r.rtype = 'key_drug' AND r.visit_type = c.visit_type
), cell AS (
	SELECT rule_id, institution_code, item_code, m, SUM(amount) AS total FROM x GROUP BY rule_id, institution_code, item_code, m
), m0 AS (
	SELECT rule_id, MIN(m) AS m0 FROM x GROUP BY rule_id
), growth AS (
	SELECT cur.rule_id, cur.institution_code, cur.item_code, cur.m
	FROM cell cur
	JOIN rule_cfg r ON r.rule_id = cur.rule_id
	JOIN m0 ON m0.rule_id = cur.rule_id
	LEFT JOIN cell pv ON pv.rule_id = cur.rule_id AND pv.institution_code = cur.institution_code
		AND pv.item_code = cur.item_code AND pv.m = cur.m - 1
	WHERE r.growth IS NOT NULL AND cur.m > m0.m0 AND cur.total >= r.min_amount_fen
		AND cur.total > COALESCE(pv.total, 0) * (1.0 + r.growth)
), inst_order AS (
	SELECT institution_code, MIN(rowid) AS first_rn FROM claims
	WHERE institution_code IN (SELECT institution_code FROM cell)
	GROUP BY institution_code
), ranked AS (
	SELECT cell.rule_id, cell.institution_code, cell.item_code, cell.m,
		ROW_NUMBER() OVER (PARTITION BY cell.rule_id, cell.item_code, cell.m ORDER BY cell.total DESC, io.first_rn) AS k
	FROM cell JOIN inst_order io ON io.institution_code = cell.institution_code
	WHERE cell.total > 0
), top AS (
	SELECT ranked.rule_id, ranked.institution_code, ranked.item_code, ranked.m
	FROM ranked JOIN rule_cfg r ON r.rule_id = ranked.rule_id
	WHERE r.top_n > 0 AND ranked.k <= r.top_n
), marked AS (
	SELECT rule_id, institution_code, item_code, m FROM growth
	UNION
	SELECT rule_id, institution_code, item_code, m FROM top
)
SELECT x.rule_id, x.claim_id, x.line_no
FROM x JOIN marked ON marked.rule_id = x.rule_id AND marked.institution_code = x.institution_code
	AND marked.item_code = x.item_code AND marked.m = x.m;

-- @section split_billing
-- at least min_parts different items of one component set (the list value) for a patient on one day
INSERT INTO flags
WITH x AS (
	SELECT r.rule_id, r.min_parts, l.value AS grp, c.patient_id, c.service_date, c.item_code, c.claim_id, c.line_no
	FROM rule_vt r
	JOIN list_items l ON l.list_id = r.list_id
	JOIN claims c ON c.item_code = l.item_code
	WHERE r.rtype = 'split_billing' AND r.visit_type = c.visit_type
), g AS (
	SELECT rule_id, patient_id, service_date, grp, COUNT(DISTINCT item_code) AS k
	FROM x GROUP BY rule_id, patient_id, service_date, grp
)
SELECT x.rule_id, x.claim_id, x.line_no
FROM x JOIN g ON g.rule_id = x.rule_id AND g.patient_id = x.patient_id AND g.service_date = x.service_date AND g.grp = x.grp
WHERE g.k >= x.min_parts;

-- @section consumable_procedure
-- a listed consumable whose claim bills none of its procedures
INSERT INTO flags
SELECT r.rule_id, c.claim_id, c.line_no
FROM rule_vt r
JOIN list_items l ON l.list_id = r.list_id
JOIN claims c ON c.item_code = l.item_code
LEFT JOIN (
	SELECT DISTINCT p.list_id, p.item_code, d.claim_id FROM proc_pair p JOIN claims d ON d.item_code = p.proc
) q ON q.list_id = r.list_id AND q.item_code = c.item_code AND q.claim_id = c.claim_id
WHERE r.rtype = 'consumable_procedure' AND r.visit_type = c.visit_type AND q.claim_id IS NULL;

-- @section rx_split
-- a patient's O/E claims with drug lines at one institution on one day (the head row's): two or
-- more, none over `amount` yuan of drugs, together over it; their drug lines
INSERT INTO flags
WITH s AS (
	SELECT claim_id, SUM(amount) AS total FROM claims WHERE item_type = 'drug' GROUP BY claim_id
), h AS (
	SELECT r.rule_id, r.amount_fen, h.claim_id,
		COUNT(*) OVER w AS n, SUM(s.total) OVER w AS total, MAX(s.total) OVER w AS mx
	FROM claim_head h
	JOIN s ON s.claim_id = h.claim_id
	JOIN rule_vt r ON r.rtype = 'rx_split' AND r.visit_type = h.visit_type
	WHERE h.visit_type <> 'I'
	WINDOW w AS (PARTITION BY r.rule_id, h.patient_id, h.institution_code, h.service_date)
)
SELECT h.rule_id, c.claim_id, c.line_no
FROM h JOIN claims c ON c.claim_id = h.claim_id
WHERE h.n >= 2 AND h.mx <= h.amount_fen AND h.total > h.amount_fen AND c.item_type = 'drug';

-- @section checkup_admission
-- a stay (claim) of min_days..max_days days whose lines are all listed, at least one an
-- examination (list value 'exam'): all its lines. (yijian reads a stay across its claims; the
-- generator's stays are one claim each.)
INSERT INTO flags
WITH st AS (
	SELECT r.rule_id, r.list_id, h.claim_id
	FROM claim_head h JOIN rule_vt r ON r.rtype = 'checkup_admission' AND r.visit_type = h.visit_type
	WHERE h.visit_type = 'I' AND h.discharge_date IS NOT NULL
		AND @DAYS(h.discharge_date, h.admit_date) BETWEEN r.min_days AND r.max_days
), ln AS (
	SELECT st.rule_id, c.claim_id, c.line_no, l.value
	FROM st
	JOIN claims c ON c.claim_id = st.claim_id
	LEFT JOIN list_items l ON l.list_id = st.list_id AND l.item_code = c.item_code
), ok AS (
	SELECT rule_id, claim_id FROM ln GROUP BY rule_id, claim_id
	HAVING SUM(CASE WHEN value IS NULL THEN 1 ELSE 0 END) = 0 AND SUM(CASE WHEN value = 'exam' THEN 1 ELSE 0 END) > 0
)
SELECT ln.rule_id, ln.claim_id, ln.line_no
FROM ln JOIN ok ON ok.rule_id = ln.rule_id AND ok.claim_id = ln.claim_id;

-- @section card_identity
-- listed items of the other sex (value M/F) or another age group (child: older than child_max_age;
-- adult: younger than adult_min_age) on at least min_days days of one card: those lines
INSERT INTO flags
WITH x AS (
	SELECT r.rule_id, r.min_days, c.patient_id, c.service_date, c.claim_id, c.line_no
	FROM rule_vt r
	JOIN list_items l ON l.list_id = r.list_id
	JOIN claims c ON c.item_code = l.item_code
	WHERE r.rtype = 'card_identity' AND r.visit_type = c.visit_type
		AND ((l.value IN ('M', 'F') AND c.sex <> l.value)
		     OR (l.value = 'child' AND floor((@YMD(c.service_date) - @YMD(c.birth_date)) / 10000.0) > r.child_max_age)
		     OR (l.value = 'adult' AND floor((@YMD(c.service_date) - @YMD(c.birth_date)) / 10000.0) < r.adult_min_age))
), p AS (
	SELECT rule_id, patient_id, COUNT(DISTINCT service_date) AS d FROM x GROUP BY rule_id, patient_id
)
SELECT x.rule_id, x.claim_id, x.line_no
FROM x JOIN p ON p.rule_id = x.rule_id AND p.patient_id = x.patient_id
WHERE p.d >= x.min_days;

-- @section card_insts
-- one card's lines in scene at min_insts or more institutions in one calendar month: the first
-- line (in the file) at each of them
INSERT INTO flags
WITH f AS (
	SELECT r.rule_id, r.min_insts, c.patient_id, @MONTH(c.service_date) AS m, c.institution_code, MIN(c.rowid) AS rn
	FROM claims c
	JOIN rule_vt r ON r.rtype = 'card_insts' AND r.visit_type = c.visit_type
	GROUP BY r.rule_id, r.min_insts, c.patient_id, @MONTH(c.service_date), c.institution_code
), k AS (
	SELECT rule_id, patient_id, m FROM f GROUP BY rule_id, min_insts, patient_id, m HAVING COUNT(*) >= min_insts
)
SELECT f.rule_id, c.claim_id, c.line_no
FROM f
JOIN k ON k.rule_id = f.rule_id AND k.patient_id = f.patient_id AND k.m = f.m
JOIN claims c ON c.rowid = f.rn;
