# case_lifecycle: a fraud case goes new -> claimed -> in progress -> resolved, with an
# encrypted note each way; a non-police case is transferred to a department; a
# handler escalates a case to the outbox; one is rejected. Every step is a signed log
# entry, which the reporter's `yishi watch` receives and verifies, and `case show`
# lists, verified, for reporter and handler alike. The notes never reach the node's
# files in plaintext.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"

case_up --department housing --department "12345 hotline"
watch_start r

step "report, claim, progress"
F=$(report r --kind fraud --area 330281 --fraud-type part-time "刷单返利被骗 part-time job scam")
check_eq "state after the report" new "$(case_field officer "$F" state)"
out=$(yi officer case claim "$F")
check_eq "claim reply" claim "$(jq -r .action <<<"$out")"
check_eq "state after claim" claimed "$(case_field r "$F" state)"
check_eq "handler after claim" "$OFFICER_ID" "$(case_field r "$F" handler)"
yi officer case progress "${F:0:10}" >/dev/null	# a unique prefix names the case too
check_eq "state after progress" in_progress "$(case_field r "$F" state)"

step "a second claim, or a step by someone else, is refused"
user_new officer2 "民警 Sun"
enroll officer2 st >/dev/null
yi admin role grant "$OFFICER2_ID" police >/dev/null
out=$(yi_fails officer2 case claim "$F")
check_error "second claim" "$out" 21 invalid
out=$(yi_fails officer2 case resolve "$F")
check_error "resolve by a handler who did not claim" "$out" 12 forbidden

step "notes both ways, readable by the reporter and the handlers only"
yi officer case note "$F" "已联系银行止付 stop-payment requested" >/dev/null
yi r case note "$F" "谢谢 another transfer went out at 10:02" >/dev/null
out=$(yi r case show "$F")
check_eq "notes the reporter reads" "已联系银行止付 stop-payment requested|谢谢 another transfer went out at 10:02" \
    "$(jq -r 'select(.record == "log" and .action == "note") | .text' <<<"$out" | paste -sd '|')"
out=$(yi officer2 case show "$F")
check_eq "notes another police handler reads" 2 \
    "$(jq -r 'select(.record == "log" and .action == "note") | .text' <<<"$out" | grep -c .)"
out=$(yi_fails mediator case note "$F" "not my queue")
check_error "note by a handler of another queue" "$out" 12 forbidden

step "resolve with an outcome"
yi officer case resolve "$F" --outcome stop-payment-done >/dev/null
check_eq "state after resolve" resolved "$(case_field r "$F" state)"
check_eq "log of the fraud case" "claim progress note note resolve" "$(case_actions r "$F")"
check_eq "log as the handler sees it" "claim progress note note resolve" "$(case_actions officer "$F")"
out=$(yi r case show "$F")
check_eq "outcome label" stop-payment-done \
    "$(jq -r 'select(.record == "log" and .action == "resolve") | .arg' <<<"$out")"
out=$(yi_fails officer case claim "$F")
check_error "claim of a resolved case" "$out" 21 invalid

step "a case can be rejected with a reason"
J=$(report r --kind fraud --area 330281 "接到陌生电话 a strange call, nothing lost")
yi officer case claim "$J" >/dev/null
yi officer case reject "$J" --outcome not-fraud >/dev/null
check_eq "state after reject" rejected "$(case_field r "$J" state)"
check_eq "log of the rejected case" "claim reject" "$(case_actions r "$J")"

step "the reporter's watch got every step, verified"
for a in claim progress note resolve; do
	wait_for "watch shows $a of $F" 5 watch_has r "$F" "$a"
done
wait_for "watch shows the reject of $J" 5 watch_has r "$J" reject
check_eq "the reason, in the watch" not-fraud \
    "$(jq -r --arg c "$J" 'select(.case_id == $c and .action == "reject") | .arg' \
    "$E2E_TMP/watch-r.out")"

step "a non-police case is transferred to a department"
N=$(report r --kind non-police --area 330283 "小区路灯坏了两周 street light broken")
out=$(yi_fails grid case transfer "$N" "no such department")
check_error "transfer to an unknown department" "$out" 110 input
check_match "the error names the departments" "12345 hotline" "$(cat "$E2E_TMP/last.err")"
out=$(yi_fails mediator case transfer "$N" housing)
check_error "transfer by a mediator" "$out" 12 forbidden
yi grid case transfer "$N" housing >/dev/null
check_eq "state after transfer" transferred "$(case_field r "$N" state)"
check_eq "department" housing "$(case_field r "$N" dept)"
check_eq "log of the transferred case" transfer "$(case_actions r "$N")"
wait_for "watch shows the transfer" 5 watch_has r "$N" transfer
check_match "where it went, in the watch" '"arg": *"housing"' "$(cat "$E2E_TMP/watch-r.out")"

step "a handler escalates a case: it waits in the outbox for the parent"
D=$(report r --kind dispute --area 330282 "楼上漏水 water leaking from upstairs")
yi mediator case claim "$D" >/dev/null
yi mediator case escalate "$D" --reason "needs the bureau" >/dev/null
check_eq "state after escalate" escalated "$(case_field r "$D" state)"
wait_for "watch shows the escalation" 5 watch_has r "$D" escalate
out=$("$YISHI_BIN/yishi-node" outbox --data "$(node_dir st)" --json)
check_eq "outbox holds the escalated case" "$D" "$(jq -r .case_id <<<"$out")"
check_eq "outbox destination" bureau "$(jq -r .dest <<<"$out")"

step "case list --state picks the cases in that state"
check_eq "the reporter's escalated cases" "$D" \
    "$(yi r case list --state escalated | jq -r .case_id | paste -sd ' ')"
check_eq "the reporter's resolved cases" "$F" \
    "$(yi r case list --state resolved | jq -r .case_id | paste -sd ' ')"
check_eq "the admin's transferred cases" "$N" \
    "$(yi admin case list --state transferred | jq -r .case_id | paste -sd ' ')"

step "the plain output reads"
out=$("$YISHI_BIN/yishi" --home "$(home_of r)" case show "$F")
check_match "plain case show" "^case $F  fraud \(anti-fraud\)" "$out"
check_match "plain log line" "resolve by 民警 Li: stop-payment-done  \[verified\]" "$out"
watch_stop r
node_stop st

step "the node's files hold no note text"
nd=$(node_dir st)
check_present "the outcome label (a cleartext entry arg)" "$nd/data.mdb" "stop-payment-done"
check_absent "note plaintext" "$nd" "已联系银行止付" "stop-payment requested" \
    "another transfer went out at 10:02"
