#!/bin/bash
# 07-instance.sh - postfix.config_directory selects the instance: with two
# real instances side by side only the configured one is touched and
# reloaded; a wrong command_directory is UNKNOWN with a clear message.
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

tap_done
