#!/bin/bash
# 11-robust.sh - a bad day for pfagent, against a real Postfix: inherited
# signal dispositions, a run that hangs past run_timeout, standard output
# on a full disk, odd things at the lock's name and the state file's
# name, a state file from a clock that jumped, and list/status reading a
# corrupt state without the lock.  Each ends with a clear message and a
# non-zero exit, or works; nothing hangs, nothing is truncated or lost.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_work
pfa_conf validate-config

# ---------------------------------------------- inherited dispositions
# SIGCHLD ignored by whoever started pfagent: the kernel reaps its
# children and every status would be lost.
perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' "$PFAGENT" -c "$PFA_CONF" --json run validate-config \
	>"$PFA_WORK/out" 2>"$PFA_WORK/err" </dev/null
rc=$?
PFA_OUT=$PFA_WORK/out
tap_ok "with SIGCHLD ignored on entry, validate-config still works (exit 0 or 1)" test "$rc" -le 1
tap_is "$(jq_out '.tasks[] | select(.name == "validate-config") | .ran')" true "and it ran Postfix's own checks"
perl -e 'use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM, SIGCHLD)); exec @ARGV' \
	"$PFAGENT" -c "$PFA_CONF" run validate-config >/dev/null 2>&1 </dev/null
tap_ok "with SIGTERM and SIGCHLD blocked on entry, too" test "$?" -le 1

# ------------------------------------------------------- run_timeout
# A postmap that hangs: the run stops at run_timeout, not after 600 s.
SBIN=$(pfa_tmpdir)
for p in postconf postfix postalias postqueue postsuper postlog postdrop; do
	ln -s "/usr/sbin/$p" "$SBIN/$p"
done
cat >"$SBIN/postmap" <<'EOF'
#!/bin/sh
case " $* " in
*" -q "* | *" -s "*) exec /usr/sbin/postmap "$@" ;;
esac
exec sleep 300
EOF
chmod 755 "$SBIN/postmap"
M=$(pfa_tmpdir)
printf 'a.example OK\n' >"$M/access"
pfa_work
pfa_conf -p "command_directory = \"$SBIN\";" -t 'run_timeout = "5s";' \
	rebuild-maps="discover = false; tables = [ \"hash:$M/access\" ];"
t0=$(date +%s)
timeout 120 "$PFAGENT" -c "$PFA_CONF" --json run rebuild-maps >"$PFA_WORK/out" 2>"$PFA_WORK/err" </dev/null
rc=$?
secs=$(( $(date +%s) - t0 ))
PFA_OUT=$PFA_WORK/out
tap_is "$rc" 3 "a hung postmap: the run stops at run_timeout with exit 3"
tap_ok "within a minute, not postmap's 600 s (took ${secs}s)" test "$secs" -lt 60
tap_like "$(cat "$PFA_WORK/err")" "stopped by the run's deadline \(run_timeout\)" "stderr says what stopped it"
tap_is "$(jq_out '[.tasks[] | select(.name == "rebuild-maps") | .findings[] | select(.id == "PFA-RUN-002")] | length')" 1 "the task has PFA-RUN-002"
tap_is "$(jq_out '[.tasks[] | select(.name == "rebuild-maps") | .findings[] | select(.id == "PFA-MAP-010")] | length')" 0 "and no 'postmap failed' about the table itself"
tap_is "$(pgrep -f "sleep 300" -c || true)" 0 "no postmap (sleep) is left running"
tap_is "$(ls -A "$M" | grep -c pfagent || true)" 0 "no build copy is left"
pfa_run --json list
tap_is "$(jq_out '.tasks[] | select(.name == "rebuild-maps") | .next_due')" "$(jq_out '.tasks[] | select(.name == "rebuild-maps") | .last_run')" "the task stays due"

# ------------------------------------------ standard output on a full disk
pfa_work
pfa_conf validate-config
"$PFAGENT" -c "$PFA_CONF" --json run validate-config >/dev/full 2>"$PFA_WORK/err" </dev/null
rc=$?
tap_is "$rc" 3 "--json to a full disk exits 3"
tap_like "$(cat "$PFA_WORK/err")" "cannot write to standard output.*incomplete" "saying the output is incomplete"
"$PFAGENT" -c "$PFA_CONF" list >/dev/full 2>/dev/null </dev/null
tap_is "$?" 3 "so does list"

# ----------------------------------------------------- the lock's name
for kind in directory fifo symlink; do
	pfa_work
	pfa_conf validate-config
	case $kind in
	directory) mkdir "$PFA_STATE/lock" ;;
	fifo) mkfifo -m 600 "$PFA_STATE/lock" ;;
	symlink) ln -s /etc/passwd "$PFA_STATE/lock" ;;
	esac
	timeout 20 "$PFAGENT" -c "$PFA_CONF" run validate-config >"$PFA_WORK/out" 2>"$PFA_WORK/err" </dev/null
	rc=$?
	tap_is "$rc" 3 "a $kind at the lock's name: exit 3, no hang"
	tap_like "$(cat "$PFA_WORK/err")" "cannot lock $PFA_STATE/lock: it is .*; nothing done \(remove it" "and stderr says why and what to do ($kind)"
done
pfa_work
pfa_conf validate-config
printf 'precious\n' >"$PFA_WORK/precious"
ln "$PFA_WORK/precious" "$PFA_STATE/lock"
pfa_run run validate-config
tap_is "$PFA_RC" 3 "a hard link at the lock's name is refused"
tap_is "$(cat "$PFA_WORK/precious")" "precious" "and the file it links to is not truncated"
tap_like "$(cat "$PFA_ERR")" "more than one link" "saying it has another name"

# ------------------------------------------------- the state file's name
pfa_work
pfa_conf validate-config
mkfifo -m 600 "$PFA_STATE/state.json"
timeout 20 "$PFAGENT" -c "$PFA_CONF" status >/dev/null 2>"$PFA_WORK/err" </dev/null
tap_ok "status with a FIFO as the state file does not hang" test "$?" -ne 124
timeout 60 "$PFAGENT" -c "$PFA_CONF" run validate-config >/dev/null 2>&1 </dev/null
rc=$?
tap_ok "nor does run (exit $rc)" test "$rc" -le 1
tap_ok "the FIFO was set aside and a real state file written" test -f "$PFA_STATE/state.json" -a ! -p "$PFA_STATE/state.json"

# ------------------------------------------------ a clock that jumped
pfa_work
pfa_conf validate-config
cat >"$PFA_STATE/state.json" <<'EOF'
{ "format": "pfagent-state", "version": 1, "tasks": {
  "validate-config": { "last_run": 4102444800, "next_due": 4102531200,
    "status": "ok" } } }
EOF
chmod 600 "$PFA_STATE/state.json"
pfa_run list
tap_like "$(cat "$PFA_OUT")" 'validate-config +yes +1d +never +ok +now' "list: a last run dated 2100 is not believed: due now"
tap_like "$(cat "$PFA_ERR")" 'dated in the future' "and list says why"
pfa_run --json run
tap_is "$(jq_out '.tasks[] | select(.name == "validate-config") | .ran')" true "a plain run runs the task (it is due)"
tap_ok "and records a believable time" test "$(jq -r '.tasks["validate-config"].last_run' "$PFA_STATE/state.json")" -le "$(( $(date +%s) + 60 ))"

# ------------------------------------- list and status without the lock
pfa_work
pfa_conf validate-config
printf 'not json' >"$PFA_STATE/state.json"
chmod 600 "$PFA_STATE/state.json"
pfa_run status
tap_like "$(cat "$PFA_ERR")" "state file $PFA_STATE/state.json is not usable" "status says the state file is not usable"
pfa_run list
tap_is "$(ls "$PFA_STATE" | grep -c corrupt || true)" 0 "list and status do not rename it (they hold no lock)"
tap_is "$(cat "$PFA_STATE/state.json")" "not json" "and leave it as it is"
pfa_run run validate-config
tap_is "$(ls "$PFA_STATE" | grep -c 'state.json.corrupt-' || true)" 1 "a run (which holds the lock) sets it aside"

tap_done
