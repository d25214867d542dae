#!/bin/sh
# test_get_writes.sh — scripts/check-get-writes.mjs passes on the tree and fails on planted writes
# outside a transaction reachable from a GET route (read from the replica under serve --db-read):
# an autocommit UPDATE in a function the handler calls, and a store_exec in a row callback it names.
# Each plant goes into a copy of src/.
# Usage: test_get_writes.sh SOURCE_DIR
set -eu
top=$1
tmp=$(mktemp -d /tmp/yj-getwrites-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

node "$top/scripts/check-get-writes.mjs" --root "$top" 2>/dev/null || fail "the tree itself does not pass"

fresh() {
	rm -rf "$tmp/root"
	mkdir -p "$tmp/root/scripts"
	cp -r "$top/src" "$tmp/root/src"
	cp "$top/scripts/check-get-writes.mjs" "$tmp/root/scripts/"
}
expect_fail() {
	if node "$tmp/root/scripts/check-get-writes.mjs" --root "$tmp/root" >"$tmp/out" 2>&1; then
		fail "$1: the check passed"
	fi
	grep -q "$2" "$tmp/out" || fail "$1: output does not say \"$2\": $(cat "$tmp/out")"
	echo "ok: $1"
}

# A helper of the regions list that touches a row without a transaction.
fresh
f=$tmp/root/src/platform/regions/regions_api.c
cat >>"$f" <<'C'

static int touch_region(store_conn *c)
{
	store_stmt *st = store_prepare(c, "UPDATE regions SET name = name WHERE code = '330000'");
	int rc = store_step(st);
	store_finalize(st);
	return rc;
}
C
sed -i 's|^static int list_regions_uncached(yj_req \*r)$|static int touch_region(store_conn *c);\n&|' "$f"
sed -i '0,/yj_qb \*q = filtered(r);/s||touch_region(store_conn_get(yj_store(r)));\n\tyj_qb *q = filtered(r);|' "$f"
expect_fail "autocommit UPDATE called from GET /api/v1/regions" "touch_region writes outside a transaction"

# A row callback (named, not called) that runs store_exec.
fresh
f=$tmp/root/src/platform/regions/regions_api.c
sed -i '0,/^static json_t \*region_row(store_stmt \*st, void \*arg)$/s||static json_t *region_row(store_stmt *st, void *arg)\n{\n\tstore_exec(NULL, "DELETE FROM regions");\n\treturn region_row2(st, arg);\n}\nstatic json_t *region_row2(store_stmt *st, void *arg)|' "$f"
grep -q region_row2 "$f" || fail "plant 2 did not apply"
expect_fail "store_exec in a row callback of GET /api/v1/regions" "region_row writes outside a transaction"
echo "check-get-writes: all plants caught"
