#!/bin/sh
# test_upgrade.sh — a database made before migrations were kept per module opens with this binary,
# migrates forward, keeps every row, and its audit log still verifies the registry's rows.
# The fixture (tests/data/pre-modules/) was made by the binary of commit 129d93d with
# `yijian demo --scale 0.05` on SQLite (sqlite.db.gz) and on PostgreSQL (postgresql.sql.gz, pg_dump
# --no-owner --no-privileges), with the keys in keys/. SQLite by default; PostgreSQL when YJ_TEST_DB
# is set (as for the unit tests): the dump is loaded into a new database of that server.
# Usage: test_upgrade.sh path/to/yijian
set -eu
bin=$1
data=$(cd "$(dirname "$0")/../data/pre-modules" && pwd)
tmp=$(mktemp -d /tmp/yj-upgrade-XXXXXX)
pgdb=
cleanup() {
	[ -n "$pgdb" ] && psql -q "$YJ_TEST_DB" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

cp -r "$data/keys" "$tmp/keys"
chmod 700 "$tmp/keys"
chmod 600 "$tmp/keys"/*.key

if [ -n "${YJ_TEST_DB:-}" ]; then
	pgdb="yj_upgrade_$$"
	psql -q "$YJ_TEST_DB" -c "CREATE DATABASE $pgdb" >/dev/null
	url=$(printf '%s' "$YJ_TEST_DB" | sed "s|/[^/?]*\(?.*\)\{0,1\}\$|/$pgdb\1|")
	gzip -dc "$data/postgresql.sql.gz" | psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null
	sql() { psql -qAtX -v ON_ERROR_STOP=1 "$url" -c "$1"; }
	tables="SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
else
	gzip -dc "$data/sqlite.db.gz" >"$tmp/pre.db"
	url="sqlite:$tmp/pre.db"
	sql() { sqlite3 -bail "$tmp/pre.db" "$1"; }
	tables="SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
fi

# Rows of every table but the migrations' own bookkeeping, one "table count" line each.
counts() {
	for t in $(sql "$tables"); do
		[ "$t" = schema_migrations ] && continue
		echo "$t $(sql "SELECT COUNT(*) FROM $t")"
	done
}

counts >"$tmp/before"
applied8=$(sql "SELECT applied_at FROM schema_migrations WHERE version = 8")
[ "$(sql "SELECT COUNT(*) FROM schema_migrations")" = 12 ] || fail "the fixture is not a 12-migration database"
[ "$(wc -l <"$tmp/before")" -gt 30 ] || fail "the fixture has too few tables"
[ "$(grep '^institutions ' "$tmp/before" | cut -d' ' -f2)" -gt 0 ] || fail "the fixture has no institutions"

"$bin" init --db "$url" --keys "$tmp/keys" >"$tmp/init.out" 2>"$tmp/init.err" || {
	cat "$tmp/init.err" >&2
	fail "yijian init did not migrate the old database"
}
counts >"$tmp/after"
# Every table of the old database keeps its rows; tables of later migrations are new (not compared), and
# a later migration may add reference rows to an old table (registry 0005 adds licence kinds), so a count
# may grow but never shrink. One old table is meant to go: inspection_blobs, whose contents inspection's
# migration 0006 moves into the platform's content-addressed store (blobs). And one is rebuilt from the
# records: name_grams, numeric bigrams since registry's 0007 (fewer rows: no single characters but the
# last), checked below by the records it indexes.
kept() {
	awk 'NR == FNR { after[$1] = $2; next }
	     $1 != "inspection_blobs" && $1 != "name_grams" && !($1 in after && after[$1] + 0 >= $2 + 0) {
	       print "lost rows: " $0; bad = 1 }
	     END { exit bad }' "$2" "$1" >&2
}
kept "$tmp/before" "$tmp/after" || fail "rows changed by the migration"
# Every named record has its name's grams again (at least its last character's).
for t in institutions practitioners; do
	[ "$(sql "SELECT COUNT(*) FROM $t r WHERE NOT EXISTS (SELECT 1 FROM name_grams g WHERE g.object_id = r.id)")" = 0 ] ||
		fail "$t without name grams after the migration"
done
[ "$(sql "SELECT COUNT(*) FROM name_grams")" -gt 0 ] || fail "name_grams is empty after the migration"
[ "$(grep '^blobs ' "$tmp/after" | cut -d' ' -f2)" = "$(grep '^inspection_blobs ' "$tmp/before" | cut -d' ' -f2)" ] ||
	fail "the attachments' contents did not all move to blobs"

# The sixteen per-module migrations that the twelve global ones were, each recorded (once: the key is
# module and version). Later migrations of the binary are applied and recorded besides.
sql "SELECT module || ' ' || version || ' ' || name FROM schema_migrations" >"$tmp/recorded"
for m in "claims 1 claim_flags" "inspection 1 inspection" "inspection 2 attachment_quota" \
	"inspection 3 subject_binding" "platform 1 platform" "platform 2 departments" "platform 3 towns" \
	"platform 4 departments_more" "platform 5 work_calendar" "platform 6 credentials" \
	"platform 7 subject_binding" "platform 8 todos" "registry 1 registry" "registry 2 licence_kinds" \
	"registry 3 responsibilities" "registry 4 subject_binding"; do
	grep -qx "$m" "$tmp/recorded" || fail "schema_migrations lacks \"$m\": $(tr '\n' ',' <"$tmp/recorded")"
done
# The carried-over rows keep the time their global migration was applied.
[ "$(sql "SELECT applied_at FROM schema_migrations WHERE module = 'inspection' AND version = 1")" = "$applied8" ] ||
	fail "the carried-over migrations lost their applied_at"

"$bin" audit verify --records --db "$url" --keys "$tmp/keys" >"$tmp/verify.out" 2>&1 || {
	cat "$tmp/verify.out" >&2
	fail "audit verify --records after the upgrade"
}
grep -q ' 0 do not match' "$tmp/verify.out" || fail "audit verify: $(cat "$tmp/verify.out")"

# Opening again changes nothing: the upgrade happens once.
"$bin" init --db "$url" --keys "$tmp/keys" >/dev/null 2>&1 || fail "second open"
counts >"$tmp/again"
diff "$tmp/after" "$tmp/again" >&2 || fail "rows changed by the second open"

# A database with a global migration this binary does not know is refused, not half-migrated.
if [ -z "$pgdb" ]; then
	gzip -dc "$data/sqlite.db.gz" >"$tmp/newer.db"
	sqlite3 "$tmp/newer.db" "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)"
	if "$bin" init --db "sqlite:$tmp/newer.db" --keys "$tmp/keys" >/dev/null 2>"$tmp/newer.err"; then
		fail "a database with an unknown migration was opened"
	fi
	grep -q 'migration 99' "$tmp/newer.err" || fail "refusal does not name the migration: $(cat "$tmp/newer.err")"
	[ "$(sqlite3 "$tmp/newer.db" "SELECT COUNT(*) FROM schema_migrations")" = 13 ] || fail "the refused database was changed"
fi
echo "ok: $(wc -l <"$tmp/before") tables, $(awk '{n += $2} END {print n}' "$tmp/before") rows kept"
