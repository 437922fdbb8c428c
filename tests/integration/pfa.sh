# pfa.sh - pfagent helpers for the integration tests (sourced after lib.sh).
#
# pfa_conf writes a pfagent configuration for the current sandbox that
# enables exactly the tasks a scenario names, each with its settings, and
# disables every other task pfagent has (asked from the binary), so that a
# task added later never runs inside an old scenario by accident:
#   pfa_conf [-d CONFIG_DIR] [-p POSTFIX_EXTRA] [-t TOP_EXTRA] TASK[=SETTINGS]...
# e.g.  pfa_conf rotate-dh="bits = 1024; allow_weak = true;"
# It writes $PFA_CONF (mode 0600) in $PFA_WORK, making $PFA_WORK and
# $PFA_STATE (mode 0700) first when pfa_work has not been called.
# pfa_setup [DH_SETTINGS [POSTFIX_EXTRA [TOP_EXTRA]]] is a fresh work
# directory with rotate-dh alone.

# Every task the pfagent binary has, one per line, in run order.
pfa_all_tasks() {
	"$PFAGENT" --help | sed -n 's/^Tasks: *//p' | tr ' ' '\n' | grep -v '^$'
}

# A fresh work directory: $PFA_WORK, $PFA_STATE.
pfa_work() {
	PFA_WORK=$(pfa_tmpdir)
	PFA_CONF=$PFA_WORK/pfagent.conf
	PFA_STATE=$PFA_WORK/state
	mkdir -m 0700 "$PFA_STATE"
	export PFA_WORK PFA_CONF PFA_STATE
}

pfa_conf() {
	local pf_extra= top_extra= arg t name settings sections= all dir=$PFSB_ETC
	while [ $# -gt 0 ]; do
		case $1 in
		-d) dir=$2; shift 2 ;;
		-p) pf_extra=$2; shift 2 ;;
		-t) top_extra=$2; shift 2 ;;
		*) break ;;
		esac
	done
	[ -n "${PFA_WORK:-}" ] && [ -d "$PFA_WORK" ] || pfa_work
	all=$(pfa_all_tasks)
	[ -n "$all" ] || tap_bail "pfa_conf: $PFAGENT --help lists no tasks"
	for arg in "$@"; do
		name=${arg%%=*}
		printf '%s\n' "$all" | grep -qx -- "$name" ||
			tap_bail "pfa_conf: pfagent has no task \"$name\""
	done
	for t in $all; do
		settings="enabled = false;"
		for arg in "$@"; do
			name=${arg%%=*}
			[ "$name" = "$t" ] || continue
			settings=
			[ "$name" = "$arg" ] || settings=${arg#*=}
		done
		sections="$sections  $t = { $settings };
"
	done
	cat >"$PFA_CONF" <<CONF
postfix = { config_directory = "$dir"; health_wait = "1s"; $pf_extra };
state_directory = "$PFA_STATE";
tasks = {
$sections};
$top_extra
CONF
	chmod 0600 "$PFA_CONF"
}

pfa_setup() {
	pfa_work
	pfa_conf -p "${2:-}" -t "${3:-}" rotate-dh="${1:-}"
}

# Runs pfagent with the test configuration; output in $PFA_OUT/$PFA_ERR,
# exit status in $PFA_RC.
pfa_run() {
	PFA_OUT=$PFA_WORK/out
	PFA_ERR=$PFA_WORK/err
	"$PFAGENT" -c "$PFA_CONF" "$@" >"$PFA_OUT" 2>"$PFA_ERR" </dev/null
	PFA_RC=$?
	export PFA_OUT PFA_ERR PFA_RC
	return 0
}

# Number of reloads the sandbox's Postfix has logged so far.
reload_count() {
	grep -c 'reload -- version' "$PFSB_LOG" || true
}

# sha256 of a file.
sum_of() {
	sha256sum "$1" | cut -d' ' -f1
}

# openssl's own verdict on a DH parameter file.
dh_valid() {
	openssl dhparam -in "$1" -check -noout >/dev/null 2>&1 &&
	    openssl pkeyparam -in "$1" -check -noout >/dev/null 2>&1
}

dh_bits() {
	openssl pkeyparam -in "$1" -noout -text 2>/dev/null |
	    sed -n 's/.*DH Parameters: (\([0-9]*\) bit).*/\1/p' | head -1
}

# jq query on the last JSON output.
jq_out() {
	jq -r "$1" "$PFA_OUT"
}

# The sandbox's SMTP banner (the 220 line), or nothing.
sandbox_banner() {
	bash "$PFA_SRCDIR/tests/sandbox/sandbox.sh" banner "$PFSB_DIR" 2>/dev/null
}

# yes if the sandbox's master process is alive (works even when main.cf
# no longer parses, unlike `postfix status`), else no.
master_alive() {
	local pid
	pid=$(tr -d ' \n' <"$PFSB_SPOOL/pid/master.pid" 2>/dev/null)
	if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] &&
	    ! grep -q ') Z ' "/proc/$pid/stat"; then
		echo yes
	else
		echo no
	fi
}

# ------------------------------------------------------------ rebuild-maps

# pfa_setup_maps SECTION [POSTFIX_EXTRA]: a fresh work directory with
# rebuild-maps alone, SECTION as the body of tasks.rebuild-maps.
# pfa_maps_conf rewrites only $PFA_CONF, keeping the state, for a
# configuration change in the middle of a test.
pfa_setup_maps() {
	pfa_work
	pfa_maps_conf "$@"
}

pfa_maps_conf() {
	pfa_conf -p "${2:-}" rebuild-maps="${1:-}"
}

# jq FILTER applied to the rebuild-maps task of the last --json output.
maps_jq() {
	jq -r ".tasks[] | select(.name == \"rebuild-maps\") | $1" "$PFA_OUT"
}

# Number of findings with id $1 in the last --json output of rebuild-maps.
maps_count() {
	maps_jq "[.findings[] | select(.id == \"$1\")] | length"
}

# Inode and mtime (ns) of a file: equal before and after means that
# nothing rewrote or replaced it.
file_id() {
	stat -c '%i %.9Y' "$1"
}

# postmap -q KEY TABLE against the sandbox; prints the value.
pf_query() {
	postmap -c "$PFSB_ETC" -q "$1" "$2"
}

# One SMTP transaction with the sandbox from 127.0.0.1; prints the
# server's replies; exit 0 only if the message was accepted (250).
sandbox_send() {
	bash "$PFA_SRCDIR/tests/sandbox/sandbox.sh" send "$PFSB_DIR" "$1" "$2"
}

# After an indexed table changed: Postfix needs no reload, but an idle smtpd
# that opened the old table notices the change only before accepting its
# NEXT connection (smtpd's pre-accept check), so it serves one more session
# with the old table.  One banner-only session lets such a process go.
settle_smtpd() {
	sandbox_banner >/dev/null
	sleep 0.3
}
