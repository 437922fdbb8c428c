#!/bin/bash
# 05-syslog.sh - pfagent's events arrive at a real syslog-ng (own config and
# socket, /dev/log bound to it in a private mount namespace) at the
# expected facility and level.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
syslog_up
pfa_setup "bits = 1024; allow_weak = true;"
DH=$PFSB_DH
SYSLOGCAP="$PFA_SRCDIR/tests/sandbox/syslogcap.sh"
postconf -c "$PFSB_ETC" -e "smtpd_tls_dh512_param_file = $PFSB_DIR/tls/dh512.pem"

bash "$SYSLOGCAP" run "$SYSLOG_DIR" "$PFAGENT" -c "$PFA_CONF" run rotate-dh >/dev/null 2>&1
tap_is "$?" 1 "the run (with an obsolete dh512 setting) exits 1 through syslogcap"
M=$SYSLOG_DIR/messages
tap_ok "the replaced event arrives at mail.notice" \
	bash "$SYSLOGCAP" wait "$SYSLOG_DIR" "pfagent\[[0-9]+\] mail\.notice: task=rotate-dh event=replaced file=$DH " 10
tap_ok "the obsolete-dh512 finding arrives at mail.warning" \
	bash "$SYSLOGCAP" wait "$SYSLOG_DIR" "pfagent\[[0-9]+\] mail\.warning: task=rotate-dh event=finding id=PFA-DH-002 severity=warning" 10
tap_ok "the reload arrives at mail.notice" \
	bash "$SYSLOGCAP" wait "$SYSLOG_DIR" "pfagent\[[0-9]+\] mail\.notice: event=reloaded config_directory=$PFSB_ETC changed=1" 10
tap_ok "the task's summary event is key=value" \
	bash "$SYSLOGCAP" wait "$SYSLOG_DIR" 'mail\.warning: task=rotate-dh event=done status=warning changed=1 findings=[0-9]+ summary="replaced 1 file' 10
tap_ok "the run's end is logged with the exit code" \
	bash "$SYSLOGCAP" wait "$SYSLOG_DIR" 'event=run-finished exit=1 reloaded=yes rolled_back=no' 10

# the facility comes from the configuration
postconf -c "$PFSB_ETC" -X smtpd_tls_dh512_param_file
pfa_setup "bits = 1024; allow_weak = true;" "" 'log = { facility = "local3"; };'
bash "$SYSLOGCAP" run "$SYSLOG_DIR" "$PFAGENT" -c "$PFA_CONF" run rotate-dh >/dev/null 2>&1
tap_is "$?" 0 "a clean run exits 0"
tap_ok "log.facility = local3 is used" \
	bash "$SYSLOGCAP" wait "$SYSLOG_DIR" "pfagent\[[0-9]+\] local3\.notice: task=rotate-dh event=replaced file=$DH " 10

tap_is "$(grep -c 'key material\|BEGIN DH' "$M")" 0 "no parameter material is ever logged"

# with a syslog daemon: nothing said about syslog; without one (outside
# the capture /dev/log leads nowhere): said once on stderr, in the JSON,
# and the run goes on
bash "$SYSLOGCAP" run "$SYSLOG_DIR" "$PFAGENT" -c "$PFA_CONF" --json run rotate-dh >"$PFA_WORK/cap.json" 2>"$PFA_WORK/cap.err"
tap_is "$(jq -r '.syslog.available' "$PFA_WORK/cap.json")" true "JSON: syslog available through the capture"
tap_unlike "$(cat "$PFA_WORK/cap.err")" 'syslog is not available' "and nothing is said about it"
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "without syslog the run still works (exit 0)"
tap_is "$(grep -c 'syslog is not available' "$PFA_ERR")" 1 "it says once on stderr that syslog takes nothing"
tap_is "$(jq_out '.syslog.available')" false "JSON: syslog not available"
tap_like "$(jq_out '.syslog.problem')" '/dev/log' "JSON: and why"

tap_done
