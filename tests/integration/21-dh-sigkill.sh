#!/bin/bash
# 21-dh-sigkill.sh - SIGKILL at random instants during runs never leaves a
# partial or empty DH file (repeated many times), and the next run cleans
# up any temporary file the killed run left.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_setup "bits = 512; allow_weak = true;" "reload = false;"
DH=$PFSB_DH
TRIALS=${PFA_KILL_TRIALS:-60}
bad=0
empty=0
changed=0
# how long a whole run takes here (under load it is longer): the kills
# are spread over that and a little more
t0=$(date +%s%N)
"$PFAGENT" -c "$PFA_CONF" run rotate-dh --force >/dev/null 2>&1 </dev/null
span=$(( ($(date +%s%N) - t0) / 1000000 * 12 / 10 + 50 ))
tap_diag "a whole run takes about $((span * 10 / 12)) ms: kills within $span ms"
last=$(sum_of "$DH")
for i in $(seq 1 "$TRIALS"); do
	"$PFAGENT" -c "$PFA_CONF" run rotate-dh >/dev/null 2>&1 &
	pid=$!
	# spread the kills over the whole run: start-up, Postfix's checks,
	# generation, the write and the rename
	ms=$((RANDOM % span))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ ! -s "$DH" ]; then
		empty=$((empty + 1))
	elif ! dh_valid "$DH"; then
		bad=$((bad + 1))
		cp "$DH" "$PFA_WORK/bad-$i.pem"
	fi
	now=$(sum_of "$DH")
	[ "$now" != "$last" ] && changed=$((changed + 1))
	last=$now
done
tap_is "$empty" 0 "never an empty or missing DH file after $TRIALS SIGKILLs"
tap_is "$bad" 0 "never a partial or invalid DH file after $TRIALS SIGKILLs"
tap_diag "the file was replaced in $changed of $TRIALS killed runs"
tap_ok "some killed runs got as far as replacing the file" test "$changed" -gt 0

pfa_run run rotate-dh
tap_is "$PFA_RC" 0 "a normal run after the kills succeeds"
tap_ok "and leaves a valid file" dh_valid "$DH"
tap_is "$(ls -A "$(dirname "$DH")" | grep -c '^\.dh\.pem\.pfagent\.')" 0 "no temporary file is left behind"
pfa_run --json status
tap_is "$(jq_out '(.tasks[] | select(.name == "rotate-dh")).status')" ok "the state file is readable after the kills"

tap_done
