#!/bin/bash
# 04-concurrent.sh - two runs at once: the second exits 3 at once, names the
# first one's PID and touches nothing; there is exactly one reload.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_setup "bits = 2048; threads = 1;"
DH=$PFSB_DH
reloads=$(reload_count)
before=$(sum_of "$DH")
"$PFAGENT" -c "$PFA_CONF" run rotate-dh >"$PFA_WORK/first.out" 2>&1 &
first=$!
# wait until the first run holds the lock
held=no
for _ in $(seq 1 100); do
	if [ -s "$PFA_STATE/lock" ] && ! flock -n "$PFA_STATE/lock" true; then
		held=yes
		break
	fi
	sleep 0.05
done
tap_is "$held" yes "the first run holds the lock"
start=$(date +%s%N)
pfa_run --json run rotate-dh
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
tap_is "$PFA_RC" 3 "the second run exits 3"
tap_like "$(cat "$PFA_ERR")" "another pfagent run \(PID $first\) holds" "and names the holder's PID"
tap_ok "it returned at once (${elapsed_ms} ms), without waiting" test "$elapsed_ms" -lt 5000
tap_is "$(cat "$PFA_OUT")" "" "it printed no report (it did nothing)"
running=no
kill -0 "$first" 2>/dev/null && running=yes
tap_is "$running" yes "the first run was still running when the second gave up"
wait "$first"
tap_is "$?" 0 "the first run finishes normally"
tap_ok "the first run replaced the file" test "$(sum_of "$DH")" != "$before"
tap_is "$(reload_count)" "$((reloads + 1))" "exactly one reload for the two runs"
tap_is "$(cat "$PFA_STATE/lock")" "" "the released lock file no longer names a holder"

tap_done
