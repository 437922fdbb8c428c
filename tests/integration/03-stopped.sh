#!/bin/bash
# 03-stopped.sh - with Postfix stopped, the file is replaced and nothing is
# started or reloaded.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_setup "bits = 1024; allow_weak = true;"
DH=$PFSB_DH
before=$(sum_of "$DH")
postfix -c "$PFSB_ETC" stop >/dev/null 2>&1
sleep 1
postfix -c "$PFSB_ETC" status >/dev/null 2>&1
tap_is "$?" 1 "Postfix is stopped before the run"
reloads=$(reload_count)

pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "run with Postfix stopped exits 0"
tap_ok "the DH file is replaced" test "$(sum_of "$DH")" != "$before"
tap_ok "with valid parameters" dh_valid "$DH"
tap_is "$(jq_out '.reload.validated')" true "the configuration was validated"
tap_is "$(jq_out '.reload.postfix_running')" false "JSON: Postfix not running"
tap_is "$(jq_out '.reloaded')" false "JSON: not reloaded"
tap_is "$(jq_out '.reload.findings[0].id')" PFA-GATE-005 "an informational finding says no reload was needed"
postfix -c "$PFSB_ETC" status >/dev/null 2>&1
tap_is "$?" 1 "Postfix was not started"
tap_is "$(reload_count)" "$reloads" "no reload was logged"
tap_is "$(master_alive)" no "no master process of the instance exists"

tap_done
