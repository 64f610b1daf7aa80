# case_routing: each kind of report reaches its queue; only that queue's handlers (and
# the reporter) can read its body: a handler of another queue is refused, a handler
# listing the cases sees only the queues it handles, and the node's files hold no
# plaintext of any body. The node runs with the default claim deadlines.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"
export LC_ALL=C	# grep compares bytes: the Chinese markers are searched as UTF-8

case_up
nonce=$RANDOM$RANDOM$RANDOM

step "three reports, one of each kind, with unique markers in their bodies"
attach=$E2E_TMP/转账截图-$nonce.txt
printf 'ATTACHMARKER-%s a screenshot stands here\n' "$nonce" >"$attach"
head -c 20000 /dev/urandom >>"$attach"
F=$(report r --kind fraud --urgent --area 330281 --fraud-type investment \
    --amount 30000 --account "6222FRAUDACCT$nonce" --phone "138$nonce" --attach "$attach" \
    "FRAUDMARKER-$nonce 有人冒充客服要我转账")
D=$(report r --kind dispute --area 330282 "DISPUTEMARKER-$nonce 邻居噪音纠纷")
N=$(report r --kind non-police --area 330283 "NONPOLICEMARKER-$nonce 路灯坏了")
check_eq "distinct case ids" 3 "$(printf '%s\n' "$F" "$D" "$N" | sort -u | wc -l)"
check_eq "queue of the fraud report" anti-fraud "$(case_field r "$F" queue)"
check_eq "queue of the dispute report" mediation "$(case_field r "$D" queue)"
check_eq "queue of the non-police report" transfer "$(case_field r "$N" queue)"

step "the reporter reads their own reports"
out=$(yi r case show "$F")
check_eq "fraud text (reporter)" "FRAUDMARKER-$nonce 有人冒充客服要我转账" \
    "$(jq -r 'select(.record == "case") | .text' <<<"$out")"
check_eq "fraud accounts (reporter)" "6222FRAUDACCT$nonce" \
    "$(jq -r 'select(.record == "case") | .accounts' <<<"$out")"
check_eq "report signature verified" true "$(jq -r 'select(.record == "case") | .verified' <<<"$out")"
check_eq "the reporter's list" 3 "$(yi r case list | jq -s length)"

step "each queue's handlers read its body"
check_eq "fraud text (police)" "FRAUDMARKER-$nonce 有人冒充客服要我转账" "$(case_field officer "$F" text)"
check_eq "fraud amount (police)" 30000 "$(case_field officer "$F" amount)"
check_eq "fraud phones (police)" "138$nonce" "$(case_field officer "$F" phones)"
check_match "fraud attachment listed (police)" "转账截图-$nonce.txt \\($(wc -c <"$attach") bytes\\)" \
    "$(case_field officer "$F" attachments)"
mkdir -p "$E2E_TMP/saved"
yi officer case show "$F" --out "$E2E_TMP/saved" >/dev/null
cmp -s "$attach" "$E2E_TMP/saved/$(basename "$attach")" ||
    fail "the attachment the handler saved differs from the one reported"
check_eq "dispute text (mediator)" "DISPUTEMARKER-$nonce 邻居噪音纠纷" "$(case_field mediator "$D" text)"
check_eq "non-police text (grid)" "NONPOLICEMARKER-$nonce 路灯坏了" "$(case_field grid "$N" text)"
check_eq "non-police text (police)" "NONPOLICEMARKER-$nonce 路灯坏了" "$(case_field officer "$N" text)"
for id in "$F" "$D" "$N"; do
	check_match "admin reads $id" MARKER-"$nonce" "$(case_field admin "$id" text)"
done

step "a handler of another queue cannot read the case"
out=$(yi_fails mediator case show "$F")
check_error "mediator shows a fraud case" "$out" 12 forbidden
out=$(yi_fails grid case show "$F")
check_error "grid worker shows a fraud case" "$out" 12 forbidden
out=$(yi_fails officer case show "$D")
check_error "police shows a dispute case" "$out" 12 forbidden
out=$(yi_fails mediator case show "$N")
check_error "mediator shows a non-police case" "$out" 12 forbidden

step "each handler lists only the queues it handles"
check_eq "police list" "$(printf '%s\n' "$F" "$N" | sort | paste -sd ' ')" \
    "$(yi officer case list | jq -r .case_id | sort | paste -sd ' ')"
check_eq "mediator list" "$D" "$(yi mediator case list | jq -r .case_id | paste -sd ' ')"
check_eq "grid list" "$N" "$(yi grid case list | jq -r .case_id | paste -sd ' ')"
check_eq "police list of the anti-fraud queue" "$F" \
    "$(yi officer case list --queue anti-fraud | jq -r .case_id | paste -sd ' ')"
check_eq "admin list" 3 "$(yi admin case list | jq -s length)"
check_eq "urgent flag listed" true "$(yi officer case list --queue anti-fraud | jq -r .urgent)"

step "the default claim deadlines: urgent fraud 3 min, fraud 1 h, dispute 24 h"
F2=$(report r --kind fraud --area 330281 --fraud-type investment "an investment group chat")
deadline_of() {
	yi "$1" case show "$2" | jq -r 'select(.record == "case") | .deadline - .ts'
}
check_eq "claim deadline of the urgent fraud case (ms)" 180000 "$(deadline_of r "$F")"
check_eq "claim deadline of the fraud case (ms)" 3600000 "$(deadline_of r "$F2")"
check_eq "claim deadline of the dispute (ms)" 86400000 "$(deadline_of r "$D")"

step "a report about a group message: --ref GROUP:SEQ"
group_new G "治安群 Neighbourhood"
join r "$G_LINK" member >/dev/null
yi officer group list >/dev/null	# boxes the group key to r
seq=$(send officer "$G" "有人在群里发刷单链接 a task-scam link was posted here")
R=$(report r --kind fraud --area 330281 --ref "$G:$seq" "the link in the group")
out=$(yi officer case show "$R")
check_eq "the reference (JSON)" "$G $seq" \
    "$(jq -r 'select(.record == "case") | [.ref_group, .ref_seq] | join(" ")' <<<"$out")"
check_match "the reference (plain)" "^about message #$seq of group $G$" \
    "$("$YISHI_BIN/yishi" --home "$(home_of officer)" case show "$R")"
out=$(yi_fails r report --kind fraud --area 330281 --ref "$G:$((seq + 100))" "no such message")
check_error "a reference to a message that does not exist" "$out" 13 not_found
check_match "the reason" "message #$((seq + 100)) of group $G, which does not exist" \
    "$(cat "$E2E_TMP/last.err")"

step "another resident sees none of it"
user_new r2 "居民 Liu"
enroll r2 st >/dev/null
check_eq "other resident's list" 0 "$(yi r2 case list | jq -s length)"
out=$(yi_fails r2 case show "$F")
check_error "other resident shows the case" "$out" 12 forbidden

step "the node's files hold no body"
node_stop st
nd=$(node_dir st)
check_present "the area code (routing metadata)" "$nd/data.mdb" "330283"
check_present "the fraud type (routing metadata)" "$nd/data.mdb" "investment"
check_absent "plaintext" "$nd" "MARKER-$nonce" "FRAUDACCT$nonce" "138$nonce" "有人冒充客服" \
    "邻居噪音纠纷" "路灯坏了" "ATTACHMARKER-$nonce"
