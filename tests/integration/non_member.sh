# non_member: a registered user who is not a member of a group can neither read nor
# send to it (not_member); a user whose join request is pending cannot either.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

station_up
group_new G "Members Only 成员专用"
user_new member "Member 成员"
join member "$G_LINK" member >/dev/null
yi officer group list >/dev/null
send officer "$G" "for members only 仅限成员" >/dev/null

step "a registered non-member cannot read"
user_new outsider "Outsider 外人"
enroll outsider st >/dev/null
out=$(yi_fails outsider read "$G")
check_error "read by a non-member" "$out" 15 not_member
check_nomatch "output of the refused read" "仅限成员|for members only" "$out"

step "a registered non-member cannot send"
out=$(yi_fails outsider send "$G" "intruder message 闯入")
check_error "send by a non-member" "$out" 15 not_member

step "a user whose join request is pending cannot read or send"
group_new P "Approval 审核群" --approval
send officer "$P" "pending users must not see this 待审" >/dev/null
user_new pend "Pending 待审核"
join pend "$P_LINK" pending >/dev/null
yi officer group list >/dev/null
out=$(yi_fails pend read "$P")
# Either code is right: the node says why (pending), or that they are no member yet.
code=$(error_code "refused request" "$out")
case $code in
15 | 22 | not_member | pending) ;;
*) fail "read by a pending user: expected error code 15 (not_member) or 22 (pending), got: $out" ;;
esac
check_error "read by a pending user" "$out" "$code" "$code"
check_nomatch "output of the pending user's read" "待审" "$out"
out=$(yi_fails pend send "$P" "pending user's message")
code=$(error_code "refused request" "$out")
case $code in
15 | 22 | not_member | pending) ;;
*) fail "send by a pending user: expected error code 15 or 22, got: $out" ;;
esac

step "nothing the refused users tried landed"
out=$(yi member read "$G")
check_texts "messages in G" "$out" "for members only 仅限成员"
out=$(yi officer read "$P")
check_texts "messages in P" "$out" "pending users must not see this 待审"
out=$(yi officer group members "$G")
check_eq "members of G" 2 "$(jq -s length <<<"$out")"
jq -e --arg id "$OUTSIDER_ID" 'select(.user_id == $id)' <<<"$out" >/dev/null &&
    fail "the outsider is listed as a member of G: $out"
node_stop st
