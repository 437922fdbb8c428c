#!/bin/bash
# 51-check-tls-probe.sh - check-tls's probes against a real sandbox
# Postfix: protocol, cipher, temporary key and the DHE group agree with
# openssl s_client -starttls smtp on the same port; TLS 1.0 enabled is
# reported, disabled is not; a certificate replaced on disk without a
# reload is found, pfagent reloads once, the new one is served and a
# second run does not reload (with reloads disabled, the second run says
# the reload did not come, and asks no more); an RSA+ECDSA chain_files
# setup gets both key types probed; an SNI table with two names serves
# each its certificate, and a stale table is found; a wrapper-mode
# listener is probed TLS first, and not at all once disabled; a broken key makes TLS unavailable; a
# listener that never answers costs one timeout and the run goes on; a
# stopped Postfix is not probed.
. "$PFA_SRCDIR/tests/integration/lib.sh"
. "$PFA_SRCDIR/tests/integration/pfa.sh"
. "$PFA_SRCDIR/tests/integration/tls.sh"

pfa_require_pfagent
sandbox_up
D=$PFSB_TLS
P=$PFSB_PORT
pc() {
	postconf -c "$PFSB_ETC" "$@"
	touch -d "@$(($(date +%s) - 10))" "$PFSB_ETC/main.cf" "$PFSB_ETC/master.cf"
}
reload() {
	postfix -c "$PFSB_ETC" reload >/dev/null 2>&1
	sleep 1
	sandbox_banner >/dev/null || tap_bail "no banner after a reload"
}
# s_client ARGS...: openssl's view of the sandbox's port, STARTTLS.
s_client() {
	echo QUIT | timeout 10 openssl s_client -starttls smtp -connect "127.0.0.1:$P" "$@" 2>&1
}
fingerprint() {
	openssl x509 -noout -fingerprint -sha256 "$@" 2>/dev/null | sed 's/.*=//'
}
served_fp() {
	s_client "$@" | openssl x509 -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//'
}
free_port() {
	local p
	for p in $(seq $((P + 1)) $((P + 200))); do
		[ -z "$(ss -Hltn "sport = :$p")" ] && { echo "$p"; return; }
	done
	tap_bail "no free port near $P"
}
newcert() {	# newcert NAME CN [ec]: a self-signed key and certificate in $D
	local opt=(-newkey rsa:2048)
	[ "${3:-}" != ec ] || opt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
	openssl req -x509 "${opt[@]}" -nodes -days 90 -subj "/CN=$2" \
		-addext "subjectAltName=DNS:$2" -keyout "$D/$1.key" -out "$D/$1.crt" 2>/dev/null
	chmod 600 "$D/$1.key"
}

tls_conf 'timeout = "5s";'

# ------------------------------------------------------------ like s_client
pfa_run --json run check-tls
tap_is "$(tls_jq .status)" warning "the sandbox (TLS 1.0 still on): status warning"
msg=$(tls_msg PFA-PROBE-010 STARTTLS)
tap_like "$msg" "^STARTTLS, 127\.0\.0\.1:$P/inet: protocol " "the listener was probed with STARTTLS"
sc=$(s_client)
# s_client: "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
tap_is "$(sed -n 's/.*: protocol \([^,]*\), cipher.*/\1/p' <<<"$msg")" \
	"$(sed -n 's/^New, \([^,]*\), Cipher is .*/\1/p' <<<"$sc")" "the protocol is openssl s_client's"
tap_is "$(sed -n 's/.*, cipher \([^,]*\), temp key.*/\1/p' <<<"$msg")" \
	"$(sed -n 's/^New, [^,]*, Cipher is //p' <<<"$sc")" "the cipher is s_client's"
tap_is "$(sed -n 's/.*, temp key \(.*\), served .*/\1/p' <<<"$msg")" \
	"$(sed -n 's/^Server Temp Key: //p' <<<"$sc")" "the temporary key is s_client's"
tap_is "$(sed -n 's/.*; DHE: \(.*\)$/\1/p' <<<"$msg")" \
	"$(s_client -tls1_2 -cipher DHE | sed -n 's/^Server Temp Key: //p')" "the DHE group is s_client -cipher DHE's"
tap_like "$(tls_jq '.metrics[] | select(.name | startswith("handshake:")) | .name')" "^handshake:127\.0\.0\.1:$P$" "its handshake time is a metric"
tap_is "$(tls_sev PFA-PROBE-003)" warning "TLS 1.0/1.1 accepted: PFA-PROBE-003 warning"
tap_like "$(tls_msg PFA-PROBE-003)" 'accepts TLSv1, TLSv1\.1' "  naming both"
tap_ok "  (openssl agrees: TLS 1.0 works)" sh -c "echo QUIT | timeout 10 openssl s_client -starttls smtp -connect 127.0.0.1:$P -tls1 -cipher DEFAULT@SECLEVEL=0 2>&1 | grep -q 'Protocol *: TLSv1\$'"
pc -e 'smtpd_tls_protocols = >=TLSv1.2' 'smtpd_tls_mandatory_protocols = >=TLSv1.2'
reload
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-003)" none "TLS 1.0/1.1 disabled: not reported"
tap_is "$PFA_RC" 0 "  and the run exits 0"

# ------------------------------------------------------------ renewed on disk
r0=$(reload_count)
sandbox_banner >/dev/null	# an smtpd with the old certificate is idle
newcert cert sandbox.invalid
mv "$D/cert.crt" "$D/cert.pem"
mv "$D/cert.key" "$D/key.pem"
want=$(fingerprint -in "$D/cert.pem")
tap_ok "before: the old certificate is served" test "$(served_fp)" != "$want"
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-005)" info "the served certificate differs from the disk: PFA-PROBE-005"
tap_is "$(tls_jq .reload_wanted)" true "a reload is asked for"
tap_is "$(reload_count)" $((r0 + 1)) "pfagent reloaded Postfix once"
tap_is "$(jq -r '.reloaded' "$PFA_OUT")" true "the run says so (reloaded)"
tap_is "$(served_fp)" "$want" "the new certificate is served now"
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-005)" none "a second run finds no difference"
tap_is "$(reload_count)" $((r0 + 1)) "and does not reload"
tap_is "$(jq -c '.tasks["check-tls"].data.reload_asked' "$PFA_STATE/state.json")" '{}' "and remembers no request"

# with reloads disabled: asked once, then reported
pfa_conf -p 'reload = false;' check-tls='timeout = "5s";'
sandbox_banner >/dev/null
newcert cert sandbox.invalid
mv "$D/cert.crt" "$D/cert.pem"
mv "$D/cert.key" "$D/key.pem"
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-005)" info "reload = false: the difference is found"
tap_is "$(reload_count)" $((r0 + 1)) "  no reload"
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-006)" warning "  the next run: still served, PFA-PROBE-006 warning"
tap_is "$(tls_jq .reload_wanted)" false "  and no reload asked for again"
reload
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-006)/$(tls_sev PFA-PROBE-005)" none/none "after a reload by hand: nothing"
tap_is "$(jq -c '.tasks["check-tls"].data.reload_asked' "$PFA_STATE/state.json")" '{}' "  and the request is forgotten"
tls_conf 'timeout = "5s";'

# ------------------------------------------------------------ RSA + ECDSA
newcert ec sandbox.invalid ec
cat "$D/key.pem" "$D/cert.pem" >"$D/rsa.pem"
cat "$D/ec.key" "$D/ec.crt" >"$D/ecdsa.pem"
chmod 600 "$D/rsa.pem" "$D/ecdsa.pem"
pc -e "smtpd_tls_chain_files = $D/rsa.pem, $D/ecdsa.pem"
reload
pfa_run --json run check-tls
tap_like "$(tls_msg PFA-PROBE-010 'only RSA')" 'served CN=sandbox.invalid \(RSA 2048 bits' "RSA signatures only: the RSA certificate"
tap_like "$(tls_msg PFA-PROBE-010 'only ECDSA')" 'served CN=sandbox.invalid \(EC 256 bits' "ECDSA signatures only: the ECDSA certificate"
tap_is "$(tls_sev PFA-PROBE-007)/$(tls_sev PFA-PROBE-005)" none/none "each the one on disk"
tap_is "$(served_fp -sigalgs ECDSA+SHA256)" "$(fingerprint -in "$D/ec.crt")" "  (s_client -sigalgs ECDSA+SHA256 agrees)"

# ------------------------------------------------------------ SNI
newcert a a.example ec
newcert b b.example ec
printf 'a.example %s %s\nb.example %s,%s\n' "$D/a.key" "$D/a.crt" "$D/b.key" "$D/b.crt" >"$PFSB_ETC/sni"
postmap -c "$PFSB_ETC" -F "hash:$PFSB_ETC/sni"
pc -e "tls_server_sni_maps = hash:$PFSB_ETC/sni"
reload
pfa_run --json run check-tls
tap_like "$(tls_msg PFA-PROBE-010 'asked for a.example')" 'served CN=a\.example ' "SNI a.example: its certificate"
tap_like "$(tls_msg PFA-PROBE-010 'asked for b.example')" 'served CN=b\.example ' "SNI b.example: its certificate"
tap_is "$(tls_jq '[.findings[] | select(.id == "PFA-CERT-021") | select(.message | test("^CN=[ab]\\.example"))] | length')" 2 "both are checked on disk"
tap_is "$(tls_sev PFA-PROBE-008)/$(tls_sev PFA-CERT-012)" none/none "each covers its name and is served"
tap_is "$(served_fp -servername b.example)" "$(fingerprint -in "$D/b.crt")" "  (s_client -servername b.example agrees)"
newcert b b.example ec		# the table not rebuilt
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-008 .)" warning "b.example's file renewed, the table not rebuilt: PFA-PROBE-008"
tap_like "$(tls_jq '[.findings[] | select(.id == "PFA-PROBE-008")][0].remedy')" "^postmap -c $PFSB_ETC -F hash:$PFSB_ETC/sni$" "  the remedy rebuilds the table"
tap_is "$(tls_jq .reload_wanted)" false "  a reload would not help: none asked for"
postmap -c "$PFSB_ETC" -F "hash:$PFSB_ETC/sni"
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-008)" none "rebuilt: served again (the daemons notice the table)"
pc -e 'tls_server_sni_maps ='

# ------------------------------------------------------------ wrapper mode
P2=$(free_port)
pc -M "127.0.0.1:$P2/inet = 127.0.0.1:$P2 inet n - n - - smtpd"
pc -P "127.0.0.1:$P2/inet/smtpd_tls_wrappermode=yes"
reload
pfa_run --json run check-tls
tap_like "$(tls_msg PFA-PROBE-010 "^TLS first")" "^TLS first, 127\.0\.0\.1:$P2/inet: protocol TLSv1\.3" "a wrapper-mode listener is probed TLS first"
tap_is "$(tls_jq "[.findings[] | select(.subject == \"127.0.0.1:$P2\") | select(.severity != \"info\")] | length")" 0 "  and is fine"
pc -e "master_service_disable = 127.0.0.1:$P2/inet"
reload
pfa_run --json run check-tls
tap_is "$(tls_jq "[.findings[] | select(.subject == \"127.0.0.1:$P2\")] | length")" 0 "disabled by master_service_disable: not probed"
pc -e 'master_service_disable =' && pc -MX "127.0.0.1:$P2/inet"

# ------------------------------------------------------------ broken key
pc -e 'smtpd_tls_chain_files =' "smtpd_tls_cert_file = $D/cert.pem" "smtpd_tls_key_file = $D/key.pem"
cp "$D/key.pem" "$D/key.good"
printf -- '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n' >"$D/key.pem"
reload
pfa_run --json run check-tls
tap_is "$PFA_RC" 2 "a broken key: exit 2"
tap_is "$(tls_sev PFA-PROBE-001)" critical "  the probe finds TLS unavailable (PFA-PROBE-001)"
tap_like "$(tls_msg PFA-PROBE-001)" '454 4\.7\.0 TLS not available|STARTTLS is not offered' "  with the server's answer"
tap_is "$(tls_sev PFA-CERT-018 key.pem)" critical "  and the key file is reported (PFA-CERT-018)"
tap_is "$(tls_jq .reload_wanted)" false "  no reload: nothing would be served better"
cp "$D/key.good" "$D/key.pem"
reload

# ------------------------------------------------------------ silent listener
P3=$(free_port)
perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
	LocalPort => $ARGV[0], Listen => 5, ReuseAddr => 1) or die; $| = 1; print "up\n";
	while ($c = $s->accept) { push @keep, $c }' "$P3" >"$PFA_WORK/perl.out" &
for _ in $(seq 1 50); do grep -q up "$PFA_WORK/perl.out" 2>/dev/null && break; sleep 0.1; done
# in master.cf only: Postfix is not reloaded, so the silent process has it
pc -M "127.0.0.1:$P3/inet = 127.0.0.1:$P3 inet n - n - - smtpd"
tls_conf 'timeout = "2s";'
t0=$SECONDS
pfa_run --json run check-tls
tap_ok "a listener that never answers costs one timeout ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 10
tap_is "$(tls_sev PFA-PROBE-002 "127.0.0.1:$P3")" warning "  reported: PFA-PROBE-002 warning"
tap_like "$(tls_msg PFA-PROBE-002)" 'no reply to the connection within 2000 ms' "  saying why"
tap_like "$(tls_msg PFA-PROBE-010 STARTTLS)" "^STARTTLS, 127\.0\.0\.1:$P/inet" "  and the run goes on: the sandbox is probed"
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-002 "127.0.0.1:$P3")" warning "  a second run: the same"
pc -MX "127.0.0.1:$P3/inet"

# ------------------------------------------------------------ stopped
postfix -c "$PFSB_ETC" stop >/dev/null 2>&1
pfa_run --json run check-tls
tap_is "$(tls_sev PFA-PROBE-009)" info "Postfix stopped: not probed (PFA-PROBE-009)"
tap_is "$(tls_sev PFA-CERT-021)" info "  the files are still checked"
tap_is "$(tls_jq .reload_wanted)" false "  and no reload is asked for"

tap_done
