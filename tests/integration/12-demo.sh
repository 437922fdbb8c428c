#!/bin/bash
# 12-demo.sh - the README's first quick-start command ends in `make demo`:
# tests/sandbox/demo.sh against the pfagent under test must show every
# step as expected (exit 0, no UNEXPECTED line), so that a change to a
# task's exit status or output cannot leave the quick start untrue.
. "$PFA_SRCDIR/tests/integration/lib.sh"

pfa_require_pfagent
out=$(pfa_tmpdir)/demo.out
rc=0
bash "$PFA_SRCDIR/tests/sandbox/demo.sh" "$PFAGENT" >"$out" 2>&1 || rc=$?
tap_is "$rc" 0 "make demo's script exits 0"
tap_ok "it reports no unexpected result" grep -q '^==> [0-9]* steps, 0 unexpected result(s)$' "$out"
tap_unlike "$(cat "$out")" "^ *UNEXPECTED" "no step says UNEXPECTED"
tap_ok "the first run replaced the DH file" grep -q 'as expected: the DH file changed' "$out"
tap_ok "check-tls probed the sandbox's listener" grep -q 'as expected: check-tls probed the listener' "$out"
tap_ok "pfagent's lines reached syslog-ng" grep -q 'as expected: pfagent logged task=rotate-dh events with facility mail' "$out"
tap_ok "everything was torn down" grep -q 'sandbox stopped and removed' "$out"
[ "$rc" = 0 ] || tail -40 "$out" | sed 's/^/# /'
tap_done
