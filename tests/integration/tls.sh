# tls.sh - helpers for check-tls's integration tests (sourced after lib.sh
# and pfa.sh): a test CA made with openssl, leaf certificates signed by
# it (back- or forward-dated with libfaketime when asked), and queries on
# check-tls's part of the last --json output.
#
#   tls_ca DIR                   root.pem/root.key and int.pem/int.key in DIR
#   tls_leaf DIR NAME CN DAYS [FAKETIME] [KEYOPT] [ISSUER] [MD]
#                                DIR/NAME.key, DIR/NAME.crt (leaf) and
#                                DIR/NAME.pem (key, leaf, issuer)
#   tls_conf SETTINGS            pfa_conf with check-tls alone
#   tls_jq FILTER                jq on the check-tls task of $PFA_OUT
#   tls_sev ID [SUBJECT-REGEX]   worst severity of ID, or "none"
#   tls_bad                      its warning and critical findings, one a line
#   tls_msg ID [MESSAGE-REGEX]   the message of the first ID (matching)

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FAKETIME_LIB" ] || FAKETIME_LIB=$(find /usr/lib -name libfaketime.so.1 2>/dev/null | head -1)
[ -n "$FAKETIME_LIB" ] || tap_bail "libfaketime not found: install the test dependencies (libfaketime)"

_tls_ossl() {
	local out
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" >&2
		tap_bail "openssl failed: $*"
	fi
}

tls_ca() {
	local d=$1
	_tls_ossl openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 3650 -subj "/CN=pfagent test root" -keyout "$d/root.key" -out "$d/root.pem" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
	tls_intermediate "$d" int 1825
}

# tls_intermediate DIR NAME DAYS: another intermediate under the root.
tls_intermediate() {
	local d=$1 n=$2 days=$3
	_tls_ossl openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=pfagent test $n" -keyout "$d/$n.key" -out "$d/$n.csr"
	printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >"$d/$n.ext"
	_tls_ossl openssl x509 -req -in "$d/$n.csr" -CA "$d/root.pem" -CAkey "$d/root.key" \
		-CAcreateserial -days "$days" -extfile "$d/$n.ext" -out "$d/$n.pem"
}

tls_leaf() {
	local d=$1 n=$2 cn=$3 days=$4 fake=${5:-} keyopt=${6:-ec} issuer=${7:-int} md=${8:-sha256}
	local pre=()
	[ -z "$fake" ] || pre=(env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$fake")
	case $keyopt in
	ec) keyopt="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	rsa:*) keyopt="-newkey $keyopt" ;;
	esac
	# shellcheck disable=SC2086
	_tls_ossl openssl req -new $keyopt -nodes -subj "/CN=$cn" -keyout "$d/$n.key" -out "$d/$n.csr"
	printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$cn" >"$d/$n.ext"
	_tls_ossl "${pre[@]}" openssl x509 -req -"$md" -in "$d/$n.csr" -CA "$d/$issuer.pem" \
		-CAkey "$d/$issuer.key" -CAcreateserial -days "$days" -extfile "$d/$n.ext" -out "$d/$n.crt"
	cat "$d/$n.key" "$d/$n.crt" "$d/$issuer.pem" >"$d/$n.pem"
	chmod 0600 "$d/$n.key" "$d/$n.pem"
}

tls_conf() {
	pfa_conf check-tls="$1"
}

tls_jq() {
	jq -r ".tasks[] | select(.name == \"check-tls\") | $1" "$PFA_OUT"
}

tls_sev() {
	local s
	s=$(tls_jq "[.findings[] | select(.id == \"$1\") | select(.subject | test(\"${2:-.}\"))
		| .severity] | if length == 0 then \"none\"
		elif any(. == \"critical\") then \"critical\" elif any(. == \"warning\") then \"warning\"
		else .[0] end")
	echo "${s:-none}"
}

tls_bad() {
	tls_jq '.findings[] | select(.severity == "warning" or .severity == "critical") | "\(.severity) \(.id) \(.subject): \(.message)"'
}

tls_msg() {
	tls_jq "[.findings[] | select(.id == \"$1\") | select(.message | test(\"${2:-.}\"))][0].message // \"\""
}
