# limits: the text size limit (4096 bytes), the group size limit (--max-group) and
# the send rate limit (--rate-burst / --rate-per-min), each refused with a clear error.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

station_up --max-group 3 --rate-burst 3 --rate-per-min 6
group_new G "Limits 限制"

step "--max-group 3: the founder and two residents fit, the third joiner is refused"
user_new r1 "Resident 1"
user_new r2 "Resident 2"
user_new r3 "Resident 3"
join r1 "$G_LINK" member >/dev/null
join r2 "$G_LINK" member >/dev/null
out=$(yi_fails r3 join "$G_LINK")
check_error "third joiner of a group of at most 3" "$out" 19 group_full
out=$(yi officer group members "$G")
check_eq "members after the refused join" 3 "$(jq -s length <<<"$out")"
jq -e --arg id "$R3_ID" 'select(.user_id == $id)' <<<"$out" >/dev/null &&
    fail "the refused joiner is listed: $out"
out=$(yi_fails r3 read "$G")
check_error "read by the refused joiner" "$out" 15 not_member
yi officer group list >/dev/null	# keys for r1 and r2

step "--max-group 3 with approval: requests wait; approving past the limit is refused"
group_new P "Limits approval" --approval
join r1 "$P_LINK" pending >/dev/null
join r2 "$P_LINK" pending >/dev/null
join r3 "$P_LINK" pending >/dev/null
yi officer mod approve "$P" "$R1_ID" >/dev/null
yi officer mod approve "$P" "$R2_ID" >/dev/null
out=$(yi_fails officer mod approve "$P" "$R3_ID")
check_error "approving a 4th member of a group of at most 3" "$out" 19 group_full
out=$(yi officer group members "$P")
check_eq "members of P in state member" 3 "$(jq -s '[.[] | select(.state == "member")] | length' <<<"$out")"
out=$(yi_fails r3 read "$P")
code=$(error_code "read by the requester left out" "$out")
case $code in 15 | 22) ;; *) fail "read by the requester left out: expected 15 or 22, got: $out" ;; esac

step "texts: 4096 bytes pass, 4097 bytes are refused"
max=$(head -c 4096 /dev/zero | tr '\0' 'm')
han=$(printf '汉%.0s' $(seq 1 1365))	# 4095 bytes of UTF-8
send r1 "$G" "$max" >/dev/null
send r2 "$G" "$han" >/dev/null
for big in "${max}x" "${han}汉"; do
	out=$(yi_fails r1 send "$G" "$big")
	err=$(cat "$E2E_TMP/last.err")
	grep -Eiq '4096|too long|too large|too big|exceeds|limit' <<<"$err" ||
	    fail "send of $(printf '%s' "$big" | wc -c) bytes: expected a message about the size limit, got: $err"
	grep -Eq '"error"' <<<"$out" || fail "oversized send: no JSON error object: $out"
done
out=$(yi r2 read "$G")
check_eq "messages stored (the oversized ones are not)" 2 "$(jq -s length <<<"$out")"
check_eq "the 4096-byte text, intact" "$max" "$(jq -r 'select(.sender_name == "Resident 1") | .text' <<<"$out")"
check_eq "the 1365 Chinese characters, intact" "$han" "$(jq -r 'select(.sender_name == "Resident 2") | .text' <<<"$out")"

step "--rate-burst 3 --rate-per-min 6: the 4th rapid send is rate limited"
start=$(date +%s)
for i in 1 2 3; do
	send officer "$G" "rapid $i 快速" >/dev/null
done
out=$(yi_fails officer send "$G" "rapid 4 over the limit")
elapsed=$(($(date +%s) - start))
# One token comes back every 10 s; if the four sends took that long the test proves nothing.
[ "$elapsed" -lt 9 ] || fail "the four sends took ${elapsed}s: too slow to test the rate limit"
check_error "4th rapid send" "$out" 18 rate_limited
out=$(yi r1 read "$G")
check_texts "messages stored" "$out" "$max" "$han" "rapid 1 快速" "rapid 2 快速" "rapid 3 快速"

step "the limit is per user: a resident still sends"
send r1 "$G" "another user is not limited" >/dev/null
node_stop st

step "a group's own budget: --group-rate-burst 4 --group-rate-per-min 6, shared by its members"
node_stop st
node_start st --port "$ST_PORT" --max-group 3 --group-rate-burst 4 --group-rate-per-min 6
start=$(date +%s)
send r1 "$G" "group budget 1" >/dev/null
send r2 "$G" "group budget 2" >/dev/null
send r1 "$G" "group budget 3" >/dev/null
send r2 "$G" "group budget 4" >/dev/null
out=$(yi_fails r1 send "$G" "group budget 5: over the group's budget")
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 9 ] || fail "the five sends took ${elapsed}s: too slow to test the group budget"
check_error "5th rapid send into the group" "$out" 18 rate_limited
check_match "the refusal names the group" "receives too many messages" "$out"
