# dh.sh - the rotate-dh scenario of the fault-injection test (sourced by
# tests/integration/09-faults.sh after fault.sh; `fault_scenario rotate-dh
# fdh JOBS` makes its instances; its functions are fdh_*).
#
# rotate-dh with mode = "ffdhe" and bits = 3072 against a fresh sandbox,
# so that a run takes no generation time: every faulted run starts from
# the sandbox's ffdhe2048 file (the old version), an ffdhe4096
# dh.pem.pfagent-prev kept by an earlier rotation, and the state of one
# clean run, and replaces it with ffdhe3072 (the new version).  Counted:
# file calls on the DH file's directory (the state directory's are
# counted in maps.sh: the state file is the core's, saved the same way
# after any task), and every fork and execve.  After a faulted run dh.pem
# is the complete old or new version and openssl pkeyparam -check accepts
# it; beside the old version dh.pem.pfagent-prev is the earlier one or
# gone, beside the new version it is the old one or gone.  The change
# needs a reload (smtpd reads the file when it starts).

# shellcheck disable=SC2034 # FAULT_* are read by fault.sh
true

# fdh_setup LABEL: one instance.
fdh_setup() {
	sandbox_up
	pfa_work
	pfa_conf rotate-dh='mode = "ffdhe"; bits = 3072;'
	# no wait after a reload before the health check: the loop reloads
	# often, and the check still probes every listener and the log
	sed -i 's/health_wait = "1s";/health_wait = "0s";/' "$PFA_CONF"
	DH=$PFSB_DH
	DH_SNAP=$(pfa_tmpdir)
	cp -a "$DH" "$DH_SNAP/old.pem"
	tap_is "$(dh_bits "$DH")" 2048 "$1: the sandbox's DH file is ffdhe2048 (the old version)"
	pfa_run run rotate-dh
	tap_is "$PFA_RC" 0 "$1: a clean run writes the new version"
	tap_is "$(dh_bits "$DH")" 3072 "$1: ffdhe3072 (the new version)"
	cp -a "$DH" "$DH_SNAP/new.pem"
	cp -a "$PFA_STATE" "$DH_SNAP/state"
	openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe4096 \
	    -out "$DH_SNAP/stale.pem" 2>/dev/null
	tap_is "$(dh_bits "$DH_SNAP/stale.pem")" 4096 "$1: an ffdhe4096 file for an earlier rotation's dh.pem.pfagent-prev"
	DH_STALE=$(sum_of "$DH_SNAP/stale.pem")
	DH_OLD=$(sum_of "$DH_SNAP/old.pem")
	DH_NEW=$(sum_of "$DH_SNAP/new.pem")
	# the state file is the core's, saved the same way after every task:
	# its calls are counted in the rebuild-maps scenario
	FAULT_ROOTS=$PFSB_TLS
	FAULT_NEED_RELOAD=yes
	FAULT_SAVE="DH DH_SNAP DH_OLD DH_NEW DH_STALE"
}

fdh_reset() {
	cp -a "$DH_SNAP/old.pem" "$DH"
	cp -a "$DH_SNAP/stale.pem" "$DH.pfagent-prev"
	rm -rf "$PFA_STATE"
	cp -a "$DH_SNAP/state" "$PFA_STATE"
}

fdh_dirs() {
	echo "$PFSB_TLS"
}

fdh_check_any() {
	fault_check_kept "$DH" "$DH_OLD" "$DH_NEW" "old new" "$DH_STALE"
}

fdh_check_new() {
	fault_check_kept "$DH" "$DH_OLD" "$DH_NEW" new "$DH_STALE"
}

fdh_valid() {
	openssl pkeyparam -check -noout -in "$1" >/dev/null 2>&1
}
