#!/bin/bash
# 01-cli.sh - the command line: help, version, config checking (file:line,
# exit 3), refusal of unsafe files, unknown commands and tasks, list.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

PFSB_ETC=/nonexistent/etc	# no Postfix needed here
pfa_setup "bits = 2048;"

out=$("$PFAGENT" --version); rc=$?
tap_is "$rc" 0 "--version exits 0"
tap_like "$out" '^pfagent [0-9]+\.[0-9]+' "--version prints the version"
out=$("$PFAGENT" --help); rc=$?
tap_is "$rc" 0 "--help exits 0"
for c in run list status check-config help; do
	tap_like "$out" "  $c" "--help lists $c"
done
out=$("$PFAGENT" help rotate-dh); rc=$?
tap_is "$rc" 0 "help rotate-dh exits 0"
tap_like "$out" 'allow_weak' "help rotate-dh names its settings"
tap_like "$out" '^  PFA-DH-007 +unknown ' "help rotate-dh lists its finding ids with their severity"
out=$("$PFAGENT" help log-report); rc=$?
tap_is "$rc" 0 "help log-report exits 0"
tap_like "$out" 'report_to' "help log-report names its settings"
tap_like "$out" 'PFA-LOG-005' "and its finding ids"
tap_like "$("$PFAGENT" --help)" 'Task command \(log-report\): pfagent \[OPTIONS\] log-report \[--since' "--help lists the log-report command"
out=$("$PFAGENT" help rebuild-maps)
tap_is "$(printf '%s\n' "$out" | sed -n '3,/^Default interval/p' | awk 'length > 80' | wc -l)" 0 "help's paragraphs are wrapped to 80 columns off a terminal"
tap_like "$out" 'max_shrink' "and nothing of them is lost"
out=$("$PFAGENT" help reload-gate); rc=$?
tap_is "$rc" 0 "help reload-gate exits 0"
tap_like "$out" '^  PFA-GATE-001 +critical ' "help reload-gate lists the gate's ids"
tap_like "$out" '^  PFA-HEALTH-002 +critical ' "and the health check's"
"$PFAGENT" help no-such-task >/dev/null 2>&1
tap_is "$?" 3 "help for an unknown task exits 3"
"$PFAGENT" frobnicate >/dev/null 2>&1
tap_is "$?" 3 "an unknown command exits 3"
"$PFAGENT" >/dev/null 2>&1
tap_is "$?" 3 "no command exits 3"

pfa_run check-config
tap_is "$PFA_RC" 0 "check-config accepts a valid file"
tap_like "$(cat "$PFA_OUT")" "configuration OK \($PFA_CONF\)" "check-config names the file"
cp "$PFA_SRCDIR/conf/pfagent.conf" "$PFA_WORK/sample.conf"
chmod 600 "$PFA_WORK/sample.conf"
"$PFAGENT" -c "$PFA_WORK/sample.conf" check-config >/dev/null 2>"$PFA_WORK/sample.err"
tap_is "$?" 0 "the shipped sample conf/pfagent.conf is valid"

cat >"$PFA_CONF" <<'CONF'
postfix = {
  reload = "yes";
};
tasks = {
  rotate-dh = { every = "7x"; bits = 1024; };
  rotate-ssh = { };
};
CONF
pfa_run check-config
tap_is "$PFA_RC" 3 "check-config rejects a bad file with exit 3"
err=$(cat "$PFA_ERR")
tap_like "$err" "$PFA_CONF:2: postfix.reload: expected true or false" "wrong type names file:line"
tap_like "$err" "$PFA_CONF:5: tasks.rotate-dh.every: bad duration \"7x\"" "bad duration names file:line"
tap_like "$err" "$PFA_CONF:5: tasks.rotate-dh.bits: 1024 bits is below" "weak bits refused with file:line"
tap_like "$err" "$PFA_CONF:6: tasks.rotate-ssh: unknown task" "unknown task names file:line"
pfa_run run
tap_is "$PFA_RC" 3 "run with a bad config exits 3"
tap_is "$(ls -A "$PFA_STATE")" "" "run with a bad config touches nothing"

printf 'postfix = { reload = true; };\nlog = { facility = ; };\n' >"$PFA_CONF"
pfa_run check-config
tap_is "$PFA_RC" 3 "a syntax error exits 3"
tap_like "$(cat "$PFA_ERR")" "$PFA_CONF:2: " "a syntax error names file:line"

pfa_setup ""
chmod 0664 "$PFA_CONF"
pfa_run check-config
tap_is "$PFA_RC" 3 "a group-writable config file is refused"
tap_like "$(cat "$PFA_ERR")" 'writable by group or other' "the refusal says why"
chmod 0600 "$PFA_CONF"
chown 1:1 "$PFA_CONF"
pfa_run check-config
tap_is "$PFA_RC" 3 "a config file not owned by root is refused"
tap_like "$(cat "$PFA_ERR")" 'not owned by root' "the refusal says it is not root's"
chown 0:0 "$PFA_CONF"

chmod 0777 "$PFA_STATE"
pfa_run run rotate-dh
tap_is "$PFA_RC" 3 "a world-writable state directory is refused"
tap_like "$(cat "$PFA_ERR")" "refusing state directory $PFA_STATE" "the refusal names the directory"
tap_is "$(ls -A "$PFA_STATE")" "" "nothing was written into the unsafe state directory"
chmod 0700 "$PFA_STATE"

pfa_run run no-such-task
tap_is "$PFA_RC" 3 "run of an unknown task exits 3"
tap_like "$(cat "$PFA_ERR")" 'unknown task "no-such-task"' "and names it"

pfa_run list
tap_is "$PFA_RC" 0 "list exits 0"
tap_like "$(cat "$PFA_OUT")" 'rotate-dh +yes +1w +never' "list shows rotate-dh, its interval, never run"
pfa_run --json list
tap_is "$(jq_out '[.tasks[].name] | join(",")')" "rotate-dh,rebuild-maps,validate-config,check-tls,check-queue,log-report" "--json list names every task, in run order: the ones that change files first"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).every')" "604800" "--json list gives the interval in seconds"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).last_run')" "null" "--json list: never run"
pfa_run --json status
tap_is "$PFA_RC" 0 "status with no state exits 0"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).status')" "null" "--json status: no outcome yet"

# --nagios: exactly one task, one status line with perfdata
pfa_setup "mode = \"ffdhe\"; bits = 2048;"
pfa_run --nagios run
tap_is "$PFA_RC" 3 "--nagios without a task exits 3"
tap_like "$(cat "$PFA_OUT")" '^PFAGENT UNKNOWN - ' "and says so as a plugin would"
pfa_run --nagios run rotate-dh
tap_is "$PFA_RC" 3 "--nagios with no Postfix to read exits 3"
tap_like "$(head -1 "$PFA_OUT")" "^PFAGENT ROTATE-DH UNKNOWN - cannot read Postfix's configuration\$" "one status line"
tap_like "$(sed -n 2p "$PFA_OUT")" '^unknown PFA-DH-007 ' "then the finding that says why"
pfa_run --nagios --json run rotate-dh
tap_is "$PFA_RC" 3 "--nagios with --json is refused (exit 3)"

# Postfix not reachable (no such instance): the task says UNKNOWN, exit 3.
pfa_setup ""
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 3 "a missing Postfix instance makes the run UNKNOWN (exit 3)"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).status')" "unknown" "rotate-dh reports unknown"
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).findings[0].id')" "PFA-DH-007" "with the finding that says why"
tap_is "$(jq_out '.exit_code')" "3" "the JSON exit_code matches the exit status"

tap_done
