#!/bin/bash
# 20-rotate-dh.sh - rotate-dh against a real Postfix: the DH file is
# replaced with valid parameters, keeps its mode and owner, Postfix logs
# exactly one reload; a second run within the interval does nothing;
# dry-run writes nothing; ffdhe mode; --exit-changed; obsolete dh512.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_setup "bits = 1024; allow_weak = true;"
DH=$PFSB_DH
chown root:postfix "$DH"
chmod 0640 "$DH"
before=$(sum_of "$DH")
reloads=$(reload_count)

pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "run rotate-dh exits 0"
tap_ok "the DH file changed" test "$(sum_of "$DH")" != "$before"
tap_ok "the new file passes openssl dhparam -check and pkeyparam -check" dh_valid "$DH"
tap_is "$(dh_bits "$DH")" 1024 "the new parameters have the configured size"
tap_like "$(head -1 "$DH")" '^-----BEGIN DH PARAMETERS-----$' "PKCS#3 PEM, the format Postfix reads"
tap_is "$(stat -c %a "$DH")" 640 "the mode is kept"
tap_is "$(stat -c %U:%G "$DH")" root:postfix "the owner is kept"
tap_is "$(sum_of "$DH.pfagent-prev")" "$before" "the previous version is kept for rollback"
tap_is "$(reload_count)" "$((reloads + 1))" "Postfix logged exactly one reload"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).changed[0].file')" "$DH" "JSON lists the changed file"
tap_is "$(jq_out '.reloaded')" true "JSON says Postfix was reloaded"
tap_is "$(jq_out '.reload.healthy')" true "the health check after the reload passed"
tap_like "$(sandbox_banner)" '^220 ' "Postfix still answers after the reload"
tap_is "$(ls -A "$(dirname "$DH")" | grep -c '\.pfagent\.')" 0 "no temporary file is left"

after=$(sum_of "$DH")
reloads=$(reload_count)
pfa_run --json run
tap_is "$PFA_RC" 0 "a second run within the interval exits 0"
tap_is "$(sum_of "$DH")" "$after" "and changes nothing"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).skipped')" "not due" "rotate-dh is not due"
tap_is "$(reload_count)" "$reloads" "and Postfix is not reloaded"
tap_is "$(jq_out '.reloaded')" false "JSON says no reload"
pfa_run -q run
tap_is "$(cat "$PFA_OUT")" "" "a quiet run (-q, as cron runs it) prints nothing when all is well"
pfa_run run
tap_like "$(cat "$PFA_OUT")" '^rotate-dh +skipped: not due$' "without -q the whole report is printed, also into a pipe or file"

pfa_run status
tap_is "$PFA_RC" 0 "status exits 0"
tap_like "$(cat "$PFA_OUT")" "changed $DH" "status shows the last changed file"
pfa_run --json status
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).status')" ok "--json status gives the last outcome"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).result.changed[0].file')" "$DH" "--json status gives the changed file"

pfa_run --json --dry-run run rotate-dh
tap_is "$PFA_RC" 0 "dry-run exits 0"
tap_is "$(sum_of "$DH")" "$after" "dry-run writes nothing"
tap_is "$(reload_count)" "$reloads" "dry-run does not reload"
tap_is "$(jq_out '.dry_run')" true "JSON says dry_run"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).changed[0].file')" "$DH" "dry-run says what would be replaced"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).metrics | length')" 0 "dry-run generates nothing"

# mode ffdhe: the RFC 7919 group, identical content is not a change
pfa_setup "mode = \"ffdhe\"; bits = 3072;"
pfa_run --exit-changed run rotate-dh
tap_is "$PFA_RC" 0 "--exit-changed: 0 when something changed"
openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe3072 -out "$PFA_WORK/ffdhe3072.pem" 2>/dev/null
tap_is "$(sum_of "$DH")" "$(sum_of "$PFA_WORK/ffdhe3072.pem")" "mode ffdhe writes the RFC 7919 group"
reloads=$(reload_count)
pfa_run --exit-changed --json run rotate-dh
tap_is "$PFA_RC" 2 "--exit-changed: 2 when the same group is already there"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).changed | length')" 0 "identical content is not a change"
tap_is "$(reload_count)" "$reloads" "and causes no reload"
pfa_run --json --dry-run run rotate-dh
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).changed | length')" 0 "a dry run in ffdhe mode knows the group is already there"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).summary')" "already up to date" "and says so"

# the default: 2048 bits, generated
pfa_setup ""
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "default settings: exit 0"
tap_is "$(dh_bits "$DH")" 2048 "bits defaults to 2048"
tap_ok "the 2048-bit parameters pass openssl's checks" dh_valid "$DH"

# an obsolete dh512 file is reported, never generated
postconf -c "$PFSB_ETC" -e "smtpd_tls_dh512_param_file = $PFSB_DIR/tls/dh512.pem"
pfa_setup "mode = \"ffdhe\"; bits = 2048;"
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 1 "an obsolete dh512 setting is a WARNING (exit 1)"
tap_is "$(jq_out '[(.tasks[] | select(.name == "rotate-dh")).findings[] | select(.id == "PFA-DH-002")] | .[0].severity')" warning "reported as PFA-DH-002"
tap_like "$(jq_out '[(.tasks[] | select(.name == "rotate-dh")).findings[] | select(.id == "PFA-DH-002")] | .[0].remedy')" 'postconf .*-X smtpd_tls_dh512_param_file' "with a remedy to paste"
tap_ok "no 512-bit file was written" test ! -e "$PFSB_DIR/tls/dh512.pem"
postconf -c "$PFSB_ETC" -X smtpd_tls_dh512_param_file

# postfix.reload = false: the file is replaced, Postfix is not reloaded
pfa_setup "mode = \"ffdhe\"; bits = 4096;" "reload = false;"
reloads=$(reload_count)
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "reload = false: exit 0"
tap_is "$(dh_bits "$DH")" 4096 "the file is replaced"
tap_is "$(reload_count)" "$reloads" "but Postfix is not reloaded"
tap_is "$(jq_out '.reload.findings[0].id')" PFA-GATE-006 "and an informational finding says reloading is disabled"

# a corrupt state file is set aside and treated as "never run"
echo '{"format": "pfagent-state", "version": 1, "tasks": {"rotate-d' >"$PFA_STATE/state.json"
pfa_run --json run
tap_is "$PFA_RC" 0 "a truncated state file does not stop the run"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).ran')" true "the task counts as never run"
tap_like "$(ls "$PFA_STATE")" '^state\.json\.corrupt-[0-9]+$' "the corrupt file is set aside"
tap_ok "a new, valid state file is written" jq -e '.tasks["rotate-dh"].last_run' "$PFA_STATE/state.json"

# on a terminal (stdout and stderr one pty) each finding appears once
pfa_setup "bits = 1024; allow_weak = true;"
tty_out=$(script -qec "$PFAGENT -c $PFA_CONF run rotate-dh" /dev/null </dev/null)
tap_like "$tty_out" 'PFA-DH-008' "on a terminal the finding is shown"
tap_is "$(printf '%s\n' "$tty_out" | grep -c 'PFA-DH-008')" 1 "and shown once, not also as a stderr event"
tap_like "$tty_out" 'rotate-dh: replaced: file=' "the events still go to stderr"

# --nagios: the run as a monitoring check, perfdata from the metrics
pfa_setup "mode = \"ffdhe\"; bits = 2048;"
pfa_run --nagios run rotate-dh
tap_is "$PFA_RC" 0 "--nagios run rotate-dh exits 0"
tap_like "$(head -1 "$PFA_OUT")" '^PFAGENT ROTATE-DH OK - replaced 1 file with RFC 7919 2048-bit parameters \| generation_seconds=[0-9.]+s bits=2048$' "one status line with the task's metrics as perfdata"

# started much less often than a task's interval: said, from the state
pfa_work
pfa_conf rebuild-maps=""
now=$(date +%s)
printf '{"format": "pfagent-state", "version": 1, "runs": [%s, %s], "tasks": {}}\n' \
    "$((now - 7 * 86400))" "$((now - 14 * 86400))" >"$PFA_STATE/state.json"
pfa_run --json run
tap_is "$(jq_out '[.pfagent.findings[] | select(.id == "PFA-RUN-001")] | length')" 1 "weekly starts for an hourly task: PFA-RUN-001"
tap_like "$(jq_out '.pfagent.findings[0].message')" 'started about every 1w, but rebuild-maps is due every 1h' "naming the gap and the task"
tap_like "$(jq_out '.pfagent.findings[0].remedy')" 'cron.d' "with the file to install"
tap_is "$PFA_RC" 1 "a WARNING (exit 1)"
pfa_run list
tap_like "$(cat "$PFA_OUT")" '^rebuild-maps .* \*$' "list marks the task that waits for a start"
tap_like "$(cat "$PFA_OUT")" '^\* pfagent has been started about every 1w' "and says why instead of promising the next hour"
pfa_run --json list
tap_is "$(jq_out '.starts_every')" "$((7 * 86400))" "--json list: starts_every"
# hourly starts: nothing to say
printf '{"format": "pfagent-state", "version": 1, "runs": [%s, %s], "tasks": {}}\n' \
    "$((now - 3600))" "$((now - 7200))" >"$PFA_STATE/state.json"
pfa_run --json run
tap_is "$(jq_out '.pfagent.findings | length')" 0 "hourly starts for an hourly task: nothing said"
tap_is "$PFA_RC" 0 "exit 0"

# no DH file configured: nothing to rotate, informational
postconf -c "$PFSB_ETC" -e "smtpd_tls_dh1024_param_file ="
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "no DH file configured: exit 0"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).findings[0].id')" PFA-DH-001 "and an informational finding says so"

tap_done
