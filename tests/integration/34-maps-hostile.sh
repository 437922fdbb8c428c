#!/bin/bash
# 34-maps-hostile.sh - rebuild-maps against sources someone else
# controls, with a real Postfix: a secret table with a bad line is checked
# before postmap ever sees it (no password in Postfix's log or pfagent's
# output); a source others may write is refused for an access table and
# warned about for another, and no database is more permissive than
# Postfix needs; a symbolic link is named and its target checked; a
# source rewritten in place while pfagent reads it never goes live half
# written.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

pfa_require_pfagent
sandbox_up
M=$(pfa_tmpdir)

# ---- 1. a secret table with a line postmap would quote
PW=Secr3t-$RANDOM-pw
printf '[relay1.example.test]:587 user1:pw1\n' >"$M/sasl_passwd"
chmod 0600 "$M/sasl_passwd"
printf 'key1.example.test OK\n' >"$M/access"
printf 'alice@example.test bob@example.test\n' >"$M/canonical"
postconf -c "$PFSB_ETC" -e \
	"smtp_sasl_password_maps = hash:$M/sasl_passwd" \
	"smtpd_helo_restrictions = check_helo_access hash:$M/access" \
	"canonical_maps = hash:$M/canonical"
pfa_setup_maps ""
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 0 "the first run builds the three tables"
# postmap: "logical line must not start with whitespace: \" user2:PW\""
printf ' user2:%s\n[relay1.example.test]:587 user1:pw1\n' "$PW" >"$M/sasl_passwd"
log_before=$(wc -c <"$PFSB_LOG")
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a bad line in sasl_passwd: CRITICAL"
tap_ok "PFA-MAP-001 names the bad source" test "$(maps_count PFA-MAP-001)" -ge 1
new_log=$(tail -c +"$((log_before + 1))" "$PFSB_LOG")
tap_unlike "$new_log" "$PW" "the password never reached Postfix's log (postmap never saw the source)"
tap_unlike "$new_log" "postmap.*sasl_passwd" "postmap did not run on it at all"
tap_unlike "$(cat "$PFA_OUT" "$PFA_ERR")" "$PW" "nor pfagent's report"
tap_unlike "$(cat "$PFA_WORK/state/state.json")" "$PW" "nor its state file"
tap_ok "the live database still answers the old entry" pf_query '[relay1.example.test]:587' "hash:$M/sasl_passwd"
printf '[relay1.example.test]:587 user1:pw1\n' >"$M/sasl_passwd"

# ---- 2. sources others may write
chmod 0666 "$M/access"
db_before=$(file_id "$M/access.db")
printf 'key2.example.test REJECT\n' >>"$M/access"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a world-writable access table: CRITICAL"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-019") | .severity')" critical "PFA-MAP-019 is critical for it"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-019") | .remedy')" "chmod go-w $M/access" "the remedy is the chmod"
tap_is "$(file_id "$M/access.db")" "$db_before" "and its database was not rebuilt"
tap_ok "it does not know the key added by whoever wrote it" sh -c "! postmap -c '$PFSB_ETC' -q key2.example.test hash:$M/access"
chmod 0644 "$M/access"

chmod 0666 "$M/canonical"
printf 'carol@example.test dave@example.test\n' >>"$M/canonical"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 1 "a world-writable canonical table: a WARNING"
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-019") | .message')" "canonical" "PFA-MAP-019 names it"
tap_is "$(pf_query carol@example.test "hash:$M/canonical")" dave@example.test "it was built"
tap_is "$(stat -c %a "$M/canonical.db")" 644 "its database is 0644, not the source's 0666"
chmod 0644 "$M/canonical"

OPEN=$(pfa_tmpdir)
chmod 0777 "$OPEN"
printf 'key3.example.test OK\n' >"$OPEN/access2"
postconf -c "$PFSB_ETC" -e "smtpd_helo_restrictions = check_helo_access hash:$M/access, check_helo_access hash:$OPEN/access2"
pfa_run --json run rebuild-maps
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-019") | .message')" "$OPEN is writable by group or other" "an access table in a world-writable directory: PFA-MAP-019 names the directory"
tap_ok "and it is not built" test ! -e "$OPEN/access2.db"

# ---- 3. a symbolic link
chmod 0755 "$OPEN"
ln -s "$OPEN/access2" "$M/access-link"
postconf -c "$PFSB_ETC" -e "smtpd_helo_restrictions = check_helo_access hash:$M/access, check_helo_access hash:$M/access-link"
pfa_run --json run rebuild-maps
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-020") | .message')" "symbolic link to $OPEN/access2" "a linked source is named as a link, with its target"
chmod 0777 "$OPEN"
printf 'key4.example.test OK\n' >>"$OPEN/access2"
pfa_run --json run rebuild-maps
tap_like "$(maps_jq '.findings[] | select(.id == "PFA-MAP-019") | .message')" "access-link.*$OPEN is writable" "a link into a world-writable directory: refused, naming it"
chmod 0755 "$OPEN"
postconf -c "$PFSB_ETC" -e "smtpd_helo_restrictions = check_helo_access hash:$M/access"

# ---- 4. a source rewritten in place while pfagent reads it
N=100000
gen() {	# VERSION: the whole table, every value tagged
	awk -v n="$N" -v v="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "key%d.example.test value-%s\n", i, v }'
}
gen A >"$M/big"
postconf -c "$PFSB_ETC" -e "canonical_maps = hash:$M/canonical, hash:$M/big"
pfa_run run rebuild-maps
tap_is "$(pf_query key$N.example.test "hash:$M/big")" value-A "the big table is built"
bad=0 refused=0
for t in 1 2 3 4 5; do
	# a slow writer: truncates, then writes the new version in pieces
	( : >"$M/big"; gen B | awk 'NR % 4000 == 0 { fflush(); system("sleep 0.1") } { print }' >>"$M/big" ) &
	w=$!
	sleep 1.$((RANDOM % 9))	# most of it written: past the shrink rule
	pfa_run --json run rebuild-maps
	wait "$w"
	[ "$(maps_count PFA-MAP-021)" -gt 0 ] && refused=$((refused + 1))
	n=$(postmap -c "$PFSB_ETC" -s "hash:$M/big" | wc -l)
	if [ "$n" != "$N" ]; then
		bad=$((bad + 1))
		tap_diag "trial $t: the live table has $n entries"
	fi
	gen A >"$M/big.new" && mv "$M/big.new" "$M/big"
	sleep 1.1
	pfa_run run rebuild-maps
done
tap_is "$bad" 0 "a source rewritten in place during 5 runs never went live half written"
tap_diag "PFA-MAP-021 in $refused of 5 runs (the others waited until the writer was done)"
pfa_run --json run rebuild-maps
tap_is "$(postmap -c "$PFSB_ETC" -s "hash:$M/big" | wc -l)" "$N" "at rest, the table is whole"

tap_done
