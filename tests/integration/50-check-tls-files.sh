#!/bin/bash
# 50-check-tls-files.sh - check-tls on the files of a real sandbox
# Postfix (the probe is 51's): certificates made here with openssl, under
# libfaketime when they must be old or not valid yet, each in its turn the
# server's chain file, are reported with the right id and severity: a good
# one gives nothing above a note (and a --nagios line with thresholds);
# expired, not yet valid, inside each threshold (relative, absolute),
# short-lived, mismatched key, 1024-bit RSA, SHA-1, self-signed, wrong
# name, an intermediate that expires before the leaf's renewal, a missing
# intermediate, a world-readable key, bad DH parameters; and bad input (a
# PEM file with garbage, an empty file, a directory, a FIFO) is a clear
# finding, never a hang.  Each case ends with a second run that finds the
# same and changes nothing.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
. "$PFA_SRCDIR/tests/integration/tls.sh"

pfa_require_pfagent
sandbox_up
C=$(pfa_tmpdir)
tls_ca "$C"
# postconf -e, then main.cf made older: Postfix's commands wait for a
# main.cf changed less than a second ago to "cool down"
pc() {
	postconf -c "$PFSB_ETC" "$@"
	touch -d "@$(($(date +%s) - 10))" "$PFSB_ETC/main.cf"
}
pc -e "smtpd_tls_CAfile = $C/root.pem" "smtpd_tls_cert_file =" "smtpd_tls_key_file ="
ROLES='roles = [ "mx" ];'
BASE="probe = false;"

# use FILE [SETTINGS]: FILE as smtpd_tls_chain_files, then a run.
use() {
	pc -e "smtpd_tls_chain_files = $1"
	tls_conf "$BASE ${2:-$ROLES}"
	pfa_run --json run check-tls
}

# case ID SEVERITY DESC FILE [SETTINGS]: the run reports ID at SEVERITY,
# and a second run the same, with nothing changed and no reload.
case_is() {
	local id=$1 sev=$2 desc=$3 file=$4 settings=${5:-} sum reloads
	sum=$(sum_of "$file")
	reloads=$(reload_count)
	use "$file" "$settings"
	tap_is "$(tls_sev "$id")" "$sev" "$desc: $id $sev"
	pfa_run --json run check-tls
	tap_ok "  again: the same, nothing changed, no reload" test \
		"$(tls_sev "$id")" = "$sev" -a "$(sum_of "$file")" = "$sum" \
		-a "$(reload_count)" = "$reloads" -a "$(tls_jq '.changed | length')" = 0
}

# ------------------------------------------------------------ good
tls_leaf "$C" good sandbox.invalid 90
use "$C/good.pem"
tap_is "$PFA_RC" 0 "a good CA-signed chain exits 0"
tap_is "$(tls_bad)" "" "and has nothing above a note"
tap_is "$(tls_sev PFA-CERT-021)" info "its facts are a note (PFA-CERT-021)"
tap_like "$(tls_msg PFA-CERT-021)" 'EC 256 bits, issued by CN=pfagent test int, expires .*\(90\.0 days, 100% of its 90-day lifetime left\)' "naming key, issuer, expiry, lifetime left"
tap_like "$(tls_jq '[.metrics[] | select(.name == "days_left_min")][0].value')" '^(89\.9|90$)' "days_left_min is (almost) 90"
tap_is "$(tls_jq '.reload_wanted')" false "and no reload is wanted"
# the key's base64 lines are never passed as arguments: a failing test
# prints its command
key_hidden() {
	! grep -qF -f <(sed -n '2,3p' "$C/good.key") "$PFA_OUT" "$PFA_ERR" \
		"$PFA_STATE/state.json"
}
pfa_run -v --json run check-tls
tap_ok "the private key reaches neither output, stderr nor state" key_hidden
pfa_run run check-tls --nagios
tap_is "$PFA_RC" 0 "--nagios exits 0"
tap_like "$(head -1 "$PFA_OUT")" "^PFAGENT CHECK-TLS OK - 1 certificate .* \| .*days_left:$C/good.pem:EC=(89\.[0-9]+|90);22\.5[0-9]*;9 " "with perfdata: days left and the thresholds for this certificate"
tap_like "$(head -1 "$PFA_OUT")" 'life_left_min=[0-9.]+%;25;10;0;100' "and the fraction left with its thresholds and range"
tap_is "$(wc -l <"$PFA_OUT")" 1 "and no finding line (notes are left out)"

# ------------------------------------------------------------ expiry
tls_leaf "$C" expired sandbox.invalid 90 -100d
case_is PFA-CERT-001 critical "expired 10 days ago" "$C/expired.pem"
tap_is "$PFA_RC" 2 "  exit 2"
tls_leaf "$C" future sandbox.invalid 90 +10d
case_is PFA-CERT-002 critical "valid only from 10 days on" "$C/future.pem"
tls_leaf "$C" quarter sandbox.invalid 100 -80d
case_is PFA-CERT-004 warning "20 of 100 days left (under a quarter)" "$C/quarter.pem"
tap_is "$PFA_RC" 1 "  exit 1"
tap_is "$(tls_sev PFA-CERT-003)" none "  and not critical"
tls_leaf "$C" tenth sandbox.invalid 100 -95d
case_is PFA-CERT-003 critical "5 of 100 days left (under a tenth)" "$C/tenth.pem"
tls_leaf "$C" forty sandbox.invalid 40
use "$C/forty.pem"
tap_is "$(tls_bad)" "" "40 of 40 days left: nothing by default"
case_is PFA-CERT-004 warning "40 days left with warn_days = 60" "$C/forty.pem" "warn_days = 60; $ROLES"
case_is PFA-CERT-003 critical "40 days left with crit_days = 50" "$C/forty.pem" "crit_days = 50; $ROLES"
tls_leaf "$C" short sandbox.invalid 7 -5d
case_is PFA-CERT-020 info "a 7-day certificate with 2 days left is short-lived" "$C/short.pem"
tap_is "$(tls_bad)" "" "  and not warned about"
tls_leaf "$C" lastday sandbox.invalid 7 -156h
case_is PFA-CERT-003 critical "a 7-day certificate with 12 hours left" "$C/lastday.pem"

# ------------------------------------------------------------ keys, digests
tls_leaf "$C" other sandbox.invalid 90
cat "$C/other.key" "$C/good.crt" "$C/int.pem" >"$C/mismatch.pem"
chmod 600 "$C/mismatch.pem"
case_is PFA-CERT-005 critical "a key that is not the certificate's" "$C/mismatch.pem"
tls_leaf "$C" rsa1024 sandbox.invalid 90 "" rsa:1024
case_is PFA-CERT-006 critical "a 1024-bit RSA key" "$C/rsa1024.pem"
tls_leaf "$C" sha1 sandbox.invalid 90 "" ec int sha1
case_is PFA-CERT-007 warning "a SHA-1 signature" "$C/sha1.pem"

# ------------------------------------------------------------ names, chains
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 \
	-subj /CN=sandbox.invalid -addext subjectAltName=DNS:sandbox.invalid \
	-keyout "$C/self.key" -out "$C/self.crt" 2>/dev/null
cat "$C/self.key" "$C/self.crt" >"$C/self.pem"
chmod 600 "$C/self.pem"
case_is PFA-CERT-014 warning "self-signed on an MX" "$C/self.pem"
use "$C/self.pem" "roles = [ \"null-client\" ];"
tap_is "$(tls_sev PFA-CERT-014)" info "self-signed on a null client: a note"
tls_leaf "$C" wrongname other.invalid 90
case_is PFA-CERT-012 warning "a certificate for other.invalid (myhostname sandbox.invalid)" "$C/wrongname.pem"
tap_like "$(tls_msg PFA-CERT-012)" 'does not cover sandbox\.invalid \(myhostname\)' "  naming myhostname"
tls_intermediate "$C" shortint 10
tls_leaf "$C" early sandbox.invalid 90 "" ec shortint
case_is PFA-CERT-011 warning "an intermediate that expires in 10 days, before the 90-day leaf's renewal" "$C/early.pem"
cat "$C/good.key" "$C/good.crt" >"$C/noint.pem"
chmod 600 "$C/noint.pem"
case_is PFA-CERT-010 warning "the intermediate missing from the chain" "$C/noint.pem"
cp "$C/good.pem" "$C/open.pem"
chmod 0644 "$C/open.pem"
case_is PFA-CERT-015 critical "a chain file holding the key, mode 0644" "$C/open.pem"
tap_like "$(tls_jq '[.findings[] | select(.id == "PFA-CERT-015")][0].remedy')" "chmod 600 $C/open.pem" "  the remedy is a chmod"

# ------------------------------------------------------------ bad input
printf 'this is not PEM\n\001\002\003 garbage\n' >"$C/garbage.pem"
: >"$C/empty.pem"
mkdir "$C/adir"
mkfifo "$C/fifo"
for f in garbage.pem empty.pem adir fifo missing.pem; do
	pc -e "smtpd_tls_chain_files = $C/$f"
	tls_conf "$BASE $ROLES"
	rc=0
	timeout 30 "$PFAGENT" -c "$PFA_CONF" --json run check-tls \
		>"$PFA_WORK/out" 2>"$PFA_WORK/err" </dev/null || rc=$?
	tap_is "$rc" 2 "$f as the chain file: exit 2, no hang"
	PFA_OUT=$PFA_WORK/out
	tap_like "$(tls_bad)" "critical PFA-CERT-01[78] $C/$f: .*(no PEM data|not a regular file|No such file)" "  a critical finding naming it"
done
# a chain file list with one file of garbage: Postfix skips it
use "$C/good.pem, $C/garbage.pem"
tap_is "$(tls_sev PFA-CERT-018 garbage)" warning "a garbage file beside a good one: skipped by Postfix, a warning"

# ------------------------------------------------------------ DH
openssl dhparam -out "$C/dh512.pem" 512 2>/dev/null
pc -e "smtpd_tls_dh1024_param_file = $C/dh512.pem"
use "$C/good.pem"
tap_is "$(tls_sev PFA-DHP-002)" critical "512-bit DH parameters: PFA-DHP-002 critical"
tap_like "$(tls_msg PFA-DHP-005)" '512-bit DH parameters, a custom group \(a safe prime\)' "  a custom group, a safe prime"
pc -e "smtpd_tls_dh1024_param_file = $C/garbage.pem"
use "$C/good.pem"
tap_is "$(tls_sev PFA-DHP-001)" warning "garbage as DH parameters: PFA-DHP-001 warning"
pc -e "smtpd_tls_dh1024_param_file = $PFSB_DH"
use "$C/good.pem"
tap_like "$(tls_msg PFA-DHP-005)" '2048-bit DH parameters, the standard group ffdhe2048 \(RFC 7919\)' "the sandbox's ffdhe2048 is recognised"
tap_is "$(tls_bad)" "" "and the good chain again gives nothing above a note"

tap_done
