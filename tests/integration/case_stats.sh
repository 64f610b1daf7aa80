# case_stats: the oversight figures agree with the cases created: counts by kind,
# area, fraud type and outcome, claims within the deadline, in JSON and as a table.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"

case_up --deadline fraud=4
step "nine cases of known kinds, areas, fraud types and outcomes"
f1=$(report r --kind fraud --area 330281 --fraud-type investment "one")
yi officer case claim "$f1" >/dev/null		# within the 4 s deadline
yi officer case resolve "$f1" >/dev/null
f3=$(report r --kind fraud --area 330282 --fraud-type part-time "three")
yi officer case claim "$f3" >/dev/null
yi officer case reject "$f3" --outcome not-fraud >/dev/null
f2=$(report r --kind fraud --area 330281 --fraud-type investment "two")
f4=$(report r --kind fraud --area 330282 "four, no type")
d1=$(report r --kind dispute --area 330281 "five")
report r --kind dispute --area 330281 "six" >/dev/null
n1=$(report r --kind non-police --area 330283 "seven")
report r --kind non-police --area 330283 "eight" >/dev/null
report r --kind non-police --area 330284 "nine" >/dev/null
yi mediator case claim "$d1" >/dev/null
yi grid case transfer "$n1" 住房和城乡建设局 >/dev/null
escalated() { [ "$(case_field officer "$1" state)" = escalated ]; }
wait_for "f4 escalated at its deadline" 8 escalated "$f4"
yi officer case claim "$f2" >/dev/null		# late: escalated by then
yi officer case claim "$f4" >/dev/null

step "the figures"
out=$(yi admin stats)
sum() { jq -s "[.[] | $1] | add // 0" <<<"$out"; }
check_eq "all cases" 9 "$(sum .count)"
check_eq "fraud cases" 4 "$(sum 'select(.kind == "fraud") | .count')"
check_eq "dispute cases" 2 "$(sum 'select(.kind == "dispute") | .count')"
check_eq "non-police cases" 3 "$(sum 'select(.kind == "non-police") | .count')"
check_eq "investment fraud" 2 "$(sum 'select(.fraud_type == "investment") | .count')"
check_eq "part-time fraud" 1 "$(sum 'select(.fraud_type == "part-time") | .count')"
check_eq "area 330283" 2 "$(sum 'select(.area == "330283") | .count')"
check_eq "area 330281" 4 "$(sum 'select(.area == "330281") | .count')"
check_eq "resolved" 1 "$(sum 'select(.state == "resolved") | .count')"
check_eq "rejected" 1 "$(sum 'select(.state == "rejected") | .count')"
check_eq "transferred" 1 "$(sum 'select(.state == "transferred") | .count')"
check_eq "claimed" 3 "$(sum 'select(.state == "claimed") | .count')"
check_eq "new" 3 "$(sum 'select(.state == "new") | .count')"
check_eq "fraud claimed" 4 "$(sum 'select(.kind == "fraud") | .claimed')"
check_eq "fraud claimed within the deadline" 2 "$(sum 'select(.kind == "fraud") | .in_time')"
check_eq "all the same ISO week" "all" "$(jq -r .week <<<"$out" | sort -u)"
# Time to claim: f2 and f4 were claimed after their 4 s deadline, f1 and f3 at once.
claim_ms() { jq -r "select($1) | .claim_ms" <<<"$out"; }
ms=$(claim_ms '.kind == "fraud" and .fraud_type == "investment" and .state == "claimed"')
[ "$ms" -ge 4000 ] || fail "time to claim of f2 (claimed late): $ms ms, expected >= 4000"
ms=$(claim_ms '.kind == "fraud" and .fraud_type == "" and .state == "claimed"')
[ "$ms" -ge 4000 ] || fail "time to claim of f4 (claimed late): $ms ms, expected >= 4000"
ms=$(claim_ms '.kind == "fraud" and .state == "resolved"')
[ "$ms" -lt 4000 ] || fail "time to claim of f1 (claimed at once): $ms ms, expected < 4000"
ms=$(claim_ms '.kind == "fraud" and .state == "rejected"')
[ "$ms" -lt 4000 ] || fail "time to claim of f3 (claimed at once): $ms ms, expected < 4000"
check_eq "time to claim of an unclaimed row" 0 \
    "$(claim_ms '.kind == "non-police" and .area == "330284"')"
out=$(yi officer stats --week)
week=$(date -u +%G-W%V)
check_eq "per week" "$week" "$(jq -r .week <<<"$out" | sort -u)"
check_eq "all cases, per week" 9 "$(sum .count)"
out=$(yi officer stats --since "$(date -d tomorrow +%F)")
check_eq "nothing since tomorrow" 0 "$(jq -s length <<<"$out")"

step "the table"
out=$("$YISHI_BIN/yishi" --home "$(home_of officer)" stats --week)
check_match "table header" "^WEEK +KIND +AREA +FRAUD TYPE +OUTCOME +CASES +CLAIMED +IN TIME +TO CLAIM" "$out"
check_match "investment row" "^$week +fraud +330281 +investment +claimed +1 +1 +0 " "$out"
check_match "totals" "^9 cases; 5 claimed, 3 of them within the deadline" "$out"
node_stop st
