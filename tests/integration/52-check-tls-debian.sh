#!/bin/bash
# 52-check-tls-debian.sh - check-tls against a sandbox Postfix running
# Debian's own main.cf (main.cf.debian and main.cf.tls, as postinst
# writes them) with Debian's snakeoil certificate (made by the ssl-cert
# package's make-ssl-cert when the host has none, and removed again), as
# an MX: a short, correct report: the snakeoil certificate on a host that
# receives mail, its key readable by group ssl-cert (critical if that
# group has members, a note if not), TLS 1.0/1.1 still accepted, and
# nothing else above a note; a second run reports the same and reloads
# nothing.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
. "$PFA_SRCDIR/tests/integration/tls.sh"

pfa_require_pfagent
command -v make-ssl-cert >/dev/null || tap_bail "make-ssl-cert not found: install ssl-cert (autogen.sh --deps)"
SNAKE_CRT=/etc/ssl/certs/ssl-cert-snakeoil.pem
SNAKE_KEY=/etc/ssl/private/ssl-cert-snakeoil.key
made_snakeoil=no
remove_snakeoil() {
	[ "$made_snakeoil" = yes ] || return 0
	find /etc/ssl/certs -maxdepth 1 -lname ssl-cert-snakeoil.pem -delete 2>/dev/null
	rm -f "$SNAKE_CRT" "$SNAKE_KEY"
}
# lib.sh's exit trap tears the sandbox down; the snakeoil goes first
trap 'rc=$?; remove_snakeoil; (exit $rc); _pfa_on_exit' EXIT
if [ ! -f "$SNAKE_CRT" ] || [ ! -f "$SNAKE_KEY" ]; then
	[ ! -e "$SNAKE_CRT" ] && [ ! -e "$SNAKE_KEY" ] ||
		tap_bail "half a snakeoil pair in /etc/ssl: not touching it"
	made_snakeoil=yes
	tap_require "make-ssl-cert generate-default-snakeoil" make-ssl-cert generate-default-snakeoil
fi

sandbox_up
cn=$(openssl x509 -in "$SNAKE_CRT" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')
{
	grep -v '^smtpd_tls_\|^myhostname' "$PFSB_ETC/main.cf"
	cat /usr/share/postfix/main.cf.debian /usr/share/postfix/main.cf.tls
	echo "myhostname = $cn"
} >"$PFSB_ETC/main.cf.new"
mv "$PFSB_ETC/main.cf.new" "$PFSB_ETC/main.cf"
touch -d "@$(($(date +%s) - 10))" "$PFSB_ETC/main.cf"
tap_require "Postfix takes Debian's main.cf" postfix -c "$PFSB_ETC" reload
sleep 1
tap_like "$(sandbox_banner)" "^220 .*ESMTP Postfix \(Debian/GNU\)" "it greets as Debian's does"

tls_conf 'roles = [ "mx" ];'
r0=$(reload_count)
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-CERT-013 "$SNAKE_CRT")" warning "the snakeoil certificate on an MX: PFA-CERT-013 warning"
members=$(getent group ssl-cert | cut -d: -f4)
users=$(awk -F: -v g="$(getent group ssl-cert | cut -d: -f3)" '$4 == g && $3 != 0' /etc/passwd)
if [ -n "$members$users" ]; then want=critical; else want=info; fi
tap_is "$(tls_sev PFA-CERT-015 "$SNAKE_KEY")" "$want" "its key, 0640 root:ssl-cert: $want (ssl-cert's members: ${members:-none})"
tap_is "$(tls_sev PFA-PROBE-003)" warning "TLS 1.0/1.1 (Debian's default protocols): warning"
tap_like "$(tls_msg PFA-PROBE-010 STARTTLS)" "served CN=$cn \(RSA 2048 bits" "the probe gets the snakeoil certificate"
bad=$(tls_bad | grep -v 'PFA-CERT-013\|PFA-CERT-015\|PFA-PROBE-003')
tap_is "$bad" "" "nothing else above a note"
tap_like "$(tls_jq .summary)" "^1 certificate \(the soonest expires in [0-9.]+ days, [0-9]+% of its lifetime left\), 1 listener address probed: " "a one-line summary"
tap_is "$(tls_jq .reload_wanted)" false "no reload wanted"
tap_diag "stock Debian 12 with the snakeoil certificate, as an MX:"
while IFS= read -r l; do tap_diag "  $l"; done < <(tls_jq '.findings[] | "\(.severity) \(.id) \(.subject)"')
first=$(tls_jq '[.findings[] | "\(.severity) \(.id) \(.subject)"] | join(",")')
pfa_run --json run check-tls
tap_is "$(tls_jq '[.findings[] | "\(.severity) \(.id) \(.subject)"] | join(",")')" "$first" "a second run reports the same"
tap_is "$(reload_count)" "$r0" "and nothing was reloaded"

tap_done
