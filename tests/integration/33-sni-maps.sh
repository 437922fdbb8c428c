#!/bin/bash
# 33-sni-maps.sh - rebuild-maps and tls_server_sni_maps against a real
# Postfix: the table is built with postmap -F (its database holds the key
# and certificate files its values name) and answers postmap -q; a run
# with nothing changed touches nothing; a touched but unchanged
# certificate rebuilds nothing; a new certificate rebuilds the table
# (PFA-MAP-017) and Postfix's answer changes; a missing certificate is a
# CRITICAL finding naming the source line, nothing is built and the old
# database keeps answering; a state written before pfagent knew SNI
# tables rebuilds once; the private key never reaches output or logs,
# and the database that holds it gets no group or other permission even
# when its source (file names only) is 0644.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

pfa_require_pfagent
tap_require "openssl is installed" command -v openssl
sandbox_up
M=$(pfa_tmpdir)

cp "$PFSB_TLS/key.pem" "$M/key.pem"
cp "$PFSB_TLS/cert.pem" "$M/cert.pem"
chmod 0600 "$M/key.pem"
printf 'sandbox.example %s %s\nalt.example %s,%s\n' \
	"$M/key.pem" "$M/cert.pem" "$M/key.pem" "$M/cert.pem" >"$M/sni"
chmod 0644 "$M/sni"	# file names only: commonly world-readable
postconf -c "$PFSB_ETC" -e "tls_server_sni_maps = hash:$M/sni"
pfa_setup_maps ""
T="hash:$M/sni"

# What Postfix's TLS code gets for NAME: the named files, decoded.
sni_files() {
	postmap -c "$PFSB_ETC" -F -q "$1" "$T"
}
# true if the certificate file's body is in Postfix's answer for NAME.
serves_cert() {
	sni_files "$1" | grep -qF -- "$(sed -n 2p "$M/cert.pem")"
}
# true if no line of the key's base64 body is in the output, Postfix's
# log or the state (the key is never passed as an argument: a failing
# test prints its command)
key_hidden() {
	! grep -qF -f <(sed -n '2,5p' "$M/key.pem") \
		"$PFA_OUT" "$PFA_ERR" "$PFSB_LOG" "$PFA_STATE/state.json"
}
no_secret() {
	tap_ok "$1" key_hidden
}

# ---- first run: built with postmap -F
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "first run exits 0"
tap_is "$(maps_jq .status)" ok "status ok"
tap_is "$(maps_count PFA-MAP-009)" 0 "the SNI table is no longer skipped (no PFA-MAP-009)"
tap_is "$(maps_jq '.changed[0].file')" "$M/sni.db" "its database is built"
tap_ok "postmap -q answers (base64 of the named files)" test -n "$(pf_query sandbox.example "$T")"
tap_ok "postmap -F -q gives the certificate back" serves_cert sandbox.example
tap_ok "a comma-separated list is read too" serves_cert alt.example
tap_is "$(stat -c %a "$M/sni.db")" 600 "a 0644 source gives a 0600 database (it holds the key)"
tap_is "$(stat -c %u:%g "$M/sni.db")" "$(stat -c %u:%g "$M/sni")" "with the source's owner"
tap_is "$(stat -c %a "$M/sni")" 644 "the source keeps its mode"
tap_is "$(maps_jq .reload_wanted)" false "an indexed SNI table asks for no reload"
tap_ok "the record holds both named files and their fingerprint" \
	jq -e ".tasks[\"rebuild-maps\"].data.tables[\"$T\"] | (.files | length) == 2 and (.files_sha256 | length) == 64" "$PFA_STATE/state.json"
tap_is "$(ls -A "$M" | grep -c 'pfagent')" 0 "no build file is left"
no_secret "the private key reaches neither output, log nor state"

# ---- nothing changed: nothing happens
before=$(file_id "$M/sni.db")
reloads=$(reload_count)
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "second run exits 0"
tap_is "$(file_id "$M/sni.db")" "$before" "the database is not rewritten (inode and mtime unchanged)"
tap_is "$(maps_jq '.changed | length')" 0 "nothing reported changed"
tap_like "$(maps_jq .summary)" 'all up to date' "all up to date"
tap_is "$(reload_count)" "$reloads" "no reload"

# ---- a touched certificate with the same content: hashed, not rebuilt
touch "$M/cert.pem"
pfa_run --json run rebuild-maps
tap_is "$(file_id "$M/sni.db")" "$before" "a touched certificate with the same content rebuilds nothing"
tap_is "$(maps_count PFA-MAP-017)" 0 "and is not reported"

# ---- a new certificate: rebuilt, Postfix gets the new one
old_answer=$(pf_query sandbox.example "$T")
openssl req -x509 -key "$M/key.pem" -subj /CN=sandbox.example -days 30 \
	-out "$M/cert.new" >/dev/null 2>&1
mv "$M/cert.new" "$M/cert.pem"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "a new certificate: exit 0"
tap_is "$(maps_jq '.changed[0].file')" "$M/sni.db" "the table is rebuilt"
tap_is "$(maps_count PFA-MAP-017)" 1 "PFA-MAP-017 says why"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-017") | .message')" "$M/cert.pem" "naming the changed file"
tap_is "$(maps_jq '.findings[] | select(.id == "PFA-MAP-017") | .severity')" info "as info"
tap_ok "the database was swapped in (new inode)" test "$(file_id "$M/sni.db")" != "$before"
tap_ok "postmap -q's answer changed" test "$(pf_query sandbox.example "$T")" != "$old_answer"
tap_ok "Postfix now gets the new certificate" serves_cert sandbox.example
tap_is "$(stat -c %a "$M/sni.db")" 600 "the rebuilt database is 0600 too"
tap_is "$(maps_jq .reload_wanted)" false "no reload"
no_secret "the private key is still not shown"
before=$(file_id "$M/sni.db")
pfa_run --json run rebuild-maps
tap_is "$(file_id "$M/sni.db")" "$before" "the next run rebuilds nothing"
tap_is "$(maps_count PFA-MAP-017)" 0 "and reports nothing"

# ---- a missing certificate: CRITICAL, not built, old database answers
answer=$(pf_query sandbox.example "$T")
mv "$M/cert.pem" "$M/cert.aside"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a missing certificate is CRITICAL (exit 2)"
tap_is "$(maps_jq "[.findings[] | select(.id == \"PFA-MAP-001\" and .subject == \"$M/sni:1\")] | .[0].severity")" critical "PFA-MAP-001 names the first source line naming it"
tap_like "$(maps_jq "[.findings[] | select(.subject == \"$M/sni:1\")] | .[0].message")" "$M/cert.pem.*No such file" "with the file and why"
tap_like "$(maps_jq "[.findings[] | select(.id == \"PFA-MAP-001\" and .subject == \"$M/sni\")] | .[0].message")" 'previous database stays in service' "and says the old database stays"
tap_is "$(maps_count PFA-MAP-010)" 0 "postmap is not even run"
tap_is "$(file_id "$M/sni.db")" "$before" "the database is not touched"
tap_is "$(pf_query sandbox.example "$T")" "$answer" "and still answers as before"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "the next run still reports it"
tap_is "$(file_id "$M/sni.db")" "$before" "and still builds nothing"
mv "$M/cert.aside" "$M/cert.pem"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "the certificate is back: exit 0"
tap_is "$(file_id "$M/sni.db")" "$before" "the database already holds it: nothing rebuilt"

# ---- a record from before SNI support (no files): rebuilt once
jq ".tasks[\"rebuild-maps\"].data.tables[\"$T\"] |= del(.files, .files_sha256)" \
	"$PFA_STATE/state.json" >"$PFA_STATE/state.new" &&
	mv "$PFA_STATE/state.new" "$PFA_STATE/state.json"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "an old record: exit 0"
tap_is "$(maps_jq '.changed[0].file')" "$M/sni.db" "unknown files: rebuilt once"
tap_is "$(maps_count PFA-MAP-017)" 0 "not reported as a changed certificate"
tap_ok "Postfix still gets the certificate" serves_cert sandbox.example

# ---- a relative file name is an error of its line
before=$(file_id "$M/sni.db")
printf 'rel.example key.pem %s\n' "$M/cert.pem" >>"$M/sni"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a relative file name: exit 2"
tap_like "$(maps_jq "[.findings[] | select(.subject == \"$M/sni:3\")] | .[0].message")" 'not absolute' "PFA-MAP-001 on its line"
tap_is "$(file_id "$M/sni.db")" "$before" "nothing built"
sed -i '$d' "$M/sni"

# ---- and once more: nothing happens
pfa_run run rebuild-maps
before=$(file_id "$M/sni.db")
reloads=$(reload_count)
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "last run exits 0"
tap_is "$(file_id "$M/sni.db")" "$before" "touches no database"
tap_is "$(maps_jq '.changed | length')" 0 "changes nothing"
tap_is "$(reload_count)" "$reloads" "and does not reload"
no_secret "the private key was never shown"
tap_like "$(sandbox_banner)" '^220 ' "Postfix still answers"

tap_done
