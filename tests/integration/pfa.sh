# pfa.sh - pfagent helpers for the integration tests (sourced after lib.sh).
#
# pfa_setup writes a pfagent configuration for the current sandbox into a
# fresh directory: $PFA_CONF (mode 0600) and $PFA_STATE (mode 0700).
# Extra rotate-dh settings come as the first argument, extra settings of
# the postfix group as the second, extra top-level settings as the third.

pfa_setup() {
	local task_extra=${1:-} pf_extra=${2:-} top_extra=${3:-}
	PFA_WORK=$(pfa_tmpdir)
	PFA_CONF=$PFA_WORK/pfagent.conf
	PFA_STATE=$PFA_WORK/state
	mkdir -m 0700 "$PFA_STATE"
	cat >"$PFA_CONF" <<CONF
postfix = { config_directory = "$PFSB_ETC"; health_wait = "1s"; $pf_extra };
state_directory = "$PFA_STATE";
tasks = { rotate-dh = { $task_extra }; validate-config = { enabled = false; }; };
$top_extra
CONF
	chmod 0600 "$PFA_CONF"
	export PFA_WORK PFA_CONF PFA_STATE
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

# pfa_setup_maps SECTION [POSTFIX_EXTRA]: a fresh work directory like
# pfa_setup, with rotate-dh disabled and SECTION as the body of
# tasks.rebuild-maps.  pfa_maps_conf rewrites only $PFA_CONF, keeping the
# state, for a configuration change in the middle of a test.
pfa_setup_maps() {
	PFA_WORK=$(pfa_tmpdir)
	PFA_CONF=$PFA_WORK/pfagent.conf
	PFA_STATE=$PFA_WORK/state
	mkdir -m 0700 "$PFA_STATE"
	export PFA_WORK PFA_CONF PFA_STATE
	pfa_maps_conf "$@"
}

pfa_maps_conf() {
	local section=${1:-} pf_extra=${2:-}
	cat >"$PFA_CONF" <<CONF
postfix = { config_directory = "$PFSB_ETC"; health_wait = "1s"; $pf_extra };
state_directory = "$PFA_STATE";
tasks = {
  rotate-dh = { enabled = false; };
  validate-config = { enabled = false; };
  rebuild-maps = { $section };
};
CONF
	chmod 0600 "$PFA_CONF"
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
