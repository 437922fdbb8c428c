#!/bin/bash
# 32-maps-kill.sh - SIGKILL during rebuilds: pfagent is killed at a random
# instant while it rebuilds a 200,000-line table (40 trials for hash, 10
# each for lmdb and cdb).  After every kill, and all along from a reader
# running postmap -q in a loop, the live database answers, and answers
# with either the old or the new version, never a mix and never an error.
# A clean run afterwards builds the current source, leaves no build or
# temporary file, and a second clean run changes nothing.  postmap never
# outlives a killed pfagent (it dies with it).  Then SIGTERM at random
# instants: pfagent ends the rebuild cleanly (exit 3, saying so, or 0 when
# it had finished), with no postmap left running and no build or
# temporary file left behind.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

pfa_require_pfagent
sandbox_up
M=$(pfa_tmpdir)
N=200000
KEYS=$'key1.example.test\nkey99999.example.test\nkey200000.example.test'

# gen FILE VERSION: the table, every value tagged with VERSION.
gen() {
	awk -v n="$N" -v v="$2" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "key%d.example.test value-%d-%s\n", i, i, v
	}' >"$1.new"
	mv "$1.new" "$1"
}

# The versions the sample keys answer with, e.g. "A A A"; anything else
# (an error, a miss, a mix) shows as itself.
answers() {
	local out
	if ! out=$(postmap -c "$PFSB_ETC" -q - "$1" <<<"$KEYS" 2>&1); then
		echo "postmap failed: $out"
		return
	fi
	printf '%s\n' "$out" | sed -n 's/^key[0-9]*\.example\.test\tvalue-[0-9]*-\([AB]\)$/\1/p' |
	    tr '\n' ' ' | sed 's/ $//'
	[ "$(printf '%s\n' "$out" | wc -l)" = 3 ] || echo " (unexpected: $out)"
}

# Waits (at most 30 s) for the given pids to be gone or zombies: a killed
# pfagent leaves its postmap running on the build copy.
wait_gone() {
	local p i
	for p in "$@"; do
		for i in $(seq 1 600); do
			if [ ! -r "/proc/$p/stat" ] || grep -q ') Z ' "/proc/$p/stat" 2>/dev/null; then
				break
			fi
			sleep 0.05
		done
		: "$i"
	done
}

# trials TYPE COUNT
trials() {
	local type=$1 count=$2 t v pid kids delay got want_old bad=0 newer=0 older=0 outlived=0
	local table=$type:$M/big-$type
	gen "$M/big-$type" A
	pfa_maps_conf "discover = false; tables = [ \"$table\" ];"
	pfa_run run rebuild-maps
	tap_is "$PFA_RC" 0 "$type: the first build succeeds"
	tap_is "$(answers "$table")" "A A A" "$type: it answers with version A"

	# a reader that queries the live database all the time
	: >"$M/reader.fail"
	(
		while :; do
			r=$(answers "$table")
			case $r in
			"A A A" | "B B B") ;;
			*) printf '%s\n' "$r" >>"$M/reader.fail" ;;
			esac
		done
	) &
	local reader=$!

	v=A
	for t in $(seq 1 "$count"); do
		want_old=$v
		if [ "$v" = A ]; then v=B; else v=A; fi
		gen "$M/big-$type" "$v"
		"$PFAGENT" -c "$PFA_CONF" run rebuild-maps >/dev/null 2>&1 </dev/null &
		pid=$!
		delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.05 + (r % 200) / 100 }')
		sleep "$delay"
		kids=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' || true)
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		sleep 0.5
		for k in $kids; do
			if [ -r "/proc/$k/stat" ] && ! grep -q ') Z ' "/proc/$k/stat" 2>/dev/null; then
				outlived=$((outlived + 1))
			fi
		done
		# shellcheck disable=SC2086 # one pid per word
		wait_gone $kids
		got=$(answers "$table")
		case $got in
		"$v $v $v") newer=$((newer + 1)) ;;
		"$want_old $want_old $want_old") older=$((older + 1)) ;;
		*)
			bad=$((bad + 1))
			tap_diag "$type trial $t (killed after ${delay}s): $got"
			;;
		esac
		# the next trial's "old" is what is live now
		[ "$got" != "$v $v $v" ] || continue
		v=$want_old
	done
	kill "$reader" 2>/dev/null || true
	wait "$reader" 2>/dev/null || true
	tap_diag "$type: $count kills, the live database had the new version after $newer and the old one after $older"
	tap_is "$bad" 0 "$type: after each of $count kills postmap -q answers, with the old or the new version"
	tap_is "$outlived" 0 "$type: postmap never outlived a killed pfagent (half a second after)"
	tap_is "$(wc -l <"$M/reader.fail")" 0 "$type: a reader querying all along never saw an error or a mix"
	[ -s "$M/reader.fail" ] && tap_diag "$(head -5 "$M/reader.fail")"

	gen "$M/big-$type" C
	pfa_run --json run rebuild-maps
	tap_is "$PFA_RC" 0 "$type: a clean run afterwards exits 0"
	tap_is "$(postmap -c "$PFSB_ETC" -q key5.example.test "$table")" "value-5-C" "$type: and builds the current source"
	tap_is "$(ls -A "$M" | grep -cE '\.pfagent(-build)?\.' || true)" 0 "$type: no build or temporary file is left"
	local db before
	db=$(maps_jq '.changed[0].file')
	before=$(file_id "$db")
	pfa_run --json run rebuild-maps
	tap_is "$(maps_jq '.changed | length')" 0 "$type: a second clean run changes nothing"
	tap_is "$(file_id "$db")" "$before" "$type: the database keeps its inode and mtime"
}

# term_trials COUNT: SIGTERM at a random instant of a hash rebuild.
term_trials() {
	local count=$1 t v=A pid delay rc kids left bad=0 stopped=0 finished=0
	local table=hash:$M/big-term
	gen "$M/big-term" A
	pfa_maps_conf "discover = false; tables = [ \"$table\" ];"
	pfa_run run rebuild-maps
	for t in $(seq 1 "$count"); do
		if [ "$v" = A ]; then v=B; else v=A; fi
		gen "$M/big-term" "$v"
		"$PFAGENT" -c "$PFA_CONF" run rebuild-maps >"$M/term.out" 2>"$M/term.err" </dev/null &
		pid=$!
		delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.05 + (r % 150) / 100 }')
		sleep "$delay"
		kids=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ' || true)
		kill -TERM "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		left=
		for k in $kids; do
			if [ -r "/proc/$k/stat" ] && ! grep -q ') Z ' "/proc/$k/stat" 2>/dev/null; then
				left="$left $k"
			fi
		done
		case $rc in
		3) grep -q 'stopped by SIGTERM' "$M/term.err" && stopped=$((stopped + 1)) ||
			{ bad=$((bad + 1)); tap_diag "trial $t: exit 3 without saying why: $(cat "$M/term.err")"; } ;;
		0) finished=$((finished + 1)) ;;
		*) bad=$((bad + 1)); tap_diag "trial $t (TERM after ${delay}s): exit $rc: $(head -3 "$M/term.err")" ;;
		esac
		[ -z "$left" ] || { bad=$((bad + 1)); tap_diag "trial $t: postmap left running:$left"; kill -9 $left 2>/dev/null; }
		if ls -A "$M" | grep -qE '\.pfagent(-build)?\.'; then
			bad=$((bad + 1))
			tap_diag "trial $t: left behind: $(ls -A "$M" | grep -E '\.pfagent(-build)?\.' | tr '\n' ' ')"
		fi
		case $(answers "$table") in
		"A A A" | "B B B") ;;
		*) bad=$((bad + 1)); tap_diag "trial $t: the live table answers $(answers "$table")" ;;
		esac
	done
	tap_diag "SIGTERM: $stopped runs stopped, $finished had finished"
	tap_is "$bad" 0 "SIGTERM during $count rebuilds: exit 3 saying so (or 0 when done), nothing left running or behind, the live table whole"
	tap_ok "at least one SIGTERM came while the rebuild ran" test "$stopped" -gt 0
	gen "$M/big-term" C
	pfa_run run rebuild-maps
	tap_is "$PFA_RC" 0 "after the SIGTERMs a clean run exits 0"
	tap_is "$(postmap -c "$PFSB_ETC" -q key5.example.test "$table")" "value-5-C" "and builds the current source"
}

pfa_setup_maps ""
term_trials 10
trials hash 40
trials lmdb 10
trials cdb 10
tap_like "$(sandbox_banner)" '^220 ' "Postfix still answers"

tap_done
