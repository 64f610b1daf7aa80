# warn_forged: warnings signed by an uncertified key, under an expired certificate,
# for an area outside the issuer's, under a node certificate, or altered by one byte
# are refused by the node and, handed to the client directly (`warn verify`, and
# `warn relay` without --force), by the client too. The genuine one passes both. A
# node run with a rogue root serves its warnings to a client pinned to the real root:
# the client lists and watches them as not verified and will not show one.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"
. "$(dirname "$0")/warn_lib.bash"

warn_root
station_up --root "$ROOT_PK"
user_new issuer "Issuer"
enroll issuer st >/dev/null
issuer_cert good.cert issuer "宁波市反诈中心" 3302
issuer_cert expired.cert issuer "宁波市反诈中心 (2020)" 3302 --from 2020-01-01 --until 2020-12-31
issuer_cert other.cert issuer "广州市反诈中心" 4401
admin node-cert --root "$E2E_TMP/root.key" --pk "$ISSUER_ID" --name "a node" --areas 3302 \
    --until 2099-12-31 --out "$E2E_TMP/node.cert" >/dev/null
# A key with no certificate from our root: certified by a root of its own making.
ROGUE_PK=$(admin root new --out "$E2E_TMP/rogue.key" | jq -r .root_pk)
admin issuer --root "$E2E_TMP/rogue.key" --pk "$ISSUER_ID" --name "宁波市反诈中心" --areas 3302 \
    --until 2099-12-31 --out "$E2E_TMP/rogue.cert" >/dev/null
yi issuer warn list --root "$ROOT_PK" >/dev/null	# pins the root

# sign CERT FILE [AREA]: sign a warning offline with CERT into $E2E_TMP/FILE.
sign() {
	yi issuer warn issue --cert "$E2E_TMP/$1" --out "$E2E_TMP/$2" --severity Severe \
	    --urgency Immediate --area "${3:-3302}" --expires 2h --headline "冒充公检法诈骗" \
	    "公检法机关不会通过电话办案，不会要求转账到安全账户。" >/dev/null
}

# refused FILE CODE NAME WHY: the client's verify and relay, and the node, refuse FILE.
refused() {
	local f="$E2E_TMP/$1" out
	out=$(yi_fails issuer warn verify "$f")
	check_error "warn verify $1" "$out" "$2" "$3"
	check_match "warn verify $1 says why" "$4" "$(cat "$E2E_TMP/last.err")"
	out=$(yi_fails issuer warn relay "$f")
	check_error "warn relay $1 (checked by the client)" "$out" "$2" "$3"
	out=$(yi_fails issuer warn relay --force "$f")
	check_error "the node refuses $1" "$out" "$2" "$3"
	check_match "the node says why for $1" "$4" "$(cat "$E2E_TMP/last.err")"
}

step "the genuine warning verifies and is accepted"
sign good.cert good.env
out=$(yi issuer warn verify "$E2E_TMP/good.env")
check_eq "verify good.env" "true 宁波市反诈中心" "$(jq -r '[(.verified | tostring), .issuer_name] | join(" ")' <<<"$out")"

step "forgeries: uncertified key, expired certificate, outside the issuer's areas, node certificate"
sign rogue.cert rogue.env
refused rogue.env 16 bad_signature "not signed by the federation root"
sign expired.cert expired.env
refused expired.env 16 bad_signature "certificate expired"
sign other.cert other.env
refused other.env 12 forbidden "area outside the issuer"
sign good.cert outside.env 3303
refused outside.env 12 forbidden "area outside the issuer"
out=$(yi_fails issuer warn issue --cert "$E2E_TMP/node.cert" --severity Minor --urgency Future \
    --area 3302 --expires 1h --headline x y)
check_match "a node certificate cannot sign a warning" "node certificate" "$(cat "$E2E_TMP/last.err")"

step "altered by one byte: in the words, the certificate, the signature"
# flip FROM TO OFFSET: copy FROM to TO with the byte at OFFSET xor 0x01.
flip() {
	local from="$E2E_TMP/$1" to="$E2E_TMP/$2" off=$3 b
	cp "$from" "$to"
	b=$(od -An -tu1 -j "$off" -N1 "$from" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$to" bs=1 seek="$off" conv=notrunc status=none
}
size=$(stat -c %s "$E2E_TMP/good.env")
# The description is the longest run of text: its last bytes sit before the signature.
text_at=$(grep -obUa "安全账户" "$E2E_TMP/good.env" | head -n 1 | cut -d: -f1)
[ -n "$text_at" ] || fail "the description is not found in good.env"
flip good.env words.env "$text_at"
refused words.env 16 bad_signature "bad signature"
flip good.env cert.env 40			# inside the issuer certificate's key
refused cert.env 16 bad_signature "not signed by the federation root"
flip good.env sig.env $((size - 5))	# inside the issuer's signature
refused sig.env 16 bad_signature "bad signature"
printf 'not a warning' >"$E2E_TMP/junk.env"
refused junk.env 5 bad_value "malformed"
cmp -s "$E2E_TMP/good.env" "$E2E_TMP/words.env" && fail "flip did not change words.env"

step "after all that, the genuine one is accepted and listed, alone"
out=$(yi issuer warn relay "$E2E_TMP/good.env")
G=$(jq -r .id <<<"$out")
check_eq "current warnings" "$G true" "$(yi issuer warn list | jq -r '[.id, (.verified | tostring)] | join(" ")')"

step "a node run with a rogue root: its warnings do not verify for a client pinned to ours"
node_new rogue
node_start rogue --root "$ROGUE_PK"
user_new mallory "Mallory"
enroll mallory rogue >/dev/null
admin issuer --root "$E2E_TMP/rogue.key" --pk "$MALLORY_ID" --name "宁波市反诈中心" \
    --areas 3302 --until 2099-12-31 --out "$E2E_TMP/mallory.cert" >/dev/null
yi mallory warn cert "$E2E_TMP/mallory.cert" --root "$ROGUE_PK" >/dev/null
user_new victim "Victim"
enroll victim rogue >/dev/null
yi victim warn list --root "$ROOT_PK" >/dev/null	# pins the real root
watch_start victim
R=$(warn_issue mallory --severity Extreme --urgency Immediate --area 3302 --expires 2h \
    --headline "您的账户涉嫌洗钱" "请立即将资金转入安全账户配合调查。")
# The client names only verified warnings by id: an unverifiable one shows its reason.
why="certificate not signed by the federation root"
wait_for "the victim's watch shows the rogue warning" 5 \
    grep -q '"event": *"warning"' "$E2E_TMP/watch-victim.out"
check_eq "the rogue warning in the victim's watch" "false $why null" \
    "$(jq -r 'select(.event == "warning") | [(.verified | tostring), .result, (.id | tostring)] |
    join(" ")' "$E2E_TMP/watch-victim.out")"
watch_stop victim
out=$(yi victim warn list)
check_eq "the rogue warning in the victim's list" "false $why" \
    "$(jq -r '[(.verified | tostring), .result] | join(" ")' <<<"$out")"
check_eq "the rogue warning as mallory sees it (rogue root pinned)" "$R true" \
    "$(yi mallory warn list | jq -r '[.id, (.verified | tostring)] | join(" ")')"
out=$(yi_fails victim warn show "$R")
check_error "warn show of the rogue warning" "$out" 13 not_found
node_stop rogue
node_stop st
