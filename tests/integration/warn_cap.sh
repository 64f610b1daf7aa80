# warn_cap: every CAP 1.2 sample in tests/data/cap imports (`warn issue --cap`), is
# accepted by the node, and exports (`warn show ID --cap`) to CAP that validates
# against the OASIS CAP 1.2 schema and says what the sample said; the hostile sample
# (a DOCTYPE with an external entity) is refused before anything is resolved.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/warn_lib.bash"

CAPDIR="${YISHI_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/data/cap"
[ -f "$CAPDIR/cap12.xsd" ] || fail "no CAP samples in $CAPDIR"
have_xmllint=1
command -v xmllint >/dev/null || {
	have_xmllint=0
	echo "$E2E_NAME: xmllint is missing (scripts/install-deps installs libxml2-utils): not" \
	    "validating or comparing the exported CAP here; tests/unit/test_cap.c validates" >&2
}

warn_root
station_up --root "$ROOT_PK"
user_new issuer "Issuer"
enroll issuer st >/dev/null
issuer_cert cap.cert issuer "宁波市反诈中心" 3302
yi issuer warn cert "$E2E_TMP/cap.cert" --root "$ROOT_PK" >/dev/null

# xp FILE XPATH: the text XPATH selects in FILE, white space removed ("" if none).
xp() {
	{ xmllint --nonet --xpath "$2" "$1" 2>/dev/null || true; } | tr -d ' \t\r\n'
}
n() { printf "*[local-name()='%s']" "$1"; }

# The elements Yishi keeps (cap.h), in the order the schema fixes, so one XPath
# union gives comparable text. Not compared: sent (the time of signing), expires
# (from --expires), and Yishi's own pairs (geocode yishi:area, parameter yishi:issuer).
KEPT="identifier sender status msgType scope source code references language category
event responseType urgency severity certainty audience effective onset senderName
headline description instruction web contact areaDesc polygon circle"
kept_xpath() {
	local f sel=""
	for f in $KEPT; do
		sel="$sel${sel:+ or }local-name()='$f'"
	done
	# $1: "" for every element, or "/*[local-name()='alert']/" for the alert's own.
	printf '%s' "${1:-//}*[$sel]/text() | //*[local-name()='valueName' or local-name()='value'][not(starts-with(../*[local-name()='valueName'], 'yishi:'))]/text()"
}

# same_cap ORIG EXPORTED: EXPORTED says what ORIG says.
same_cap() {
	local o=$1 e=$2 x a b
	x=$(kept_xpath)
	# A cancel without <info> gets the one text a Yishi cancel carries: compare the alert.
	[ "$(xp "$o" "count(//$(n info))")" = 0 ] && x=$(kept_xpath "/$(n alert)/")
	a=$(xp "$o" "$x")
	b=$(xp "$e" "$x")
	[ -n "$a" ] || fail "$(basename "$o"): nothing to compare"
	[ "$a" = "$b" ] || fail "$(basename "$o"): the export says something else:
  sample: $a
  export: $b"
}

step "import, export, validate, compare"
count=0
for f in "$CAPDIR"/*.xml "$CAPDIR"/*.cap; do
	base=$(basename "$f")
	[ "$base" = xee.cap ] && continue
	id=$(warn_issue issuer --cap "$f" --area 3302 --expires 2h)
	out=$(yi issuer warn show "$id")
	check_eq "$base: verified" true "$(jq -r .verified <<<"$out")"
	check_eq "$base: identifier kept" "$(xp "$f" "/$(n alert)/$(n identifier)/text()")" \
	    "$(jq -r .identifier <<<"$out")"
	yi issuer warn show "$id" --cap | jq -r .cap >"$E2E_TMP/$base.out.xml"
	[ -s "$E2E_TMP/$base.out.xml" ] || fail "$base: warn show --cap printed nothing"
	if [ "$have_xmllint" = 1 ]; then
		xmllint --noout --nonet --schema "$CAPDIR/cap12.xsd" "$E2E_TMP/$base.out.xml" \
		    2>"$E2E_TMP/xmllint.err" || fail "$base: the export does not validate: $(cat "$E2E_TMP/xmllint.err")"
		same_cap "$f" "$E2E_TMP/$base.out.xml"
		check_eq "$base: exported yishi:area" 3302 \
		    "$(xp "$E2E_TMP/$base.out.xml" "(//$(n geocode)[$(n valueName)='yishi:area'])[1]/$(n value)/text()")"
	fi
	# The export imports again: to the same warning, so the node knows it already.
	out=$(yi_fails issuer warn issue --cap "$E2E_TMP/$base.out.xml" --expires 2h)
	check_error "$base: its export re-issued" "$out" 14 exists
	count=$((count + 1))
done
check_eq "samples imported" 5 "$count"
check_eq "warnings on the node" 5 "$(yi issuer warn list --all | jq -s length)"

step "the update in the samples references its alert; the IPAWS cancel is a cancel"
out=$(yi issuer warn list --all)
check_eq "the samples' kinds" "Alert Alert Alert Cancel Update" \
    "$(jq -r .msg_type <<<"$out" | sort | paste -sd ' ')"
check_match "the update's references" "trinet@caltech.edu,TRI13970876.1," \
    "$(jq -r 'select(.msg_type == "Update") | .references' <<<"$out")"

step "the hostile sample (DOCTYPE, external entity) is refused"
out=$(yi_fails issuer warn issue --cap "$CAPDIR/xee.cap" --area 3302 --expires 2h)
check_error "xee.cap" "$out" 110 input
check_match "xee.cap refusal" "DOCTYPE" "$(cat "$E2E_TMP/last.err")"
check_eq "warnings on the node after xee.cap" 5 "$(yi issuer warn list --all | jq -s length)"

step "a CAP file without yishi:area needs --area"
out=$(yi_fails issuer warn issue --cap "$CAPDIR/taiwan.cap" --expires 2h)
check_match "no area" "yishi:area" "$(cat "$E2E_TMP/last.err")"
node_stop st
