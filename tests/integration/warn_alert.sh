# warn_alert: a high-risk alert (精准劝阻) addressed to one person's area code and
# station opens an urgent fraud case in that station's anti-fraud queue, with the
# urgent deadline, which the police handler lists; a cancel of it opens none, and an
# alert for another station's person opens none here.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/warn_lib.bash"

warn_root
# station_up, by hand: the node's id (its key) is what the alert names.
out=$("$YISHI_BIN/yishi-node" init --data "$(node_dir st)" --name "平安派出所" --area 330281 --json)
ST_CODE=$(jq -r .enroll_code <<<"$out")
ST_NODE=$(jq -r .node_id <<<"$out")
[[ $ST_NODE =~ ^[0-9a-f]{64}$ ]] || fail "yishi-node init printed no node_id: $out"
node_start st --root "$ROOT_PK" --deadline fraud-urgent=600
user_new admin "站长 Admin"
enroll admin st "$ST_CODE" >/dev/null
user_new officer "民警 Li"
enroll officer st >/dev/null
yi admin role grant "$OFFICER_ID" police >/dev/null
user_new issuer "Issuer"
enroll issuer st >/dev/null
issuer_cert nb.cert issuer "宁波市反诈中心" 3302
yi issuer warn cert "$E2E_TMP/nb.cert" --root "$ROOT_PK" >/dev/null

step "a high-risk alert about a person of this station"
before=$(yi officer case list | jq -s length)
A=$(warn_issue issuer --severity Extreme --urgency Immediate --area 330281 \
    --fraud-type investment --expires 1d --headline "高风险：疑似正在被投资诈骗" \
    --target-area 330281001 --target-station "$ST_NODE" "请立即上门劝阻。")
out=$(yi issuer warn show "$A")
check_eq "target in the warning" "330281001 $ST_NODE" "$(jq -r '[.target_area, .target_station] | join(" ")' <<<"$out")"
out=$(yi officer case list)
check_eq "cases after the alert" $((before + 1)) "$(jq -s length <<<"$out")"
case=$(jq -c --arg a "$A" 'select(.case_id == $a)' <<<"$out")
[ -n "$case" ] || fail "no case $A (the warning's id) in the officer's list: $out"
check_eq "the case" "fraud true new 330281001 investment $ST_NODE" \
    "$(jq -r '[.kind, (.urgent | tostring), .state, .area, .fraud_type, .reporter] | join(" ")' <<<"$case")"
dl=$(jq -r '.deadline - .ts' <<<"$case")
[ "$dl" -ge 599000 ] && [ "$dl" -le 601000 ] || fail "deadline of the alert's case is ${dl} ms after it, expected 600000"
out=$(yi officer case show "$A")
check_match "the handler reads the alert" "高风险" "$(jq -r 'select(.record == "case") | .text' <<<"$out")"

step "a cancel of the alert opens no second case"
yi issuer warn cancel "$A" >/dev/null
check_eq "cases after the cancel" $((before + 1)) "$(yi officer case list | jq -s length)"

step "an alert about a person of another station opens none here"
other=$(printf '%064d' 7)
warn_issue issuer --severity Extreme --urgency Immediate --area 330281 --expires 1d \
    --headline "高风险：另一派出所辖区" --target-area 330281002 --target-station "$other" \
    "由该派出所处理。" >/dev/null
check_eq "cases after an alert for another station" $((before + 1)) "$(yi officer case list | jq -s length)"
node_stop st
