#!/bin/bash
# 10-untrusted.sh - nothing that another user can write decides what
# pfagent runs as root: an @include'd file (at any depth), the directories
# above it, command_directory, config_directory; a FIFO at the
# configuration path never hangs pfagent; a number too large for libconfig
# is refused as written, not as the wrapped value.  The planted postconf
# must never run.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up
pfa_work

# What an attacker plants: a postconf that leaves a mark when it runs.
EVIL=$(pfa_tmpdir)
MARK=$EVIL/ran-as-root
cat >"$EVIL/postconf" <<EOF
#!/bin/sh
id -u >"$MARK"
exit 0
EOF
chmod 755 "$EVIL/postconf"
chown -R nobody "$EVIL"

# The configuration takes its postfix group from local.conf (by its full
# name first; relative names are case 5).
LOCAL=$PFA_WORK/local.conf
pfa_conf validate-config
include_local() {	# how the configuration names local.conf
	grep -v -e '^postfix = ' -e '^@include' "$PFA_CONF" >"$PFA_CONF.tmp"
	printf '@include "%s"\n' "$1" >>"$PFA_CONF.tmp"
	mv "$PFA_CONF.tmp" "$PFA_CONF"
	chmod 600 "$PFA_CONF"
}
include_local "$LOCAL"
printf 'postfix = { config_directory = "%s"; health_wait = "1s"; };\n' "$PFSB_ETC" >"$LOCAL"
chmod 600 "$LOCAL"
pfa_run check-config
tap_is "$PFA_RC" 0 "a root-owned include is accepted"

# 1. The include belongs to nobody, who points command_directory at EVIL.
cat >"$LOCAL" <<EOF
postfix = { config_directory = "$PFSB_ETC"; health_wait = "1s";
  command_directory = "$EVIL"; };
EOF
chown nobody "$LOCAL"
chmod 644 "$LOCAL"
pfa_run check-config
tap_is "$PFA_RC" 3 "check-config refuses an include another user owns (exit 3)"
tap_like "$(cat "$PFA_ERR")" "$PFA_CONF:[0-9]+: refusing included file $LOCAL: it is not owned by root" "the refusal names the file and the @include's line"
tap_like "$(cat "$PFA_ERR")" "fix with: chown root:root $LOCAL && chmod go-w $LOCAL" "and the command that fixes it"
pfa_run run validate-config
tap_is "$PFA_RC" 3 "run refuses it too"
tap_ok "the planted postconf never ran" test ! -e "$MARK"
tap_is "$(ls -A "$PFA_STATE")" "" "and nothing was written to the state directory"

# 2. Root's include, two deep, in a directory anyone can write.
OPEN=$PFA_WORK/open
mkdir "$OPEN"
chmod 777 "$OPEN"
chown root "$LOCAL"
chmod 600 "$LOCAL"
printf '@include "open/deeper.conf"\n' >"$LOCAL"
cat >"$OPEN/deeper.conf" <<EOF
postfix = { config_directory = "$PFSB_ETC"; health_wait = "1s";
  command_directory = "$EVIL"; };
EOF
chmod 600 "$OPEN/deeper.conf"
pfa_run check-config
tap_is "$PFA_RC" 3 "an include two deep in a world-writable directory is refused"
tap_like "$(cat "$PFA_ERR")" "$LOCAL:1: refusing included file $OPEN/deeper.conf: $OPEN is writable by group or other" "the refusal names the directory at fault"
tap_ok "the planted postconf never ran" test ! -e "$MARK"

# 3. command_directory itself: root's file, but the directory is nobody's.
chmod 755 "$OPEN"
pfa_run check-config
tap_is "$PFA_RC" 3 "a command_directory another user owns is refused"
tap_like "$(cat "$PFA_ERR")" "postfix.command_directory: refusing command_directory $EVIL: it is not owned by root" "as an error of that setting"
pfa_run run validate-config
tap_ok "the planted postconf never ran" test ! -e "$MARK"

# 4. config_directory that others may write.
SHAKY=$(pfa_tmpdir)
cp -a "$PFSB_ETC/." "$SHAKY/"
chmod 777 "$SHAKY"
cat >"$OPEN/deeper.conf" <<EOF
postfix = { config_directory = "$SHAKY"; health_wait = "1s"; };
EOF
pfa_run check-config
tap_is "$PFA_RC" 3 "a world-writable config_directory is refused"
tap_like "$(cat "$PFA_ERR")" "postfix.config_directory: refusing config_directory $SHAKY: it is writable by group or other \(mode 0777\)" "naming it and its mode"

# 5. Fixed: relative includes are found from the file's directory, not
#    from the working directory (cron's is anything).
include_local local.conf
cat >"$OPEN/deeper.conf" <<EOF
postfix = { config_directory = "$PFSB_ETC"; health_wait = "1s"; };
EOF
out=$(cd / && "$PFAGENT" -c "$PFA_CONF" check-config 2>&1); rc=$?
tap_is "$rc" 0 "once fixed, the same includes load from any working directory"
pfa_run run validate-config
tap_ok "validate-config runs with them (exit 0 or 1)" test "$PFA_RC" -le 1
tap_ok "and still no planted postconf ran" test ! -e "$MARK"

# 6. A FIFO at the configuration path or at an include never hangs.
FIFO=$PFA_WORK/fifo.conf
mkfifo -m 600 "$FIFO"
timeout 20 "$PFAGENT" -c "$FIFO" check-config >/dev/null 2>"$PFA_WORK/fifo.err"; rc=$?
tap_is "$rc" 3 "a FIFO given as the configuration is refused at once (exit 3, no hang)"
tap_like "$(cat "$PFA_WORK/fifo.err")" "$FIFO.*not a regular file" "saying it is not a regular file"
rm "$OPEN/deeper.conf"
mkfifo -m 600 "$OPEN/deeper.conf"
timeout 20 "$PFAGENT" -c "$PFA_CONF" run validate-config >/dev/null 2>"$PFA_WORK/fifo.err"; rc=$?
tap_is "$rc" 3 "a FIFO as an included file: exit 3, no hang"
timeout 20 "$PFAGENT" -c "$PFA_CONF" run validate-config >/dev/null 2>&1; rc=$?
tap_is "$rc" 3 "and the next run is not stuck behind a lock"

# 7. Numbers libconfig would wrap.
pfa_conf rotate-dh="bits = 4294969344;"
pfa_run check-config
tap_is "$PFA_RC" 3 "bits = 4294969344 is refused (libconfig reads 2048)"
tap_like "$(cat "$PFA_ERR")" "tasks.rotate-dh.bits: 4294969344 is out of range" "the error shows the number as written"
pfa_conf rebuild-maps="max_shrink = -4294967246;"
pfa_run check-config
tap_is "$PFA_RC" 3 "max_shrink = -4294967246 is refused (libconfig reads 50)"

tap_done
