# case_deadline: an urgent fraud case nobody claims is escalated by the node when its
# deadline passes (an entry signed with the node key, which clients check against the
# key they pinned), put in the outbox for the parent, and the reporter is told. A case
# claimed in time is not. The deadline holds across a restart: the node is stopped
# (SIGTERM, then kill -9) before it passes and started after, and escalates at once.
# The node publishes a bureau reader (--escalate-to): the report `yishi report` sealed
# waits in the outbox with a seal the bureau's key opens, and an outsider's does not.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"

# The bureau's reader: the node publishes them as an escalation reader, so clients seal
# every report to them too; an outsider, who is nobody's reader.
user_new bureau "分局 Bureau Reader"
user_new outsider "Outsider"
# 5 s: long enough that the checks before it pass on a loaded machine, short enough to wait.
DL=(--deadline fraud-urgent=5 --deadline fraud=300 --escalate-to "$BUREAU_ID")
case_up "${DL[@]}"
port=$ST_PORT
outbox() {
	"$YISHI_BIN/yishi-node" outbox --data "$(node_dir st)" --json
}
# outbox_open USER ID: outboxopen as USER on the outbox payload of case ID.
outbox_open() {
	outbox | jq -r --arg c "$2" 'select(.case_id == $c) | .payload' |
	    "$YISHI_BIN/outboxopen" --home "$(home_of "$1")"
}
escalated() {
	[ "$(case_field "$1" "$2" state)" = escalated ]
}

step "an unclaimed urgent fraud case escalates after 5 s; one claimed in time does not"
watch_start r
A=$(report r --kind fraud --urgent --area 330281 --fraud-type fake-service "冒充客服 urgent, nobody claims")
B=$(report r --kind fraud --urgent --area 330281 "claimed in time")
C=$(report r --kind fraud --area 330281 "not urgent: a 300 s deadline")
yi officer case claim "$B" >/dev/null
out=$(yi r case list --mine)
dl=$(jq -r --arg c "$A" 'select(.case_id == $c) | .deadline - .ts' <<<"$out")
[ "$dl" -ge 4900 ] && [ "$dl" -le 5100 ] || fail "deadline of the urgent case is ${dl} ms after the report, expected 5000"
dl=$(jq -r --arg c "$C" 'select(.case_id == $c) | .deadline - .ts' <<<"$out")
[ "$dl" -ge 299000 ] && [ "$dl" -le 301000 ] || fail "deadline of the non-urgent case is ${dl} ms, expected 300000"
check_eq "state before the deadline" new "$(case_field officer "$A" state)"
wait_for "the node escalates case A" 12 escalated officer "$A"
out=$(yi r case show "$A")
check_eq "escalation entry" "escalate|true|true|deadline" \
    "$(jq -r 'select(.record == "log") | [.action, .by_node, .verified, .arg] | join("|")' <<<"$out")"
check_eq "B after the deadline" claimed "$(case_field officer "$B" state)"
check_eq "C after A's deadline" new "$(case_field officer "$C" state)"
wait_for "the reporter's watch shows the escalation" 5 watch_has r "$A" escalate
check_eq "watch: the node did it" true \
    "$(jq -r --arg c "$A" 'select(.case_id == $c) | .by_node' "$E2E_TMP/watch-r.out")"
check_eq "outbox after the deadline" "$A" "$(outbox | jq -r .case_id | paste -sd ' ')"
watch_stop r

step "the escalated report is sealed to the bureau's reader, who opens it; nobody else"
check_eq "the payload's size" "$(outbox | jq -r .bytes)" \
    "$(($(outbox | jq -r .payload | tr -d '\n' | wc -c) / 2))"
rc=0
out=$(outbox_open bureau "$A") || rc=$?
check_eq "outboxopen as the bureau (exit status)" 0 "$rc"
check_eq "the payload's seals" "readers 1|reader $BUREAU_ID|sealed to me|opened" \
    "$(grep -v '^text ' <<<"$out" | paste -sd '|')"
check_eq "the text the bureau reads" "text 冒充客服 urgent, nobody claims" "$(grep '^text ' <<<"$out")"
rc=0
out=$(outbox_open outsider "$A") || rc=$?
check_eq "outboxopen as an outsider (exit status)" 1 "$rc"
check_match "the outsider has no seal" "^not sealed to me\$" "$out"
check_nomatch "the outsider reads nothing" "冒充客服" "$out"

step "an escalated case can still be claimed at this station"
yi officer case claim "$A" >/dev/null
check_eq "state after claiming the escalated case" claimed "$(case_field r "$A" state)"

for how in sigterm kill9; do
	step "restart ($how) across a deadline: the node escalates on start"
	D=$(report r --kind fraud --urgent --area 330281 "report before a $how restart")
	if [ "$how" = sigterm ]; then node_stop st; else node_kill9 st; fi
	sleep 5.5
	before=$(outbox | jq -r .case_id)
	check_nomatch "outbox while the node is down" "$D" "$before"
	node_start st --port "$port" "${DL[@]}"
	wait_for "the node escalates case $D after the restart" 5 escalated r "$D"
	out=$(yi r case show "$D")
	check_eq "escalation entry after the restart" "escalate|true|true|deadline" \
	    "$(jq -r 'select(.record == "log") | [.action, .by_node, .verified, .arg] | join("|")' <<<"$out")"
	check_match "outbox after the restart" "^$D\$" "$(outbox | jq -r .case_id)"
done
check_eq "outbox entries" 3 "$(outbox | jq -s length)"
check_eq "C is still new" new "$(case_field officer "$C" state)"

step "figures: claimed in time, and not"
out=$(yi officer stats)
check_eq "urgent fraud cases claimed" 2 "$(jq -s '[.[] | select(.kind == "fraud") | .claimed] | add' <<<"$out")"
check_eq "claimed within the deadline" 1 "$(jq -s '[.[] | select(.kind == "fraud") | .in_time] | add' <<<"$out")"
node_stop st
