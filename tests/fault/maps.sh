# maps.sh - the rebuild-maps scenario of the fault-injection test (sourced
# by tests/integration/09-faults.sh after fault.sh; `fault_scenario
# rebuild-maps fmaps JOBS` makes its instances; its functions are fmaps_*).
#
# Four tables Postfix uses, in one directory: hash:access
# (smtpd_helo_restrictions), lmdb:transport (transport_maps),
# regexp:header_checks (in memory: a change needs a reload) and the
# blacklist hash:blacklist (smtpd_sender_restrictions) that rebuild-maps
# assembles from a list file.  Every faulted run starts from the same
# point: databases and the assembled source of version A, every source
# and the list of version B, and the state of the run that built A.
# Counted: calls on the tables' directory and the state directory, but
# not on the sources pfagent only reads there (access, transport,
# header_checks) nor the lock file.  After a faulted run each database
# answers postmap -q for its sample keys, all with version A or all with
# B (never empty, a mix or an error); the assembled source is A or B, and
# blacklist.pfagent-prev exists only beside a replaced one and holds A; a
# database never has a .pfagent-prev; the sources are untouched.

# shellcheck disable=SC2034 # FAULT_* are read by fault.sh
true

# fmaps_gen VERSION: the sources of VERSION (A or B).
fmaps_gen() {
	local v=$1 i
	for i in 1 2 3; do
		printf 'key%d.example.test value-%d-%s\n' "$i" "$i" "$v"
	done >"$FM/access"
	for i in 1 2 3; do
		printf 'dom%d.example.test smtp:[relay-%s.example.test]\n' "$i" "$v"
	done >"$FM/transport"
	printf '/^X-Pfa-Test-%s: /  REJECT\n' "$v" >"$FM/header_checks"
	printf 'spam-%s@example.test\nsame@example.test\n' \
	    "$(printf %s "$v" | tr AB ab)" >"$FL/list"
}

# fmaps_version TABLE KEYS...: A or B if every key answers with that
# version (from the value, or for the blacklist from which of spam-a and
# spam-b is listed), else what went wrong.
fmaps_version() {
	local table=$1 out keys vs err
	shift
	keys=$(printf '%s\n' "$@")
	err=$PFA_WORK/postmap.err
	# a database older than its source is warned about, and normal
	# between a source's change and its rebuild
	if ! out=$(postmap -c "$PFSB_ETC" -q - "$table" <<<"$keys" 2>"$err") ||
	    grep -v 'is older than source file' "$err" | grep -q .; then
		echo "postmap -q fails: $(head -2 "$err" | tr '\n' ' ')"
		return
	fi
	case $table in
	*blacklist)
		case $(printf '%s\n' "$out" | cut -f1 | tr '\n' ' ') in
		"spam-a@example.test same@example.test ") echo A ;;
		"spam-b@example.test same@example.test ") echo B ;;
		*) echo "answers $(printf '%s' "$out" | tr '\n\t' '; ')" ;;
		esac
		return
		;;
	esac
	vs=$(printf '%s\n' "$out" |
	    sed -n 's/.*-\([AB]\)\(\.example\.test\]\)\{0,1\}$/\1/p' | sort -u |
	    tr -d '\n')
	if [ "$(printf '%s\n' "$out" | wc -l)" = "$#" ] && [ ${#vs} = 1 ]; then
		echo "$vs"
	else
		echo "answers $(printf '%s' "$out" | tr '\n\t' '; ')"
	fi
}

# fmaps_tables WANT: every database answers with a version WANT names
# ("A B" or "B").
fmaps_tables() {
	local t v
	for t in "hash:$FM/access key1.example.test key2.example.test key3.example.test" \
	    "lmdb:$FM/transport dom1.example.test dom2.example.test dom3.example.test" \
	    "hash:$FM/blacklist spam-a@example.test spam-b@example.test same@example.test"; do
		# shellcheck disable=SC2086 # the table and its keys
		v=$(fmaps_version $t)
		case " $1 " in
		*" $v "*) ;;
		*) echo "${t%% *}: $v (expected ${1// / or })" ;;
		esac
	done
}

# fmaps_check WANT: fmaps_tables, the assembled source, no kept database,
# the sources untouched.
fmaps_check() {
	local f
	fmaps_tables "$1"
	if [ "$1" = B ]; then
		fault_check_kept "$FM/blacklist" "$FM_BL_A" "$FM_BL_B" new
	else
		fault_check_kept "$FM/blacklist" "$FM_BL_A" "$FM_BL_B" "old new"
	fi
	for f in access.db transport.lmdb blacklist.db; do
		[ ! -e "$FM/$f.pfagent-prev" ] ||
			echo "$f.pfagent-prev exists (a database keeps no previous version)"
	done
	for f in access transport header_checks; do
		cmp -s "$FM/$f" "$FM_SNAP/tables/$f" || echo "the source $f was changed"
	done
}

# fmaps_setup LABEL: one instance.
fmaps_setup() {
	sandbox_up
	FM=$(pfa_tmpdir)
	FL=$(pfa_tmpdir)
	fmaps_gen A
	postconf -c "$PFSB_ETC" -e \
		"smtpd_helo_restrictions = check_helo_access hash:$FM/access" \
		"transport_maps = lmdb:$FM/transport" \
		"header_checks = regexp:$FM/header_checks" \
		"smtpd_sender_restrictions = check_sender_access hash:$FM/blacklist"
	pfa_work
	pfa_conf rebuild-maps="blacklist = { lists = [ \"$FL/list\" ]; map = \"hash:$FM/blacklist\"; };"
	sed -i 's/health_wait = "1s";/health_wait = "0s";/' "$PFA_CONF"
	pfa_run run rebuild-maps
	tap_is "$PFA_RC" 0 "$1: a clean run builds version A"
	tap_is "$(fmaps_tables A)" "" "$1: every table answers with version A"
	tap_require "$1: postfix reload" postfix -c "$PFSB_ETC" reload
	FM_BL_A=$(sum_of "$FM/blacklist")
	fmaps_gen B
	FM_SNAP=$(pfa_tmpdir)
	rm -f "$FM/blacklist.pfagent-prev"
	cp -a "$FM" "$FM_SNAP/tables"
	cp -a "$PFA_STATE" "$FM_SNAP/state"
	pfa_run run rebuild-maps
	tap_is "$PFA_RC" 0 "$1: a clean run from there builds version B"
	FM_BL_B=$(sum_of "$FM/blacklist")
	tap_is "$(fmaps_tables B)" "" "$1: every table answers with version B"
	FAULT_ROOTS=$FM:$PFA_STATE
	FAULT_SKIP=$PFA_STATE/lock:$FM/access:$FM/transport:$FM/header_checks
	FAULT_NEED_RELOAD=yes
	FAULT_SAVE="FM FL FM_SNAP FM_BL_A FM_BL_B"
}

fmaps_reset() {
	find "$FM" -mindepth 1 -delete
	cp -a "$FM_SNAP/tables/." "$FM/"
	rm -rf "$PFA_STATE"
	cp -a "$FM_SNAP/state" "$PFA_STATE"
}

fmaps_dirs() {
	echo "$FM"
}

fmaps_check_any() {
	fmaps_check "A B"
}

fmaps_check_new() {
	fmaps_check B
}

fmaps_valid() {
	[ -s "$1" ]
}
