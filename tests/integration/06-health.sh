#!/bin/bash
# 06-health.sh - `postfix reload` exits 0 even when a daemon then dies; the
# gate's health check sees it (no 220 banner, fatal: in the log), restores
# the files, reloads again, checks again, and reports CRITICAL with the log
# lines that explain it.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_setup "bits = 1024; allow_weak = true;"
DH=$PFSB_DH
before=$(sum_of "$DH")
reloads=$(reload_count)
# postconf, postfix check and the loadability checks (which check a
# number's form, not each daemon's minimum) accept this; smtpd dies at
# start-up
postconf -c "$PFSB_ETC" -e "smtpd_recipient_limit = 0"

pfa_run --json run rotate-dh
tap_is "$PFA_RC" 2 "an unhealthy Postfix after the reload is CRITICAL (exit 2)"
tap_is "$(jq_out '.reload.validated')" true "the configuration passed Postfix's own checks"
tap_is "$(jq_out '.reload.healthy')" false "JSON: health check failed"
tap_is "$(jq_out '.reload.rolled_back')" true "JSON: rolled back"
tap_is "$(sum_of "$DH")" "$before" "the DH file is restored"
tap_is "$(reload_count)" "$((reloads + 2))" "Postfix was reloaded, then reloaded again after the rollback"
ids=$(jq_out '[.reload.findings[].id] | join(" ")')
tap_like "$ids" 'PFA-HEALTH-002' "the silent listener is reported"
tap_like "$ids" 'PFA-HEALTH-003' "the fatal log line is reported"
tap_like "$ids" 'PFA-GATE-010' "the outcome of the rollback is reported"
tap_like "$(jq_out '[.reload.findings[] | select(.id == "PFA-HEALTH-003")][0].message')" 'fatal: .*smtpd_recipient_limit.* 0 < 1' "with Postfix's own explanation"
tap_like "$(jq_out '[.reload.findings[] | select(.id == "PFA-GATE-010")][0].message')" 'still unhealthy after the rollback' "and says the problem predates the run"

# once smtpd is healthy again, the change goes through with one reload
postconf -c "$PFSB_ETC" -X smtpd_recipient_limit
sleep 2	# service_throttle_time in the sandbox
reloads=$(reload_count)
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "with a healthy configuration the run exits 0"
tap_is "$(jq_out '.reload.healthy')" true "and the health check passes"
tap_is "$(reload_count)" "$((reloads + 1))" "with exactly one reload"

tap_done
