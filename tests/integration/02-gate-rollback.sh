#!/bin/bash
# 02-gate-rollback.sh - a configuration that fails `postfix check` after the
# change: the DH file is put back, Postfix is not reloaded, CRITICAL, and
# the task stays due.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_setup "bits = 1024; allow_weak = true;"
DH=$PFSB_DH
touch -d '8 days ago' "$DH"	# an old file: due by its age too
before=$(sum_of "$DH")
reloads=$(reload_count)
# postfix check fails on a bad numerical value (postconf accepts it)
echo "message_size_limit = abc" >>"$PFSB_ETC/main.cf"

pfa_run --json run rotate-dh
tap_is "$PFA_RC" 2 "a configuration that fails validation exits 2 (CRITICAL)"
tap_is "$(sum_of "$DH")" "$before" "the DH file is restored to its previous content"
tap_ok "the restored file is valid" dh_valid "$DH"
tap_is "$(reload_count)" "$reloads" "Postfix is not reloaded"
tap_is "$(jq_out '.reload.validated')" false "JSON: not validated"
tap_is "$(jq_out '.reload.rolled_back')" true "JSON: rolled back"
tap_is "$(jq_out '.reloaded')" false "JSON: not reloaded"
tap_is "$(jq_out '[.reload.findings[].id] | index("PFA-GATE-001") != null')" true "PFA-GATE-001 reports the failed check"
tap_like "$(jq_out '[.reload.findings[] | select(.id == "PFA-GATE-001")][0].message')" 'message_size_limit' "and quotes Postfix's own message (captured on a pty)"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).status')" critical "the task's change is marked as rolled back"
tap_like "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).summary')" '^replaced 1 file .*, then rolled back by the reload gate$' "its summary says what is true: replaced, then rolled back"
tap_is "$(jq_out '.reload.postfix_running')" null "JSON: whether Postfix runs was not checked (null, not false)"
tap_is "$(jq_out '.reload.healthy')" null "JSON: no health check without a reload (null)"
tap_is "$(ls -A "$(dirname "$DH")" | grep -c '\.pfagent\.')" 0 "no temporary file is left"
tap_is "$(master_alive)" yes "Postfix is still running the old configuration"

# the text report says it too
pfa_run run rotate-dh
tap_like "$(cat "$PFA_OUT")" "^  replaced, then rolled back: $DH\$" "the text report: replaced, then rolled back"

# still due: the next plain run tries again (and is refused again)
pfa_run --json run
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).ran')" true "the rolled-back task is still due on the next run"
tap_is "$(sum_of "$DH")" "$before" "and the file is restored again"
tap_ok "the restored file keeps its old age, so it stays due" \
	test "$(stat -c %Y "$DH")" -lt "$(($(date +%s) - 7 * 86400))"
tap_is "$(reload_count)" "$reloads" "still no reload"

# fixed configuration: the change goes through
sed -i '/^message_size_limit = abc$/d' "$PFSB_ETC/main.cf"
pfa_run --json run
tap_is "$PFA_RC" 0 "after the fix the next run succeeds"
tap_ok "the DH file is replaced" test "$(sum_of "$DH")" != "$before"
tap_is "$(reload_count)" "$((reloads + 1))" "and Postfix is reloaded once"

tap_done
