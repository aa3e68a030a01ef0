#!/bin/sh
# svopi-trustadm migrate (issue 14): sqlite -> PostgreSQL -> sqlite keeps
# every row (the dumps compare equal), the counts are verified, a
# non-empty destination is refused, and svopi-trustd on the migrated
# PostgreSQL store gives the same answers as on the old sqlite one.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/trustd-lib.sh"
itest_init trustd-migrate
command -v sqlite3 >/dev/null || skip "no sqlite3"
trustd_start
trustd_users dave
for u in alice bob carol; do enroll "$u"; done
validate alice bob
vuc=$(jget vuc)
api /api/v1/redeem login=bob@example.org password=pw-bob \
	peer=alice@example.org vuc="$vuc"
expect_field result trusted "alice and bob trust each other"
validate alice carol
expect_field role issuer "alice holds a code for carol"
code=$(jget vuc)
expires=$(jget vuc_expires)
wrong=$(echo "$code" | tr 0-9 1-90)
for _ in 1 2; do
	api /api/v1/redeem login=carol@example.org password=pw-carol \
		peer=alice@example.org vuc="$wrong"
done
expect_field attempts_left 3 "two wrong codes"
trustd_stop
sqlite_dump() {
	sqlite3 "$1" 'SELECT id, login, pwhash, ifnull(fingerprint, ""), hex(ifnull(cert, "")), ifnull(enrolled_at, 0), created_at FROM users ORDER BY id;
		SELECT * FROM relationships ORDER BY a, b;
		SELECT * FROM vucs ORDER BY a, b;'
}
sqlite_dump "$TD_DB" >"$T/before.dump"

pg_start
"$TD_ADM" migrate --from "sqlite://$TD_DB" --to "$PG_URL" >"$T/m1.out" ||
	fail "migrate to PostgreSQL failed"
grep -qx "users 4 -> 4, relationships 1 -> 1, pending codes 1 -> 1" "$T/m1.out" ||
	fail "counts: $(cat "$T/m1.out")"
note "ok: sqlite -> PostgreSQL: $(cat "$T/m1.out")"
"$TD_ADM" migrate --from "$TD_DB" --to "$PG_URL" >/dev/null 2>"$T/m2.err" &&
	fail "a second migration into a full store succeeded"
grep -q "not empty" "$T/m2.err" || fail "refusal: $(cat "$T/m2.err")"
note "ok: a non-empty destination is refused"
"$TD_ADM" migrate --from "$PG_URL" --to "$T/back.db" >"$T/m3.out" ||
	fail "migrate back to sqlite failed"
sqlite_dump "$T/back.db" >"$T/after.dump"
cmp -s "$T/before.dump" "$T/after.dump" ||
	fail "round trip changed the store: $(diff "$T/before.dump" "$T/after.dump" | head -5)"
note "ok: sqlite -> PostgreSQL -> sqlite: identical rows ($(wc -l <"$T/before.dump") lines)"

# svopi-trustd on the migrated store: the same answers.
TD_DATABASE=$PG_URL
trustd_config
trustd_run
validate alice bob
expect_field relationship trusted "alice and bob still trust each other"
validate alice carol
expect_field vuc "$code" "alice's code for carol is the same"
expect_field vuc_expires "$expires" "with the same expiry"
api /api/v1/redeem login=carol@example.org password=pw-carol \
	peer=alice@example.org vuc="$wrong"
expect_field attempts_left 2 "the wrong tries were kept"
api /api/v1/status login=dave@example.org password=pw-dave \
	peer=alice@example.org
expect_http 200 "dave's password hash was kept"
api /api/v1/redeem login=carol@example.org password=pw-carol \
	peer=alice@example.org vuc="$code"
expect_field result trusted "carol redeems the migrated code"
trustd_stop
