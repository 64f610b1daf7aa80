# approval: in a group created with --approval a joiner waits (pending) and reads
# nothing; a plain member cannot approve; the officer approves or refuses.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

# pending_refused WHAT OUT: a refused read/send of a pending user (pending or not_member).
pending_refused() {
	local code
	code=$(error_code "$1" "$2")
	case $code in
	15 | 22 | not_member | pending) ;;
	*) fail "$1: expected error code 22 (pending) or 15 (not_member), got: $2" ;;
	esac
}

member_state() {	# member_state USER_ID: state in the officer's members list, or "absent"
	local out s
	out=$(yi officer group members "$A")
	s=$(jq -r --arg id "$1" 'select(.user_id == $id) | .state' <<<"$out")
	printf '%s\n' "${s:-absent}"
}

station_up
group_new A "审核群 Approval" --approval
send officer "$A" "before anyone joined 加入之前" >/dev/null

step "a resident joins: pending, and cannot read"
user_new r1 "Resident One"
user_new p "Petitioner 申请人"
user_new q "Refused 被拒"
join r1 "$A_LINK" pending >/dev/null
join p "$A_LINK" pending >/dev/null
out=$(yi_fails p read "$A")
pending_refused "read by a pending user" "$out"
check_nomatch "output of the pending read" '加入之前' "$out"

step "the officer approves r1; r1, a plain member, cannot approve p"
yi officer mod approve "$A" "$R1_ID" >/dev/null
check_eq "r1's state after approval" member "$(member_state "$R1_ID")"
out=$(yi_fails r1 mod approve "$A" "$P_ID")
check_error "approve by a plain member" "$out" 12 forbidden
out=$(yi_fails p mod approve "$A" "$P_ID")
code=$(error_code "refused request" "$out")
case $code in 12 | 15 | 22 | forbidden | not_member | pending) ;;
*) fail "self-approval by a pending user: expected forbidden/not_member/pending, got: $out" ;;
esac
out=$(yi_fails p read "$A")
pending_refused "read by p after the refused approvals" "$out"
state=$(member_state "$P_ID")
[ "$state" = pending ] || [ "$state" = absent ] ||
    fail "p's state after refused approvals: expected pending (or not listed), got $state"

step "the officer approves p; p reads what is sent after"
yi officer mod approve "$A" "$P_ID" >/dev/null
check_eq "p's state after approval" member "$(member_state "$P_ID")"
send officer "$A" "welcome, approved members 欢迎" >/dev/null
send r1 "$A" "hello from r1" >/dev/null
out=$(yi p read "$A")
after=$(jq -c 'select(.text == "welcome, approved members 欢迎" or .text == "hello from r1")' <<<"$out")
check_texts "messages p reads that were sent after approval" "$after" \
    "welcome, approved members 欢迎" "hello from r1"
jq -e 'select(.text == null)' <<<"$after" >/dev/null && fail "p cannot decrypt: $out"
send p "$A" "thank you 谢谢" >/dev/null
out=$(yi r1 read "$A")
check_match "r1 reads p's message" '^thank you 谢谢$' "$(jq -r .text <<<"$out")"

step "a refused requester stays out"
join q "$A_LINK" pending >/dev/null
yi officer mod refuse "$A" "$Q_ID" >/dev/null
out=$(yi_fails q read "$A")
check_error "read by a refused requester" "$out" 15 not_member
out=$(yi_fails q send "$A" "let me in")
pending_refused "send by a refused requester" "$out"
state=$(member_state "$Q_ID")
check_eq "q's state after refusal" absent "$state"
out=$(yi officer read "$A")
check_nomatch "messages after the refusal" 'let me in' "$(jq -r .text <<<"$out")"
node_stop st
