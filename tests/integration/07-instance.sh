#!/bin/bash
# 07-instance.sh - postfix.config_directory selects the instance: with two
# real instances side by side only the configured one is touched and
# reloaded; a wrong command_directory is UNKNOWN with a clear message, and
# so is a postconf that exits 0 but prints garbage or stops half-way.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
A_DIR=$PFSB_DIR A_DH=$PFSB_DH A_LOG=$PFSB_LOG
sandbox_up
B_DH=$PFSB_DH B_LOG=$PFSB_LOG
tap_ok "two instances run side by side" test "$A_DIR" != "$PFSB_DIR"
a_sum=$(sum_of "$A_DH")
b_sum=$(sum_of "$B_DH")
a_reloads=$(grep -c 'reload -- version' "$A_LOG")
pfa_setup "bits = 1024; allow_weak = true;"
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "run against the second instance exits 0"
tap_ok "its DH file changed" test "$(sum_of "$B_DH")" != "$b_sum"
tap_is "$(sum_of "$A_DH")" "$a_sum" "the other instance's DH file is untouched"
tap_is "$(grep -c 'reload -- version' "$B_LOG")" 1 "the configured instance was reloaded once"
tap_is "$(grep -c 'reload -- version' "$A_LOG")" "$a_reloads" "the other instance was not reloaded"

pfa_setup "bits = 1024; allow_weak = true;" 'command_directory = "/nonexistent/sbin";'
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 3 "a wrong command_directory is UNKNOWN (exit 3)"
tap_like "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).findings[0].message')" 'cannot run /nonexistent/sbin/postconf' "and the finding names the command"

# A postconf that exits 0 but prints half a listing, or garbage: what it
# printed is not believed (never "0 tables checked").
SBIN=$(pfa_tmpdir)
for p in postfix postmap postalias postqueue postsuper postlog postdrop; do
	ln -s "/usr/sbin/$p" "$SBIN/$p"
done
fake_postconf() {	# what postconf -x prints instead of the listing
	cat >"$SBIN/postconf" <<EOF
#!/bin/sh
for a; do
	if [ "\$a" = -x ]; then
		$1
		exit 0
	fi
done
exec /usr/sbin/postconf "\$@"
EOF
	chmod 755 "$SBIN/postconf"
}
for how in "half" "garbage"; do
	case $how in
	half) fake_postconf '/usr/sbin/postconf "$@" | head -40' ;;
	garbage) fake_postconf 'echo "Segmentation fault"' ;;
	esac
	pfa_work
	pfa_conf -p "command_directory = \"$SBIN\";" validate-config
	pfa_run --json run validate-config
	tap_is "$PFA_RC" 3 "postconf -x printing $how with exit 0: UNKNOWN (exit 3)"
	tap_like "$(jq -r '.tasks[] | select(.name == "validate-config") | .findings[].message' "$PFA_OUT")" 'printed what postconf does not print' "the finding says postconf's output was not believed ($how)"
	tap_unlike "$(jq -r '.tasks[] | select(.name == "validate-config") | .summary' "$PFA_OUT")" '0 tables' "and no count of tables checked is claimed ($how)"
done

tap_done
