# node_checks: what the node itself enforces on signed requests, bypassing the
# client's own checks (tests/tools/yraw): membership, pending requests, the sender
# named in a message header, replays, stale epochs, signatures. And a message the node
# cannot tell apart from a real one (sealed under a key no member holds) is shown by
# every reader as undecryptable ("text": null + "error"), without hiding the others.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

station_up
group_new G "Checks 校验"
user_new r1 "Resident One"
user_new r2 "Resident Two"
join r1 "$G_LINK" member >/dev/null
join r2 "$G_LINK" member >/dev/null
yi officer group list >/dev/null
s1=$(send officer "$G" "genuine one 真实一")
s2=$(send r1 "$G" "genuine two 真实二")

step "a registered non-member: send and history refused by the node"
user_new outsider "Outsider"
enroll outsider st >/dev/null
out=$(yraw outsider send "$G" "outsider's message" history "$G")
check_match "node: send by a non-member" '^frame t=error code=15 ' "$(sed -n 1p <<<"$out")"
check_match "node: history by a non-member" '^frame t=error code=15 ' "$(sed -n 2p <<<"$out")"

step "a pending user: send and history refused by the node"
group_new P "Approval only" --approval
user_new pend "Pending"
join pend "$P_LINK" pending >/dev/null
out=$(yraw pend send "$P" "pending user's message" history "$P")
check_match "node: send by a pending user" '^frame t=error code=(22|15) ' "$(sed -n 1p <<<"$out")"
check_match "node: history by a pending user" '^frame t=error code=(22|15) ' "$(sed -n 2p <<<"$out")"

step "a member replays the officer's message as its own: refused"
out=$(yraw r2 replay "$G" "$s1")
check_match "node: a message naming another sender" '^frame t=error code=12 ' "$out"

step "the officer resends its own message: acknowledged again, not stored twice"
out=$(yraw officer replay "$G" "$s1")
check_match "node: resend of a stored message" "^frame t=ack rid=[0-9]+ seq=$s1\$" "$out"

step "stale epoch, bad signature: refused"
out=$(yraw r2 --epoch 2 send "$G" "from the future")
check_match "node: epoch 2 while the group is at 1" '^frame t=error code=17 ' "$out"
out=$(yraw r2 badsig "$G" "tampered")
check_match "node: a bad signature" '^frame t=error code=16 ' "$out"

step "a member sends under a key no one holds: stored, shown as undecryptable"
out=$(yraw r2 send "$G" "sealed under a stray key")
check_match "node: a well-formed message under an unknown key" '^frame t=ack ' "$out"
s4=$(send r1 "$G" "genuine four 真实四")
for u in officer r1 r2; do
	out=$(yi "$u" read "$G")
	check_eq "messages $u reads" 4 "$(jq -s length <<<"$out")"
	check_seqs_increase "messages $u reads" "$out"
	check_eq "genuine texts $u reads" "genuine one 真实一|genuine two 真实二|genuine four 真实四" \
	    "$(jq -r 'select(.text != null) | .text' <<<"$out" | paste -sd '|')"
	bad=$(jq -c 'select(.text == null)' <<<"$out")
	[ -n "$bad" ] || fail "$u: the message under a stray key was shown as text: $out"
	check_eq "sender of the undecryptable message" "$R2_ID" "$(jq -r .sender <<<"$bad")"
	[ "$(jq -r '.error | type' <<<"$bad")" = string ] && [ -n "$(jq -r .error <<<"$bad")" ] ||
	    fail "$u: an undecryptable message without an error: $bad"
done

step "nothing refused was stored"
out=$(yraw officer history "$G")
check_match "messages stored" '^frame t=msgs rid=[0-9]+ n=4$' "$out"
out=$(yi officer read "$G" --since "$s2")
check_eq "seqs after $s2" "$((s2 + 1)),$s4" "$(jq -r .seq <<<"$out" | paste -sd ,)"
out=$(yi officer read "$P")
check_eq "messages in the approval group" "" "$out"
node_stop st
