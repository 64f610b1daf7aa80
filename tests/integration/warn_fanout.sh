# warn_fanout: a warning signed by a certified issuer reaches every watching session
# in its area, verified and named by the issuer's certificate, and no session outside
# it; a client that connects later, after a node restart, lists what covers its
# areas. One rule decides both: a user is in a warning's area when it covers the
# station's area (where they enrolled) or the area of one of their groups. An update
# supersedes what it references, a cancel both; another issuer cannot cancel it;
# exercise and test warnings are marked as such in plain output; expired warnings are
# no longer listed.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"
. "$(dirname "$0")/warn_lib.bash"

warn_root
station_up --root "$ROOT_PK"		# node "st", area 330281
user_new issuer "宁波反诈 Issuer"
enroll issuer st >/dev/null
issuer_cert nb.cert issuer "宁波市反诈中心" 3302
yi issuer warn cert "$E2E_TMP/nb.cert" --root "$ROOT_PK" >/dev/null
user_new sh "上海反诈 Issuer"
enroll sh st >/dev/null
issuer_cert sh.cert sh "上海市反诈中心" 31
yi sh warn cert "$E2E_TMP/sh.cert" --root "$ROOT_PK" >/dev/null

step "groups in two areas; a watcher in each, one in no group"
group_new NB "宁波 Ningbo"				# area 330281
group_new SH "上海 Shanghai" --area 310101
user_new w1 "Watcher Ningbo"
join w1 "$NB_LINK" member >/dev/null
user_new w2 "Watcher Shanghai"
join w2 "$SH_LINK" member >/dev/null
user_new w3 "Watcher no group"
enroll w3 st >/dev/null
for u in w1 w2 w3; do
	# Pin the root these homes verify against (else the node's, on first use).
	yi "$u" warn list --root "$ROOT_PK" >/dev/null
	watch_start "$u"
done

step "a warning for 3302 (the station's area) reaches every session of the station"
W1=$(warn_issue issuer --severity Severe --urgency Immediate --area 3302 \
    --audience elderly --fraud-type fake-service --expires 2h \
    --headline "冒充客服退款诈骗高发" "近期多起冒充电商客服以退款为由诱导转账。")
wait_for "w1 sees W1 verified" 5 watch_warning w1 "$W1"
wait_for "w3 sees W1 verified" 5 watch_warning w3 "$W1"
wait_for "w2 (enrolled at the station) sees W1 verified" 5 watch_warning w2 "$W1"
check_eq "issuer named in w1's watch" "宁波市反诈中心" \
    "$(jq -r --arg i "$W1" 'select(.id == $i) | .issuer_name' "$E2E_TMP/watch-w1.out")"
check_eq "headline in w3's watch" "冒充客服退款诈骗高发" \
    "$(jq -r --arg i "$W1" 'select(.id == $i) | .headline' "$E2E_TMP/watch-w3.out")"

step "a warning for 310101 reaches the Shanghai group's members only"
W2=$(warn_issue sh --severity Moderate --urgency Expected --area 310101 --expires 2h \
    --headline "投资理财诈骗提醒" "高收益理财群多为诈骗。")
wait_for "w2 sees W2 verified" 5 watch_warning w2 "$W2"
# The node fans out to every session before it replies: anything else is there by now.
sleep 0.3
check_nomatch "w1 got nothing for 310101" "$W2" "$(cat "$E2E_TMP/watch-w1.out")"
check_nomatch "w3 got nothing for 310101" "$W2" "$(cat "$E2E_TMP/watch-w3.out")"
check_eq "warning events at w2" 2 "$(jq -s '[.[] | select(.event == "warning")] | length' "$E2E_TMP/watch-w2.out")"

step "the node restarts: the warnings are still served"
for u in w1 w2 w3; do watch_stop "$u"; done
node_stop st
node_start st --port "$ST_PORT" --root "$ROOT_PK"
for u in w1 w2 w3; do watch_start "$u"; done

step "listing follows the same rule as the fan-out"
user_new late "Late Resident"
enroll late st >/dev/null
# No --root: the first use trusts the node's root, and says so once.
out=$(yi late warn list)
check_eq "first-use notices" 1 "$(grep -c "trusting the federation root offered by" "$E2E_TMP/last.err")"
check_match "the first-use notice names the node and the root" \
    "offered by ws://127.0.0.1:$ST_PORT: $ROOT_PK" "$(cat "$E2E_TMP/last.err")"
yi late warn list >/dev/null
check_nomatch "no notice once pinned" "trusting" "$(cat "$E2E_TMP/last.err")"
check_eq "late list (no group: the station's area)" "$W1 active true 宁波市反诈中心" \
    "$(jq -r '[.id, .state, (.verified | tostring), .issuer_name] | join(" ")' <<<"$out" | paste -sd '|')"
out=$(yi w2 warn list)
check_eq "w2's list (the station's area and the Shanghai group's)" \
    "$(printf '%s\n' "$W1 active true 宁波市反诈中心" "$W2 active true 上海市反诈中心" | sort | paste -sd '|')" \
    "$(jq -r '[.id, .state, (.verified | tostring), .issuer_name] | join(" ")' <<<"$out" | sort | paste -sd '|')"
check_eq "w1's list" "$W1" "$(yi w1 warn list | jq -r .id | paste -sd ' ')"
# The Shanghai centre's own warning is outside this station's areas, but its issuer
# still finds it, to update or cancel it.
check_match "the issuer lists its own warning outside the station's areas" "$W2" \
    "$(yi sh warn list | jq -r .id | paste -sd ' ')"

step "an update supersedes W1; another issuer cannot cancel it"
out=$(yi issuer warn update "$W1" --severity Extreme "已有多人受骗，请勿转账。")
U1=$(jq -r .id <<<"$out")
check_eq "update's type" Update "$(jq -r .msg_type <<<"$out")"
wait_for "w1 sees the update" 5 watch_warning w1 "$U1"
check_eq "update references W1" 1 "$(jq -r --arg i "$U1" 'select(.id == $i) | .references' \
    "$E2E_TMP/watch-w1.out" | grep -c "$(yi issuer warn show "$W1" | jq -r .identifier)")"
check_eq "W1 after the update" superseded "$(warn_state late "$W1")"
check_eq "the update" active "$(warn_state late "$U1")"
check_eq "update severity" Extreme "$(yi late warn show "$U1" | jq -r .severity)"
out=$(yi_fails sh warn cancel "$U1")
check_error "cancel by another issuer" "$out" 12 forbidden
check_eq "the update after a foreign cancel attempt" active "$(warn_state late "$U1")"

step "a cancel supersedes the update and is itself no longer current"
out=$(yi issuer warn cancel "$U1")
C1=$(jq -r .id <<<"$out")
check_eq "cancel's type" Cancel "$(jq -r .msg_type <<<"$out")"
wait_for "w1 sees the cancel" 5 watch_warning w1 "$C1"
check_eq "the update after the cancel" superseded "$(warn_state late "$U1")"
check_eq "the cancel" superseded "$(warn_state late "$C1")"
check_eq "current warnings after the cancel (late)" "" "$(yi late warn list | jq -r .id)"
check_eq "current warnings after the cancel (w2)" "$W2" "$(yi w2 warn list | jq -r .id | paste -sd ' ')"
out=$(yi_fails issuer warn cancel "$U1")
check_error "cancel of a superseded warning" "$out" 21 invalid

step "exercise and test warnings say so in plain output; categories are chosen and shown"
"$YISHI_BIN/yishi" --home "$(home_of w3)" watch >"$E2E_TMP/watch-w3.plain" 2>&1 &
plain_pid=$!
E2E_PIDS+=("$plain_pid")
sleep 0.7
E1=$(warn_issue issuer --status exercise --category Safety,Security --severity Minor \
    --urgency Future --area 330281 --expires 2h --headline "反诈演练 drill" "这是一次演练。")
T1=$(warn_issue issuer --status test --severity Minor --urgency Future --area 330281 \
    --expires 2h --headline "系统测试 test" "这是一次测试。")
plain() { "$YISHI_BIN/yishi" --home "$(home_of late)" "$@"; }
wait_for "w3's plain watch shows the exercise" 5 grep -q "${E1:0:12}" "$E2E_TMP/watch-w3.plain"
wait_for "w3's plain watch shows the test" 5 grep -q "${T1:0:12}" "$E2E_TMP/watch-w3.plain"
e2e_stop_pid "$plain_pid" || true
e2e_forget_pid "$plain_pid"
check_match "plain watch of the exercise" "\[exercise\]" "$(grep "${E1:0:12}" "$E2E_TMP/watch-w3.plain")"
check_match "plain watch of the test" "\[test\]" "$(grep "${T1:0:12}" "$E2E_TMP/watch-w3.plain")"
out=$(plain warn list)
check_match "plain list of the exercise" "\[exercise\]" "$(grep "${E1:0:12}" <<<"$out")"
check_match "plain list of the test" "\[test\]" "$(grep "${T1:0:12}" <<<"$out")"
check_match "plain show of the exercise" "\[exercise\]" "$(plain warn show "$E1")"
check_match "plain show of the test" "\[test\]" "$(plain warn show "$T1")"
check_nomatch "plain show of an actual warning" "\[exercise\]\|\[test\]" "$(plain warn show "$W1")"
check_eq "status of the exercise (JSON)" Exercise "$(yi late warn show "$E1" | jq -r .status)"
check_eq "categories given" "Safety,Security" "$(yi late warn show "$E1" | jq -r .category)"
check_eq "the default category" Security "$(yi late warn show "$T1" | jq -r .category)"
check_eq "category in the list" "Safety,Security" \
    "$(yi late warn list | jq -r --arg i "$E1" 'select(.id == $i) | .category')"
check_eq "fraud type (JSON)" fake-service "$(yi late warn show "$W1" | jq -r .fraud_type)"
rc=0
"$YISHI_BIN/yishi" --home "$(home_of issuer)" --json warn issue --category Fraud \
    --severity Minor --urgency Future --area 330281 --expires 2h --headline x y \
    >"$E2E_TMP/out" 2>"$E2E_TMP/last.err" || rc=$?
check_eq "an unknown category: exit status" 2 "$rc"
check_match "an unknown category: message" "--category 'Fraud': one of Geo Met Safety Security" \
    "$(cat "$E2E_TMP/last.err")"

step "an expired warning is no longer listed"
W3=$(warn_issue issuer --severity Minor --urgency Future --area 330281 --expires 2s \
    --headline "短时提醒" "两秒后过期。")
check_eq "W3 while in force" active "$(warn_state late "$W3")"
sleep 2.5
check_nomatch "current list after expiry" "$W3" "$(yi late warn list | jq -r .id)"
check_eq "W3 in --all" expired "$(warn_state late "$W3")"

for u in w1 w2 w3; do watch_stop "$u"; done
node_stop st
