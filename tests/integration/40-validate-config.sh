#!/bin/bash
# 40-validate-config.sh - validate-config against a real sandbox Postfix:
# each weakness written into main.cf or master.cf is reported with its id
# and severity, a hardened configuration gives no warning, the loadability
# checks block the reload gate, drift is reported, and bad input (garbage,
# unreadable or missing configuration) is a clear UNKNOWN, never a crash.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"

sandbox_up

# vc_setup ROLES [EXTRA]: a configuration with validate-config enabled.
vc_setup() {
	pfa_work
	pfa_conf rotate-dh="bits = 1024; allow_weak = true;" \
	    validate-config="roles = [ $1 ]; ${2:-}"
}

# vc_jq FILTER: on the validate-config task of the last --json output.
vc_jq() {
	jq -r ".tasks[] | select(.name == \"validate-config\") | $1" "$PFA_OUT"
}

# sev_of ID [SUBJECT-REGEX]: severity of the first finding ID (or "none").
sev_of() {
	local s
	s=$(vc_jq "[.findings[] | select(.id == \"$1\") | select(.subject | test(\"${2:-.}\"))][0].severity // \"none\"")
	echo "${s:-none}"
}

# bad_ones: warning and critical findings of the last run, one per line.
bad_ones() {
	vc_jq '.findings[] | select(.severity == "warning" or .severity == "critical") | "\(.id) \(.subject): \(.message)"'
}

MAIN=$PFSB_ETC/main.cf
MASTER=$PFSB_ETC/master.cf
cp "$MAIN" "$PFA_TEST_ROOT/main.cf.orig"
cp "$MASTER" "$PFA_TEST_ROOT/master.cf.orig"
restore_cf() {
	cp "$PFA_TEST_ROOT/main.cf.orig" "$MAIN"
	cp "$PFA_TEST_ROOT/master.cf.orig" "$MASTER"
}
pc() { postconf -c "$PFSB_ETC" "$@"; }

# Settings that silence every warning of the audit on the sandbox.
harden() {
	pc -e 'disable_vrfy_command = yes' 'smtpd_helo_required = yes' \
		'smtpd_forbid_bare_newline = normalize' \
		'smtpd_forbid_bare_newline_exclusions = $mynetworks' \
		'smtpd_tls_protocols = >=TLSv1.2' \
		'smtpd_tls_mandatory_protocols = >=TLSv1.2' \
		'smtp_tls_security_level = may' 'smtpd_banner = $myhostname ESMTP'
}

# ------------------------------------------------------------ hardened
vc_setup '"mx"'
harden
pfa_run --json run validate-config
tap_is "$PFA_RC" 0 "a hardened configuration (as an MX) exits 0"
tap_is "$(bad_ones)" "" "and has no warning or critical finding"
tap_like "$(vc_jq .summary)" '^Postfix 3\.[0-9]+\.[0-9]+ as mx \(configured\): 0 critical, 0 warnings' "the summary names version, role and counts"
tap_is "$(sev_of PFA-DRIFT-001 main.cf)" info "the first run records the drift baseline"
tap_ok "main.cf's copy is kept for diff" cmp "$MAIN" "$PFA_STATE/config/main.cf.1"

# ------------------------------------------------------------ weaknesses
# weak ID SEVERITY SUBJECT-REGEX SETTING...: on top of the hardened
# configuration, each SETTING (postconf -e) makes the audit report ID.
weak() {
	local id=$1 sev=$2 subj=$3
	shift 3
	restore_cf
	harden
	pc -e "$@"
	pfa_run --json run validate-config
	tap_is "$(sev_of "$id" "$subj")" "$sev" "$id ($sev) for: $*"
}
weak PFA-SMTPD-001 warning disable_vrfy_command 'disable_vrfy_command = no'
weak PFA-SMTPD-002 warning smtpd_helo_required 'smtpd_helo_required = no'
weak PFA-SMTPD-005 warning smtpd_forbid_bare_newline 'smtpd_forbid_bare_newline = no'
weak PFA-SMTPD-006 warning message_size_limit 'message_size_limit = 0'
weak PFA-SMTPD-007 warning allow_mail_to_commands 'allow_mail_to_commands = alias, forward, include'
weak PFA-RELAY-001 critical smtpd_relay_restrictions 'smtpd_relay_restrictions = permit_mynetworks, permit, reject_unauth_destination'
weak PFA-RELAY-002 critical mynetworks 'mynetworks = 127.0.0.0/8 0.0.0.0/0'
weak PFA-RELAY-003 warning mynetworks 'mynetworks = 127.0.0.0/8 8.0.0.0/8'
# the seeds' outdated TLS advice
weak PFA-TLS-001 critical smtpd_tls_mandatory_protocols 'smtpd_tls_mandatory_protocols = SSLv3, TLSv1'
weak PFA-TLS-001 critical '^smtpd_tls_protocols$' 'smtpd_tls_protocols = !SSLv2'
weak PFA-TLS-002 warning '^smtpd_tls_protocols$' 'smtpd_tls_protocols = !SSLv2, !SSLv3'
weak PFA-TLS-004 critical smtpd_tls_mandatory_ciphers 'smtpd_tls_mandatory_ciphers = null'
weak PFA-TLS-006 warning smtpd_tls_security_level 'smtpd_tls_security_level = none'
weak PFA-TLS-007 warning smtpd_tls_security_level 'smtpd_tls_security_level = encrypt'
weak PFA-TLS-008 warning smtp_tls_security_level 'smtp_tls_security_level = none'
weak PFA-TLS-009 warning smtpd_tls_auth_only 'smtpd_sasl_auth_enable = yes'
weak PFA-OBS-001 warning smtpd_use_tls 'smtpd_use_tls = yes'
weak PFA-OBS-002 warning smtpd_tls_dh512_param_file "smtpd_tls_dh512_param_file = $PFSB_TLS/dh512.pem"
weak PFA-TLS-015 warning smtpd_tls_dh1024_param_file "smtpd_tls_dh1024_param_file = $PFSB_TLS/no-such-dh.pem"
weak PFA-SMTPD-008 warning myhostname 'myhostname = sandbox'
weak PFA-PRIV-002 info smtpd_sasl_authenticated_header 'smtpd_sasl_auth_enable = yes' 'smtpd_tls_auth_only = yes' 'smtpd_sasl_authenticated_header = yes'

# loadability: what postconf accepts and a daemon dies on (critical)
weak PFA-LOAD-001 critical message_size_limit 'message_size_limit = abc'
weak PFA-LOAD-002 critical smtpd_timeout 'smtpd_timeout = 5parsecs'
# a remedy keeps what the value meant: 50M is 52428800 bytes, not the
# 10 MB default that "postconf -# message_size_limit" would leave
weak PFA-LOAD-001 critical message_size_limit 'message_size_limit = 50M'
fix=$(vc_jq '[.findings[] | select(.id == "PFA-LOAD-001")][0].remedy')
tap_is "$fix" "postconf -c $PFSB_ETC -e 'message_size_limit = 52428800'" "the remedy keeps the administrator's 50M"
tap_require "the remedy runs" bash -c "$fix"
tap_is "$(postconf -c "$PFSB_ETC" -h message_size_limit)" 52428800 "and Postfix has the limit meant"
restore_cf
weak PFA-LOAD-004 critical smtpd_recipient_restrictions 'smtpd_recipient_restrictions = permit_mynetwroks, reject_unauth_destination'
tap_like "$(vc_jq '[.findings[] | select(.id == "PFA-LOAD-004")][0].remedy')" 'permit_mynetworks' "the remedy names the restriction meant"
weak PFA-LOAD-008 critical "regexp:$PFSB_ETC/no-such-file" "header_checks = regexp:$PFSB_ETC/no-such-file"
weak PFA-LOAD-009 warning smtpd_tls_protocols 'smtpd_tls_protocols = >=TLSv1.2 # modern only'
tap_is "$(sev_of PFA-LOAD-010 smtpd_tls_protocols)" critical "and the protocol list it breaks is PFA-LOAD-010"
weak PFA-LOAD-010 critical smtpd_tls_protocols 'smtpd_tls_protocols = >=TLSv1.9'
tap_is "$(sev_of PFA-TLS-003)" none "the audit does not repeat it as PFA-TLS-003"
# local(8) delivers here only when master.cf has it
pc -M 'local/unix = local unix - n n - - local'
cp "$MASTER" "$PFA_TEST_ROOT/master.cf.orig"
weak PFA-LOAD-013 critical mailbox_size_limit 'mydestination = $myhostname' 'message_size_limit = 60000000' 'mailbox_size_limit = 51200000'
weak PFA-LOAD-015 critical 'smtpd_(relay|recipient)_restrictions' 'smtpd_relay_restrictions = permit_mynetworks' 'smtpd_recipient_restrictions ='

# master.cf (no reload happens: the new listeners never bind)
restore_cf
vc_setup '"mx", "submission"'
harden
pc -e 'inet_interfaces = all'
pc -M 'smtps/inet = smtps inet n - n - - smtpd'
pc -M 'submission/inet = submission inet n - n - - smtpd'
pc -P 'submission/inet/smtpd_sasl_auth_enable=yes'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-MASTER-001 smtps)" critical "smtps without wrapper mode: PFA-MASTER-001 critical"
tap_is "$(sev_of PFA-MASTER-002 submission)" warning "submission without enforced TLS: PFA-MASTER-002 warning"
tap_like "$(vc_jq '[.findings[] | select(.id == "PFA-MASTER-001")][0].remedy')" "postconf -c $PFSB_ETC -P .*smtps/inet/smtpd_tls_wrappermode=yes" "the remedy is a postconf -P for this instance"
tap_is "$(sev_of PFA-PRIV-001 submission)" info "submission keeps client headers: PFA-PRIV-001 info"

# roles: a send-only host is not warned about MX matters (Lynis #334)
restore_cf
vc_setup '"auto"'
pfa_run --json run validate-config
tap_like "$(vc_jq .summary)" ' as null-client: ' "a loopback-only instance is a null client"
tap_is "$(vc_jq '[.findings[] | select(.id | test("PFA-SMTPD-00[124]"))] | length')" 0 "and gets no VRFY, HELO or banner finding"
pc -e 'inet_interfaces = all'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-SMTPD-003 inet_interfaces)" warning "a send-only host listening on every interface: PFA-SMTPD-003"

# ignore
restore_cf
vc_setup '"mx"' 'ignore = [ "PFA-SMTPD-001", "PFA-SMTPD-002" ];'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-SMTPD-001)" none "an ignored id is left out"
tap_is "$(sev_of PFA-SMTPD-005)" warning "the others are still reported"
tap_is "$(vc_jq '[.metrics[] | select(.name == "ignored")][0].value')" 2 "the ignored ones are counted"
vc_setup '"mx"' 'ignore = [ "PFA-SMTPD-01" ];'
pfa_run check-config
tap_is "$PFA_RC" 3 "an unknown id in ignore is a configuration error"
tap_like "$(cat "$PFA_ERR")" "$PFA_CONF:[0-9]+: .*unknown finding id \"PFA-SMTPD-01\"" "naming file and line"
# an id and a subject silence that one finding, not the id's others
pc -e 'smtpd_tls_protocols = !SSLv2, !SSLv3'
pc -M 'submission/inet = submission inet n - n - - smtpd'
pc -P 'submission/inet/smtpd_tls_protocols=!SSLv2,!SSLv3'
vc_setup '"mx"' 'ignore = [ "PFA-TLS-002 smtpd_tls_protocols" ];'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-TLS-002 '^smtpd_tls_protocols$')" none "ID SUBJECT leaves out that finding"
tap_is "$(sev_of PFA-TLS-002 '^submission/inet/smtpd_tls_protocols$')" warning "but not the same id about another subject"
vc_setup '"mx"' 'ignore = [ "PFA-TLS-002 " ];'
pfa_run check-config
tap_is "$PFA_RC" 3 "an id followed by nothing is refused"
# ignore works in every task's section, against that task's ids
pfa_conf rotate-dh='ignore = [ "PFA-SMTPD-001" ];'
pfa_run check-config
tap_is "$PFA_RC" 3 "rotate-dh's ignore takes only rotate-dh's ids"
tap_like "$(cat "$PFA_ERR")" 'unknown finding id "PFA-SMTPD-001" for rotate-dh' "and says whose ids it takes"

# ------------------------------------------------------------ SASL relayhost
restore_cf
vc_setup '"mx"'
harden
SECRET='s3cr3t-Pa55word'
printf '[relay.example.invalid]:587 user@example.invalid:%s\n' "$SECRET" >"$PFSB_ETC/sasl_passwd"
chmod 0644 "$PFSB_ETC/sasl_passwd"
postmap -c "$PFSB_ETC" "hash:$PFSB_ETC/sasl_passwd"
touch -d '1 hour' "$PFSB_ETC/sasl_passwd"	# the source is newer than its .db
pc -e 'smtp_sasl_auth_enable = yes' "smtp_sasl_password_maps = hash:$PFSB_ETC/sasl_passwd" \
	'smtp_sasl_security_options =' 'relayhost = [127.0.0.1]:1'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-SASL-002 sasl_passwd)" critical "relayhost not among the password keys: PFA-SASL-002 critical"
tap_is "$(sev_of PFA-SASL-003)" warning "no noanonymous: PFA-SASL-003 warning"
tap_is "$(sev_of PFA-SASL-004)" critical "the relay without mandatory TLS: PFA-SASL-004 critical"
tap_is "$(sev_of PFA-SASL-005 sasl_passwd)" critical "a password file readable by others: PFA-SASL-005 critical"
tap_is "$(sev_of PFA-SASL-006 sasl_passwd)" warning "its database older than the source: PFA-SASL-006 warning"
tap_is "$(grep -c -- "$SECRET" "$PFA_OUT")" 0 "the password never appears in the report"
printf '[127.0.0.1]:1 user@example.invalid:%s\n' "$SECRET" >"$PFSB_ETC/sasl_passwd"
chmod 0600 "$PFSB_ETC/sasl_passwd"
rm -f "$PFSB_ETC/sasl_passwd.db"
postmap -c "$PFSB_ETC" "hash:$PFSB_ETC/sasl_passwd"
pc -e 'smtp_sasl_security_options = noanonymous' 'smtp_tls_security_level = encrypt'
pfa_run --json run validate-config
tap_is "$(vc_jq '[.findings[] | select(.id | startswith("PFA-SASL"))] | length')" 0 "the seed's recipe done right gives no SASL finding"
tap_is "$(stat -c %a "$PFSB_ETC/sasl_passwd.db")" 600 "(postmap kept the database private too)"

# ------------------------------------------------------------ reload gate
# A configuration postfix check accepts but a daemon would die on: a
# DH rotation is rolled back and Postfix is not reloaded.
restore_cf
vc_setup '"mx"'
harden
pc -e 'smtpd_recipient_restrictions = permit_mynetwroks, reject_unauth_destination'
touch -d '8 days ago' "$PFSB_DH"
before=$(sum_of "$PFSB_DH")
reloads=$(reload_count)
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 2 "the gate refuses a configuration that fails the loadability checks (exit 2)"
tap_is "$(jq_out '.reload.validated')" false "JSON: not validated"
tap_is "$(jq_out '[.reload.findings[] | select(.id == "PFA-LOAD-004")][0].subject')" smtpd_recipient_restrictions "the gate names the misspelled restriction"
tap_is "$(sum_of "$PFSB_DH")" "$before" "the DH file is put back"
tap_is "$(reload_count)" "$reloads" "Postfix is not reloaded"
tap_is "$(master_alive)" yes "Postfix keeps running the old configuration"
pc -e 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination'
pfa_run --json run rotate-dh
tap_is "$PFA_RC" 0 "once fixed, the rotation goes through"
tap_is "$(reload_count)" "$((reloads + 1))" "with one reload"

# an in-memory table changed while the configuration fails the checks:
# the reload is refused, and rebuild-maps asks again once it is fixed
pc -e 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination'
printf '/^X-Bad:/ REJECT\n' >"$PFSB_ETC/hc.regexp"
pc -e "header_checks = regexp:$PFSB_ETC/hc.regexp"
pfa_run --json run rebuild-maps
postfix -c "$PFSB_ETC" reload >/dev/null 2>&1
sleep 1
reloads=$(reload_count)
pc -e 'smtpd_recipient_restrictions = permit_mynetwroks, reject_unauth_destination'
printf '/^X-Worse:/ REJECT\n' >>"$PFSB_ETC/hc.regexp"
pfa_run --json run rebuild-maps
tap_is "$PFA_RC" 2 "a changed regexp table with a broken configuration: the reload is refused"
tap_is "$(reload_count)" "$reloads" "and Postfix is not reloaded"
pc -e 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination'
pfa_run --json run rebuild-maps
tap_is "$(jq_out '[.tasks[] | select(.name == "rebuild-maps") | .findings[] | select(.id == "PFA-MAP-016")] | length')" 1 "once fixed, rebuild-maps asks for the reload again"
tap_is "$(reload_count)" "$((reloads + 1))" "and Postfix is reloaded"
pc -e 'header_checks ='

# the findings reach a real syslog-ng, critical ones at mail.crit
syslog_up
pc -e 'smtpd_recipient_restrictions = permit_mynetwroks, reject_unauth_destination'
syslog_run "$PFAGENT" -c "$PFA_CONF" run validate-config >/dev/null 2>&1
tap_ok "a loadability finding arrives in syslog at mail.crit" \
	syslog_wait 'pfagent\[[0-9]+\] mail\.crit: task=validate-config event=finding id=PFA-LOAD-004 severity=critical' 10
pc -e 'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination'

# ------------------------------------------------------------ drift
restore_cf
vc_setup '"mx"'
pfa_run --json run validate-config
pc -e 'smtpd_helo_required = yes' 'message_size_limit = 20480000'
pfa_run --json run validate-config
tap_like "$(vc_jq '[.findings[] | select(.id == "PFA-DRIFT-002" and .subject == "message_size_limit")][0].message')" "message_size_limit changed from '10240000' to '20480000'|message_size_limit added with value '20480000'" "a changed parameter is reported with old and new value"
tap_is "$(sev_of PFA-DRIFT-002 smtpd_helo_required)" info "an added one too"
tap_ok "the previous main.cf is kept as main.cf.2" test -f "$PFA_STATE/config/main.cf.2"
tap_ok "and the new one as main.cf.1" cmp "$MAIN" "$PFA_STATE/config/main.cf.1"
pfa_run --json run validate-config
tap_is "$(vc_jq '[.findings[] | select(.id | test("PFA-DRIFT-00[23]"))] | length')" 0 "nothing changed: no drift reported"
pc -e 'inet_interfaces = loopback-only'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-DRIFT-005 inet_interfaces)" warning "inet_interfaces changed under a running Postfix needs a restart"
pc -P 'smtp/unix/smtp_helo_timeout=100s'
pfa_run --json run validate-config
tap_is "$(sev_of PFA-DRIFT-003 smtp/unix)" info "a master.cf option change is reported"
tap_like "$(vc_jq '[.findings[] | select(.id == "PFA-DRIFT-003")][0].remedy')" "diff .*master.cf" "with a diff of the kept copies as remedy"
restore_cf

# a password in a custom parameter, used through $relay_pw in a static:
# table: its changes are reported, its values never shown (stdout, JSON,
# syslog, the state file)
vc_setup '"mx"'
pc -e 'relay_pw = Old-Pw-41' 'smtp_sasl_password_maps = static:relay:$relay_pw'
syslog_run "$PFAGENT" -c "$PFA_CONF" run validate-config >/dev/null 2>&1
pc -e 'relay_pw = New-Pw-42'
syslog_run "$PFAGENT" -c "$PFA_CONF" --json run validate-config >"$PFA_WORK/out" 2>"$PFA_WORK/err"
PFA_OUT=$PFA_WORK/out
cp "$PFA_STATE/state.json" "$PFA_WORK/state.json"
tap_like "$(vc_jq '[.findings[] | select(.id == "PFA-DRIFT-002" and .subject == "relay_pw")][0].message')" "relay_pw changed from '\(redacted\)' to '\(redacted\)'" "a changed relay_pw is reported, both values redacted"
syslog_run "$PFAGENT" -c "$PFA_CONF" run validate-config >"$PFA_WORK/text" 2>&1
syslog_wait 'task=validate-config event=done' 10 >/dev/null || true
for where in "$PFA_WORK/out" "$PFA_WORK/err" "$PFA_WORK/state.json" "$SYSLOG_MESSAGES"; do
	tap_unlike "$(cat "$where")" 'Old-Pw-41|New-Pw-42' "no relay_pw value in $(basename "$where")"
done
pc -e 'relay_pw =' 'smtp_sasl_password_maps ='
restore_cf

# ------------------------------------------------------------ bad input
BAD=$PFA_TEST_ROOT/badcf
mkdir -p "$BAD"
cp "$MASTER" "$BAD/master.cf"
# vc_bad: validate-config on $BAD; it must end UNKNOWN (3), never crash
vc_bad() {
	pfa_conf -d "$1" validate-config='roles = [ "mx" ];'
	pfa_run --json run validate-config
}
printf 'myhostname = a.example\n' >"$BAD/main.cf"
head -c 3000 /dev/urandom | tr -d '\n=' >>"$BAD/main.cf"
printf '\x00\x01garbage\n' >>"$BAD/main.cf"
vc_bad "$BAD"
tap_is "$PFA_RC" 3 "a main.cf of binary garbage: exit 3 (UNKNOWN), no crash"
tap_like "$(vc_jq '[.findings[] | select(.id == "PFA-CFG-005")][0].message')" "$BAD/main.cf:2: " "PFA-CFG-005 names the file and the line"
rm -f "$BAD/main.cf"
mkdir "$BAD/main.cf"
vc_bad "$BAD"
tap_is "$PFA_RC" 3 "an unreadable main.cf: exit 3"
tap_is "$(sev_of PFA-CFG-004 "$BAD/main.cf")" unknown "PFA-CFG-004 names it"
vc_bad "$PFA_TEST_ROOT/no-such-dir"
tap_is "$PFA_RC" 3 "a missing configuration directory: exit 3"
tap_is "$(sev_of PFA-CFG-003 no-such-dir)" unknown "PFA-CFG-003 names it"

# ------------------------------------------------------------ stock Debian 12
# Debian's main.cf for an Internet site (as postinst writes it), with the
# paths that would touch the host moved into the test directory.
# Postfix's own queue (/var/spool/postfix) is used: postfix check only
# looks at it, as Debian's init script does.
DEB=$PFA_TEST_ROOT/debian
mkdir -p "$DEB"
{
	cat /usr/share/postfix/main.cf.debian /usr/share/postfix/main.cf.tls
	cat <<CF
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mx.example.org
alias_maps = hash:$DEB/aliases
alias_database = hash:$DEB/aliases
myorigin = \$myhostname
mydestination = \$myhostname, example.org, localhost.example.org, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = all
inet_protocols = all
CF
} >"$DEB/main.cf"
cp /etc/postfix/master.cf.proto "$DEB/master.cf"
echo "postmaster: root" >"$DEB/aliases"
postalias -c "$DEB" "hash:$DEB/aliases"
pfa_conf -d "$DEB" validate-config="drift = false;"
pfa_run --json run validate-config
tap_is "$PFA_RC" 1 "stock Debian 12: warnings, nothing critical (exit 1)"
tap_like "$(vc_jq .summary)" ' as mx: 0 critical' "it is an MX"
nwarn=$(vc_jq '[.findings[] | select(.severity == "warning")] | length')
tap_ok "a short list: $nwarn warnings" test "$nwarn" -ge 3 -a "$nwarn" -le 8
for id in PFA-SMTPD-001 PFA-SMTPD-002 PFA-SMTPD-005; do
	tap_is "$(sev_of "$id")" warning "stock Debian: $id"
done
tap_is "$(sev_of PFA-SMTPD-004 smtpd_banner)" info "the (Debian/GNU) banner is a note"
tap_is "$(sev_of PFA-TLS-002 '^smtpd_tls_protocols$')" warning "TLSv1/1.1 in smtpd_tls_protocols: a warning"
tap_is "$(sev_of PFA-TLS-002 '^smtpd_tls_mandatory_protocols$')" info "the mandatory list, of no effect where TLS is not mandatory: a note"
tap_is "$(sev_of PFA-SMTPD-008)" none "myhostname mx.example.org is fully qualified"
tap_is "$(vc_jq '[.findings[] | select(.severity == "warning") | select((.remedy // "") | test("^postconf -c ") | not)] | length')" 0 "every warning comes with a postconf remedy for this instance"
pfa_run run validate-config
tap_unlike "$(cat "$PFA_OUT")" 'disable_vrfy_command: disable_vrfy_command|main\.cf: main\.cf:' "the text report never repeats a subject at the start of its message"
tap_like "$(cat "$PFA_OUT")" '^  warning  PFA-SMTPD-001 disable_vrfy_command = no' "it says it once"
# Debian's postinst takes the host's name; without a domain it is bare
sed -i 's/^myhostname = mx.example.org$/myhostname = debian/' "$DEB/main.cf"
pfa_run --json run validate-config
tap_is "$(sev_of PFA-SMTPD-008 myhostname)" warning "a bare myhostname (debian) on an MX: PFA-SMTPD-008"
sed -i 's/^myhostname = debian$/myhostname = mx.example.org/' "$DEB/main.cf"
tap_diag "stock Debian 12 findings:"
while IFS= read -r l; do tap_diag "  $l"; done < <(vc_jq '.findings[] | "\(.severity) \(.id) \(.subject)"')

tap_done
