# fault.sh - the fault-injection loop of tests/integration/09-faults.sh
# (bash; sourced after lib.sh and pfa.sh, before the scenarios dh.sh and
# maps.sh).
#
# A scenario P (dh, maps) has a setup function that makes one instance
# of it: a sandbox Postfix, a pfagent configuration enabling the task,
# and a snapshot of the starting point; it sets FAULT_ROOTS (the
# directories whose calls count, ":" separated), FAULT_SKIP (files there
# pfagent only reads), FAULT_NEED_RELOAD (yes: the change works only after
# a reload) and FAULT_SAVE (its own variables).  It defines
#   P_reset       puts every file a run may change back to the starting
#                 point (the same before every faulted run, so that every
#                 run makes the same calls)
#   P_check_any   the live files after a faulted run: each the complete
#                 old or new version; one line per problem on stdout
#   P_check_new   the same after the clean run: all the new version
#   P_dirs        the directories where no temporary file may remain
#   P_valid FILE  whether FILE is valid (for fault_check_kept)
# fault_scenario TASK P JOBS makes JOBS instances; fault_run_all then runs
# every instance's worker at once (a run mostly waits for Postfix's
# programs, so the instances share the two cores well) and prints the
# results in order.  A worker runs `pfagent run TASK` once under
# tests/fault/failnth.so in counting mode (every counted call traced with
# its target), then takes the (KIND, N) pairs, N from 1 to the count of
# KIND, that no other instance of its scenario has taken: it resets, runs `pfagent run TASK` with the Nth call
# of that kind failed, and checks that
#   - the fault fired, on the call the counting run saw as number N;
#   - pfagent exited 0-3 (no signal) with no sanitizer report, and no
#     program it ran was counted (LD_PRELOAD did not leak into them);
#   - P_check_any; no ".*.pfagent.*", ".*.pfagent-build.*" or "__db.*"
#     file in P_dirs or the state directory (but the one whose unlink was
#     failed) and no state file set aside as corrupt;
#   - Postfix runs: postfix status, the master process, a 220 banner;
#   - the next clean run exits 0, P_check_new, no temporary file at all,
#     Postfix up, Postfix reloaded since the reset if FAULT_NEED_RELOAD;
#   - a run after that changes nothing (when the clean run itself changed
#     nothing, it was that run).
# One TAP line per faulted run, naming the call, N and its target; the
# problems follow as diagnostics.  The instances' counts must agree.
#
# Counted (see failnth.c): calls made by pfagent's process and by the
# children it forks until they exec, never by the programs it runs;
# open/read/write/fsync/rename/link/unlink only on FAULT_ROOTS and below,
# on paths that exist (or that an open creates), but not on FAULT_SKIP;
# fork and execve always.  FAULT_ONLY="KIND..." limits the kinds and
# FAULT_JOBS the instances per scenario, for a run by hand.

FAILNTH_SO=${FAILNTH_SO:-$PFA_BUILDDIR/tests/fault/failnth.so}
FAULT_KINDS=${FAULT_ONLY:-open read write fsync rename link unlink fork execve}
FAULT_BASE=$(pfa_tmpdir)
FAULT_SCENARIOS=
FAULT_STD_VARS="PFSB_DIR PFSB_ETC PFSB_PORT PFSB_LOG PFSB_SPOOL PFSB_TLS
	PFSB_DH PFA_WORK PFA_CONF PFA_STATE FAULT_ROOTS FAULT_SKIP
	FAULT_NEED_RELOAD FAULT_P FAULT_TASK"

[ -f "$FAILNTH_SO" ] ||
	tap_bail "no $FAILNTH_SO (make check builds it; or make tests/fault/failnth.so)"
command -v jq >/dev/null || tap_bail "jq not found: install the test dependencies"

# Random parts of temporary names and the instance's own directories, so
# that two runs' and two instances' targets compare.
fault_norm() {
	sed -E -e 's/\.pfagent(-build)?\.[A-Za-z0-9]{6}/.pfagent\1.XXXXXX/g' \
	    -e "s|^$PFA_TEST_ROOT/tmp\.[A-Za-z0-9]{6}/||"
}

# fault_pfagent LOG [FAILNTH_VAR=VALUE...] -- ARGS...: pfagent under the
# library; stdout, stderr and status in FAULT_OUT, FAULT_ERR, FAULT_RC.
# ASan insists on being first in the library list unless told not to.
fault_pfagent() {
	local log=$1 vars=()
	shift
	while [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	FAULT_OUT=$PFA_WORK/fault.out
	FAULT_ERR=$PFA_WORK/fault.err
	: >"$log"
	FAULT_RC=0
	env "${vars[@]}" FAILNTH_ROOT="$FAULT_ROOTS" FAILNTH_SKIP="$FAULT_SKIP" \
	    FAILNTH_LOG="$log" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    LD_PRELOAD="$FAILNTH_SO" \
	    "$PFAGENT" -c "$PFA_CONF" "$@" >"$FAULT_OUT" 2>"$FAULT_ERR" \
	    </dev/null || FAULT_RC=$?
}

# fault_check_kept FILE OLD_SUM NEW_SUM WANT [STALE_SUM]: FILE is one of
# the versions WANT names ("old new" or "new") and valid; beside the old
# version FILE.pfagent-prev is absent or the one there at the start (the
# version STALE_SUM, from an earlier run), never one this run made;
# beside the new version it is absent or the old one.
fault_check_kept() {
	local f=$1 old=$2 new=$3 want=$4 stale=${5:-} sum is='' prev=''
	sum=$(sum_of "$f" 2>/dev/null)
	[ "$sum" != "$old" ] || is=old
	[ "$sum" != "$new" ] || is=new
	case " $want " in
	*" ${is:-none} "*) ;;
	*)
		echo "${f##*/} is not the ${want// / or } version (${sum:-missing})"
		return
		;;
	esac
	"${FAULT_P}_valid" "$f" || echo "${f##*/} is not valid"
	[ ! -e "$f.pfagent-prev" ] || prev=$(sum_of "$f.pfagent-prev")
	if [ "$is" = old ] && [ -n "$prev" ] && [ "$prev" != "$stale" ]; then
		echo "${f##*/}.pfagent-prev is left$([ "$prev" != "$old" ] ||
		    echo " holding the live version") although ${f##*/} was not replaced"
	elif [ "$is" = new ] && [ -n "$prev" ] && [ "$prev" != "$old" ]; then
		echo "${f##*/}.pfagent-prev is not the previous version"
	fi
}

# fault_leftovers [EXCEPT]: temporary or set-aside files left in the
# scenario's directories (but EXCEPT).
fault_leftovers() {
	local d
	for d in $("${FAULT_P}_dirs") "$PFA_STATE"; do
		find "$d" -maxdepth 1 \( -name '.*.pfagent.*' -o \
		    -name '.*.pfagent-build.*' -o -name '__db.*' -o \
		    -name 'state.json.corrupt-*' \) -printf '%p\n'
	done | grep -vxF -- "${1:-//}" | sed 's/^/left behind: /'
}

fault_postfix_ok() {
	postfix -c "$PFSB_ETC" status >/dev/null 2>&1 ||
		echo "postfix status fails"
	[ "$(master_alive)" = yes ] || echo "the master process is gone"
	sandbox_banner | grep -q '^220 ' || echo "no 220 banner from smtpd"
}

# Files in the "changed" lists of the last --json run.
fault_changed() {
	jq -r '[.tasks[].changed[]?.file] | join(" ")' "$PFA_OUT" 2>/dev/null ||
		echo "(no JSON document)"
}

# The findings of the last --json run, shortened.
fault_findings() {
	jq -r '.tasks[].findings[]? | .id + " " + .message' "$PFA_OUT" \
	    2>/dev/null | cut -c1-200 | head -5 | tr '\n' ';'
}

# fault_one KIND N COUNTLOG: one faulted run and what follows; problems
# on stdout.
fault_one() {
	local kind=$1 n=$2 countlog=$3 fired want got reloads changed except=
	"${FAULT_P}_reset"
	reloads=$(reload_count)
	fault_pfagent "$PFA_WORK/fault.log" FAILNTH_CALL="$kind" \
	    FAILNTH_N="$n" -- run "$FAULT_TASK"
	fired=$(sed -n 's/^fired //p' "$PFA_WORK/fault.log")
	want=$(awk -v k="$kind" -v n="$n" '$1 == "call" && $2 == k &&
	    $3 == n { print $5 }' "$countlog" | fault_norm)
	got=$(printf '%s\n' "$fired" | awk '{ print $4 }' | fault_norm)
	if [ -z "$fired" ]; then
		echo "the fault did not fire"
	elif [ "$got" != "$want" ]; then
		echo "the fault hit '$got', the counting run's call was '$want'"
	fi
	# a file whose unlink failed is still there; the next run must clean up
	[ "$kind" != unlink ] || except=$(printf '%s\n' "$fired" | awk '{ print $4 }')
	case $FAULT_RC in
	[0-3]) ;;
	*) echo "the faulted run exited $FAULT_RC: $(tail -3 "$FAULT_ERR")" ;;
	esac
	grep -E 'Sanitizer|runtime error:' "$FAULT_ERR" | head -5 |
	    sed 's/^/sanitizer: /'
	[ "$(grep -c '^counts ' "$PFA_WORK/fault.log")" -le 1 ] ||
		echo "a program pfagent ran was counted too (LD_PRELOAD leaked)"
	{
		"${FAULT_P}_check_any"
		fault_leftovers "$except"
		fault_postfix_ok
	} | sed 's/^/after the fault: /'

	pfa_run --json run "$FAULT_TASK"
	[ "$PFA_RC" = 0 ] ||
		echo "the next run exited $PFA_RC: $(fault_findings)"
	{
		"${FAULT_P}_check_new"
		fault_leftovers
		fault_postfix_ok
	} | sed 's/^/after the next run: /'
	if [ "$FAULT_NEED_RELOAD" = yes ] &&
	    [ "$(reload_count)" = "$reloads" ]; then
		echo "Postfix was not reloaded after the change (by either run)"
	fi
	changed=$(fault_changed)
	[ -n "$changed" ] || return 0
	pfa_run --json run "$FAULT_TASK"
	[ "$PFA_RC" = 0 ] ||
		echo "the run after that exited $PFA_RC: $(fault_findings)"
	changed=$(fault_changed)
	[ -z "$changed" ] || echo "the run after that changed $changed"
}

# Count of KIND in a "counts ..." line.
fault_count_of() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# fault_worker DIR I: instance I takes the faulted runs no other instance
# of the scenario has claimed yet (a claim is a mkdir); results in
# DIR/res/KIND.N (problems) and DIR/res/KIND.N.target.
fault_worker() {
	local dir=$1 i=$2 inst=$1/inst$2 kind n total counts runs=0 start
	start=$(date +%s)
	# shellcheck disable=SC1091 # written by fault_scenario
	. "$inst/vars"
	"${FAULT_P}_reset"
	fault_pfagent "$inst/count.log" FAILNTH_TRACE=1 -- run "$FAULT_TASK"
	echo "$FAULT_RC" >"$inst/count.rc"
	counts=$(sed -n 's/^counts //p' "$inst/count.log")
	printf '%s\n' "$counts" >"$inst/counts"
	grep -c '^counts ' "$inst/count.log" >"$inst/count.lines"
	for kind in $FAULT_KINDS; do
		total=$(fault_count_of "$kind" "$counts")
		for n in $(seq 1 "${total:-0}"); do
			mkdir "$dir/claim/$kind.$n" 2>/dev/null || continue
			awk -v k="$kind" -v n="$n" '$1 == "call" && $2 == k &&
			    $3 == n { print $5 }' "$inst/count.log" |
			    fault_norm >"$dir/res/$kind.$n.target"
			fault_one "$kind" "$n" "$inst/count.log" >"$dir/res/$kind.$n.tmp" 2>&1
			mv "$dir/res/$kind.$n.tmp" "$dir/res/$kind.$n"
			runs=$((runs + 1))
		done
	done
	echo "$runs faulted runs in $(($(date +%s) - start)) s" >"$inst/time"
	"${FAULT_P}_reset"
	pfa_run run "$FAULT_TASK"
	{
		[ "$PFA_RC" = 0 ] || echo "a last clean run exited $PFA_RC"
		"${FAULT_P}_check_new"
		fault_postfix_ok
	} >"$inst/final"
}

# fault_scenario TASK P JOBS: JOBS instances of scenario P for TASK.
fault_scenario() {
	local task=$1 p=$2 jobs=$3 dir=$FAULT_BASE/$2 i
	mkdir -p "$dir/res" "$dir/claim"
	echo "$task $jobs" >"$dir/info"
	FAULT_SCENARIOS="$FAULT_SCENARIOS $p"
	for i in $(seq 1 "$jobs"); do
		mkdir -p "$dir/inst$i"
		FAULT_TASK=$task
		FAULT_P=$p
		FAULT_ROOTS=
		FAULT_SKIP=
		FAULT_NEED_RELOAD=no
		FAULT_SAVE=
		"${p}_setup" "$task ($i)"
		# shellcheck disable=SC2086 # lists of names
		declare -p $FAULT_STD_VARS $FAULT_SAVE >"$dir/inst$i/vars"
	done
}

# fault_run_all: every scenario's workers at once, then the TAP lines.
fault_run_all() {
	local p dir task jobs i kind n total counts target start inst pids=()
	start=$(date +%s)
	for p in $FAULT_SCENARIOS; do
		dir=$FAULT_BASE/$p
		read -r task jobs <"$dir/info"
		for i in $(seq 1 "$jobs"); do
			fault_worker "$dir" "$i" >"$dir/inst$i/worker.log" 2>&1 &
			pids+=($!)
		done
	done
	wait "${pids[@]}"
	tap_diag "all faulted runs took $(($(date +%s) - start)) s"
	for p in $FAULT_SCENARIOS; do
		dir=$FAULT_BASE/$p
		read -r task jobs <"$dir/info"
		counts=$(cat "$dir/inst1/counts" 2>/dev/null)
		for i in $(seq 1 "$jobs"); do
			inst=$dir/inst$i
			tap_is "$(cat "$inst/count.rc" 2>/dev/null || echo missing)" 0 "$task ($i): the counting run (no fault) exits 0"
			tap_is "$(cat "$inst/count.lines" 2>/dev/null)" 1 \
			    "$task ($i): only pfagent's own process is counted (no LD_PRELOAD in what it runs)"
			[ "$i" = 1 ] ||
				tap_is "$(cat "$inst/counts" 2>/dev/null)" "$counts" \
				    "$task ($i): the same calls counted as in instance 1"
		done
		tap_like "$counts" '^open=[1-9]' "$task: calls counted: ${counts% fired=*}"
		total=0
		for kind in $FAULT_KINDS; do
			n=$(fault_count_of "$kind" "$counts")
			tap_ok "$task: the counting run made $kind calls" test "${n:-0}" -gt 0
			for n in $(seq 1 "${n:-0}"); do
				total=$((total + 1))
				target=$(cat "$dir/res/$kind.$n.target" 2>/dev/null)
				if [ -f "$dir/res/$kind.$n" ]; then
					tap_is "$(cat "$dir/res/$kind.$n")" "" \
					    "$task: $kind #$n failed (${target:-no target}): old or new, nothing left, Postfix up, next run converges"
				else
					tap_is "not run" "" "$task: $kind #$n"
				fi
			done
		done
		tap_diag "$task: $total faulted runs on $jobs instance(s)"
		for i in $(seq 1 "$jobs"); do
			tap_diag "$task ($i): $(cat "$dir/inst$i/time" 2>/dev/null)"
		done
		for i in $(seq 1 "$jobs"); do
			tap_is "$(cat "$dir/inst$i/final" 2>/dev/null ||
			    echo "the worker did not finish")" "" \
			    "$task ($i): at the end a clean run converges and Postfix is up"
		done
	done
}
