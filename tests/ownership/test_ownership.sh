#!/bin/sh
# test_ownership.sh — scripts/check-ownership.mjs passes on the tree and fails on planted violations:
# SQL naming another module's table, a yj_table of another module's table, a condition on another
# module's column, a table missing from docs/development.md, an allowance no longer needed, a header
# of another capability other than its <cap>.h (from a capability, the CLI or the platform). Each
# plant goes into a copy of the tree.
# Usage: test_ownership.sh SOURCE_DIR
set -eu
top=$1
tmp=$(mktemp -d /tmp/yj-ownership-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

node "$top/scripts/check-ownership.mjs" --root "$top" || fail "the tree itself does not pass"

fresh() {
	rm -rf "$tmp/root"
	mkdir -p "$tmp/root/docs" "$tmp/root/scripts"
	cp -r "$top/src" "$tmp/root/src"
	cp "$top/docs/development.md" "$tmp/root/docs/"
	cp "$top/scripts/check-ownership.mjs" "$tmp/root/scripts/"
}
# expect_fail WHAT PATTERN: the check fails and its output matches PATTERN.
expect_fail() {
	if node "$tmp/root/scripts/check-ownership.mjs" --root "$tmp/root" >"$tmp/out" 2>&1; then
		fail "$1: the check passed"
	fi
	grep -q "$2" "$tmp/out" || fail "$1: output does not say \"$2\": $(cat "$tmp/out")"
	echo "ok: $1"
}

fresh
cat >>"$tmp/root/src/fhir/fhir_api.c" <<'C'
static const char *const planted_sql = "SELECT name FROM institutions"
				       " WHERE id = ?";
C
expect_fail "FHIR reading a registry table" "src/fhir/fhir_api.c:[0-9]*: module fhir names table institutions, owned by registry"

fresh
cat >>"$tmp/root/src/claims/review_store.c" <<'C'
static const yj_table planted_table = {"users u", "u.region_code", NULL, NULL};
C
expect_fail "claims scoping a query on platform's users" "module claims names table users, owned by platform"

fresh
cat >>"$tmp/root/src/registry/record.c" <<'C'
static const char planted_join[] = "SELECT i.name FROM institutions i "
				   "JOIN inspection_tasks t ON t.subject_id = i.id";
C
expect_fail "registry joining an inspection table" "module registry names table inspection_tasks, owned by inspection"

fresh
cat >>"$tmp/root/src/fhir/fhir_search.c" <<'C'
static const char planted_cond[] = "credit_code = ? OR licence_no IS NOT NULL";
C
expect_fail "FHIR filtering on registry columns" "src/fhir/fhir_search.c:[0-9]*: module fhir writes SQL on column credit_code of registry's tables"

fresh
cat >>"$tmp/root/src/claims/review_store.c" <<'C'
static const char planted_order[] = "ORDER BY practice_type";
C
expect_fail "claims ordering by a registry column" "module claims writes SQL on column practice_type of registry's tables"

fresh
sed -i 's/, `todo_assignees`//' "$tmp/root/docs/development.md"
expect_fail "a table missing from docs/development.md" "table todo_assignees should be listed under platform"

fresh
sed -i 's/^const TEMPORARY = `$/const TEMPORARY = `\nsrc\/registry\/record.c regions/' \
	"$tmp/root/scripts/check-ownership.mjs"
expect_fail "an allowance that is not needed" 'temporary allowance "src/registry/record.c regions" is no longer needed'

fresh
sed -i 's|^#include "insp_int.h"$|#include "insp_int.h"\n#include "../registry/record.h"|' "$tmp/root/src/inspection/items_api.c"
expect_fail "inspection including a registry header other than registry.h" \
	'src/inspection/items_api.c:[0-9]*: includes ../registry/record.h; include only registry'"'"'s interface, registry/registry.h'

fresh
sed -i 's|^#include "../registry/registry.h"$|#include "../registry/licence.h"|' "$tmp/root/src/cli/licence_cmd.c"
expect_fail "the CLI including a registry header other than registry.h" \
	'src/cli/licence_cmd.c:[0-9]*: includes ../registry/licence.h'

fresh
echo '#include "../../claims/claims.h"' >>"$tmp/root/src/platform/http/router.c"
expect_fail "the platform including a capability header" \
	'src/platform/http/router.c:[0-9]*: the platform includes ../../claims/claims.h'
