#!/bin/bash
# 30-maps.sh - rebuild-maps against a real Postfix: discovery of hash,
# lmdb, cdb, regexp and cidr tables from main.cf; databases built and
# answering postmap -q; sasl_passwd's 0600 carried to its database; a run
# with nothing changed touches nothing (inode and mtime kept); a changed
# table is swapped in; a malformed source leaves the previous database
# answering and a CRITICAL finding names FILE:LINE; the shrink rule
# refuses and --force overrides; a changed regexp or cidr table asks for
# exactly one reload, a broken one for none; dry-run; missing sources;
# tls_server_sni_maps built with postmap -F (the rest of SNI tables is
# 14-sni-maps.sh's).
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

pfa_require_pfagent
sandbox_up
M=$(pfa_tmpdir)

for i in 1 2 3 4 5 6; do
	printf 'key%d.example.test value-%d OK\n' "$i" "$i"
done >"$M/access"
printf '192.0.2.1 REJECT\n192.0.2.2 REJECT\n' >"$M/clients"
printf '[relay%d.example.test]:587 user%d:pw%d\n' 1 1 1 2 2 2 >"$M/sasl_passwd"
chmod 0600 "$M/sasl_passwd"
printf '/^X-Pfa-Test: one$/ REJECT\n' >"$M/header_checks"
printf '192.0.2.0/24 REJECT\n' >"$M/clients.cidr"
postconf -c "$PFSB_ETC" -e \
	"smtpd_helo_restrictions = check_helo_access hash:$M/access" \
	"smtpd_client_restrictions = check_client_access cdb:$M/clients, check_client_access proxy:cidr:$M/clients.cidr" \
	"smtp_sasl_password_maps = lmdb:$M/sasl_passwd" \
	"header_checks = regexp:$M/header_checks"
pfa_setup_maps ""

# ---- first run: every indexed table built
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "first run exits 0"
tap_is "$(maps_jq .status)" ok "status ok"
tap_is "$(maps_jq '.metrics[] | select(.name == "tables_checked") | .value')" 5 "five tables found in main.cf (caches left out)"
tap_is "$(maps_jq '.metrics[] | select(.name == "tables_rebuilt") | .value')" 3 "the three indexed ones built"
tap_is "$(maps_jq '.metrics[] | select(.name == "entries_total") | .value')" 12 "entries_total counts every table's entries"
tap_is "$(pf_query key3.example.test "hash:$M/access")" "value-3 OK" "hash: postmap -q answers from the new database"
tap_is "$(pf_query 192.0.2.2 "cdb:$M/clients")" REJECT "cdb: postmap -q answers"
tap_ok "lmdb: postmap -q answers" pf_query '[relay2.example.test]:587' "lmdb:$M/sasl_passwd"
tap_is "$(stat -c %a "$M/sasl_passwd.lmdb")" 600 "sasl_passwd 0600 gives sasl_passwd.lmdb 0600"
tap_unlike "$(cat "$PFA_OUT" "$PFA_ERR" "$PFSB_LOG")" 'pw[12]' "the sasl password never reaches the output or the log"
tap_is "$(maps_jq .reload_wanted)" false "indexed tables never ask for a reload"
tap_ok "records kept for the in-memory tables too" \
	jq -e ".tasks[\"rebuild-maps\"].data.tables[\"regexp:$M/header_checks\"].entries == 1 and .tasks[\"rebuild-maps\"].data.tables[\"cidr:$M/clients.cidr\"].entries == 1" "$PFA_STATE/state.json"
tap_is "$(ls -A "$M" | grep -c 'pfagent')" 0 "no build or temporary file is left"

# ---- second run: nothing changed, nothing touched
ids() { for f in access.db clients.cdb sasl_passwd.lmdb sni.db; do [ -e "$M/$f" ] && file_id "$M/$f"; done; }
before=$(ids)
reloads=$(reload_count)
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "a run with nothing changed exits 0"
tap_is "$(ids)" "$before" "no database rewritten (inode and mtime unchanged): postmap did not run"
tap_is "$(maps_jq '.changed | length')" 0 "nothing reported changed"
tap_like "$(maps_jq .summary)" 'all up to date' "the summary says so"
tap_is "$(reload_count)" "$reloads" "and Postfix is not reloaded"
touch "$M/access"
touch -d '-1 hour' "$M/access.db"
pfa_run --json run rebuild-maps
tap_is "$(maps_jq '.changed[0].file')" "$M/access.db" "a database older than its source is rebuilt"

# ---- a changed table is swapped in (hash, cdb, lmdb)
printf 'key7.example.test value-7 OK\n' >>"$M/access"
printf '192.0.2.3 REJECT\n' >>"$M/clients"
printf '[relay3.example.test]:587 user3:pw3\n' >>"$M/sasl_passwd"
old_ino=$(stat -c %i "$M/access.db")
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "changed sources: exit 0"
tap_is "$(maps_jq '.metrics[] | select(.name == "tables_rebuilt") | .value')" 3 "three tables rebuilt"
tap_is "$(pf_query key7.example.test "hash:$M/access")" "value-7 OK" "hash: the new key answers"
tap_is "$(pf_query key1.example.test "hash:$M/access")" "value-1 OK" "hash: an old key still answers"
tap_ok "hash: the database was swapped in (new inode), not rewritten in place" test "$(stat -c %i "$M/access.db")" != "$old_ino"
tap_is "$(pf_query 192.0.2.3 "cdb:$M/clients")" REJECT "cdb: the new key answers"
tap_ok "lmdb: the new key answers" pf_query '[relay3.example.test]:587' "lmdb:$M/sasl_passwd"
tap_is "$(stat -c %a "$M/sasl_passwd.lmdb")" 600 "the rebuilt sasl_passwd.lmdb is still 0600"
tap_is "$(maps_jq .reload_wanted)" false "no reload asked for indexed tables"

# ---- a malformed source: not built, the previous database stays
before=$(file_id "$M/access.db")
printf 'key8.example.test value-8 OK\nthis-line-has-no-value\n' >>"$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a malformed source is CRITICAL (exit 2)"
tap_is "$(maps_jq "[.findings[] | select(.id == \"PFA-MAP-001\" and .subject == \"$M/access:9\")] | .[0].severity")" critical "PFA-MAP-001 names FILE:LINE"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-001") | .message')" 'previous database stays in service' "and says the old database stays"
tap_is "$(file_id "$M/access.db")" "$before" "the database was not touched"
tap_is "$(pf_query key7.example.test "hash:$M/access")" "value-7 OK" "it answers postmap -q as before"
tap_status 1 "the key from the broken source is not in it" pf_query key8.example.test "hash:$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "the next run still reports it"
tap_is "$(file_id "$M/access.db")" "$before" "and still does not build it"
sed -i '/this-line-has-no-value/d' "$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "fixed: exit 0"
tap_is "$(pf_query key8.example.test "hash:$M/access")" "value-8 OK" "and the table is built"

# duplicate keys: PFA-MAP-002 (a warning) names the line; the table is
# built and the first value answers, as postmap keeps it
printf 'key1.example.test other\n' >>"$M/access"
printf 'key9.example.test value-9 OK\n' >>"$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 1 "a duplicate key is a warning (exit 1)"
tap_is "$(pf_query key9.example.test "hash:$M/access")" "value-9 OK" "the table with a duplicate is still built"
tap_is "$(maps_count PFA-MAP-010)" 0 "postmap's own duplicate warning is not a build failure"
tap_is "$(maps_jq "[.findings[] | select(.id == \"PFA-MAP-002\")] | .[0].subject")" "$M/access:9" "PFA-MAP-002 names FILE:LINE"
tap_is "$(pf_query key1.example.test "hash:$M/access")" "value-1 OK" "the first value wins"
sed -i '$d' "$M/access"
sed -i '$d' "$M/access"
pfa_run run rebuild-maps

# ---- the shrink rule
before=$(file_id "$M/access.db")
printf 'key1.example.test value-1 OK\n' >"$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "8 entries to 1: refused (exit 2)"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-003") | .message')" 'from 8 entries to 1' "PFA-MAP-003 gives the old and new counts"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-003") | .remedy')" 'run rebuild-maps --force' "with --force as the remedy"
tap_is "$(file_id "$M/access.db")" "$before" "the database was not touched"
tap_is "$(pf_query key5.example.test "hash:$M/access")" "value-5 OK" "and still answers with the old entries"
pfa_run --json run rebuild-maps --force
tap_is "$PFA_RC" 0 "--force overrides the shrink rule"
tap_status 1 "the removed keys are gone" pf_query key5.example.test "hash:$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "the next run accepts the new size"
tap_is "$(maps_jq '.changed | length')" 0 "and changes nothing"
: >"$M/clients"
pfa_run --json run rebuild-maps
tap_is "$(maps_count PFA-MAP-003)" 1 "an emptied table is refused too"
tap_is "$(pf_query 192.0.2.1 "cdb:$M/clients")" REJECT "the cdb database still answers"
printf '192.0.2.1 REJECT\n192.0.2.2 REJECT\n192.0.2.3 REJECT\n' >"$M/clients"

# ---- in-memory tables: a valid change asks for exactly one reload
pfa_run run rebuild-maps
reloads=$(reload_count)
printf '/^X-Pfa-Test: two$/ REJECT\n' >>"$M/header_checks"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "a changed regexp table: exit 0"
tap_is "$(maps_jq .reload_wanted)" true "reload_wanted"
tap_is "$(maps_count PFA-MAP-016)" 1 "PFA-MAP-016 says why"
tap_is "$(reload_count)" "$((reloads + 1))" "Postfix logged exactly one reload"
reloads=$(reload_count)
printf '/^X-Pfa-Test: three$/ REJECT\n' >>"$M/header_checks"
printf '198.51.100.0/24 REJECT\n' >>"$M/clients.cidr"
pfa_run --json run rebuild-maps
tap_is "$(maps_count PFA-MAP-016)" 2 "regexp and cidr changed together"
tap_is "$(reload_count)" "$((reloads + 1))" "still exactly one reload"
reloads=$(reload_count)
pfa_run --json run rebuild-maps
tap_is "$(maps_jq .reload_wanted)" false "unchanged: no reload wanted"
tap_is "$(reload_count)" "$reloads" "and none logged"
printf '/^X-Pfa-Test: (four$/ REJECT\n' >>"$M/header_checks"
printf '198.51.100.7/24 REJECT\n' >>"$M/clients.cidr"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a bad regexp and a bad network are CRITICAL"
tap_is "$(maps_jq "[.findings[] | select(.subject == \"$M/header_checks:4\")] | .[0].id")" PFA-MAP-001 "the regexp error names FILE:LINE"
tap_is "$(maps_jq "[.findings[] | select(.subject == \"$M/clients.cidr:3\")] | .[0].id")" PFA-MAP-001 "the cidr error names FILE:LINE"
tap_is "$(maps_jq .reload_wanted)" false "an invalid in-memory table asks for no reload"
tap_is "$(reload_count)" "$reloads" "and Postfix is not reloaded"
sed -i '$d' "$M/header_checks"
sed -i '$d' "$M/clients.cidr"
pfa_run --json run rebuild-maps
tap_is "$(maps_jq .reload_wanted)" true "fixed: now the reload is asked for"
tap_is "$(reload_count)" "$((reloads + 1))" "once"

# ---- dry run: nothing written, nothing recorded
before=$(file_id "$M/access.db")
printf 'key9.example.test value-9 OK\n' >>"$M/access"
pfa_run --json --dry-run run rebuild-maps
tap_is "$PFA_RC" 0 "dry-run exits 0"
tap_is "$(maps_jq '.changed[0].file')" "$M/access.db" "dry-run says which database would be replaced"
tap_is "$(file_id "$M/access.db")" "$before" "and replaces nothing"
pfa_run --json run rebuild-maps
tap_is "$(pf_query key9.example.test "hash:$M/access")" "value-9 OK" "the real run after it builds the table"

# ---- tables from pfagent.conf, exclude, missing sources
printf 'extra.example.test 1\n' >"$M/extra"
pfa_maps_conf "tables = [ \"btree:$M/extra\", \"hash:$M/nosuch\" ]; exclude = [ \"cdb:$M/clients\" ];"
before=$(file_id "$M/clients.cdb")
printf '192.0.2.4 REJECT\n' >>"$M/clients"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 1 "a missing source is a WARNING (exit 1)"
tap_is "$(pf_query extra.example.test "btree:$M/extra")" 1 "a table from pfagent.conf is built (btree)"
tap_is "$(maps_jq "[.findings[] | select(.id == \"PFA-MAP-007\")] | .[0].subject")" "$M/nosuch" "PFA-MAP-007 names the missing source"
tap_is "$(file_id "$M/clients.cdb")" "$before" "an excluded table is left alone"
cp "$M/extra.db" "$M/gone.db"
pfa_maps_conf "tables = [ \"hash:$M/gone\" ];"
pfa_run --json run rebuild-maps
tap_is "$(maps_jq "[.findings[] | select(.id == \"PFA-MAP-008\")] | .[0].severity")" info "a missing source with a database: informational PFA-MAP-008"

# ---- tls_server_sni_maps: built with postmap -F, even over a database
# built by hand (its files may be newer than it)
pfa_maps_conf ""
printf 'sandbox.invalid %s %s\n' "$PFSB_TLS/key.pem" "$PFSB_TLS/cert.pem" >"$M/sni"
postmap -c "$PFSB_ETC" -F "hash:$M/sni"
postconf -c "$PFSB_ETC" -e "tls_server_sni_maps = hash:$M/sni"
before=$(file_id "$M/sni.db")
pfa_run --json run rebuild-maps
tap_is "$(maps_count PFA-MAP-009)" 0 "the SNI table is no longer skipped (PFA-MAP-009 retired)"
tap_ok "it is rebuilt once" test "$(file_id "$M/sni.db")" != "$before"
tap_ok "with postmap -F: the certificate is in it" test -n "$(postmap -c "$PFSB_ETC" -F -q sandbox.invalid "hash:$M/sni" | grep -F 'BEGIN CERTIFICATE')"

# ---- and once more: nothing happens
pfa_run run rebuild-maps
before=$(ids)
reloads=$(reload_count)
pfa_run --json run rebuild-maps
tap_is "$(ids)" "$before" "a last run touches no database"
tap_is "$(maps_jq '.changed | length')" 0 "changes nothing"
tap_is "$(reload_count)" "$reloads" "and does not reload"
tap_like "$(sandbox_banner)" '^220 ' "Postfix still answers"

tap_done
