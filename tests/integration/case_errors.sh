# case_errors: malformed reports get clear errors before anything is sent, and a
# resident can neither claim, act on, list nor read cases that are not their own
# reports, nor see the figures.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"

case_up

# usage_error WHAT REGEX ARGS...: exit 2 (usage), with the reason on stderr.
usage_error() {
	local what=$1 re=$2 rc=0
	shift 2
	"$YISHI_BIN/yishi" --home "$(home_of r)" --json "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/last.err" || rc=$?
	check_eq "$what: exit status" 2 "$rc"
	check_match "$what: message" "$re" "$(cat "$E2E_TMP/last.err")"
}
# bad_input WHAT REGEX ARGS...: refused (exit 1, error "input") with the reason.
bad_input() {
	local what=$1 re=$2 out
	shift 2
	out=$(yi_fails r "$@")
	check_error "$what" "$out" 110 input
	check_match "$what: message" "$re" "$(cat "$E2E_TMP/last.err")"
}

step "malformed reports"
usage_error "no kind" "--kind fraud\|dispute\|non-police is required" report --area 330281 "text"
usage_error "no area" "--area CODE is required" report --kind fraud "text"
usage_error "no text" "wrong number of arguments" report --kind fraud --area 330281
usage_error "an option of another command" "report does not take --party" \
    report --kind fraud --area 330281 --party x "text"
bad_input "unknown kind" "theft: not a kind of report" report --kind theft --area 330281 "text"
bad_input "one-digit area" "an area code is 2 to 12 digits" report --kind fraud --area 3 "text"
bad_input "letters in the area" "an area code is 2 to 12 digits" report --kind fraud --area 33A281 "text"
bad_input "13-digit area" "an area code is 2 to 12 digits" report --kind fraud --area 3302811234567 "text"
bad_input "empty text" "the report text is empty" report --kind fraud --area 330281 ""
bad_input "text too long" "the report text is 4097 bytes, at most 4096" \
    report --kind fraud --area 330281 "$(head -c 4097 /dev/zero | tr '\0' x)"
bad_input "fraud type on a dispute" "--fraud-type is for fraud reports only" \
    report --kind dispute --area 330281 --fraud-type investment "text"
bad_input "bad fraud type" "a fraud type is 1 to 32" \
    report --kind fraud --area 330281 --fraud-type "Invest Ment" "text"
bad_input "bad amount" "an amount is a number of yuan" \
    report --kind fraud --area 330281 --amount 3,000 "text"
bad_input "bad phone" "a phone number is" report --kind fraud --area 330281 --phone "call me" "text"
bad_input "bad reference" "--ref takes GROUP:SEQ" report --kind fraud --area 330281 --ref nocolon "text"
accts=()
for i in 1 2 3 4 5 6 7 8 9; do accts+=(--account "62220000$i"); done
usage_error "nine accounts" "at most 8 --account options" report --kind fraud --area 330281 "${accts[@]}" "text"
out=$(yi_fails r report --kind fraud --area 330281 --attach "$E2E_TMP/no-such-file" "text")
check_error "a missing attachment" "$out" 101 io
check_match "a missing attachment: message" "--attach .*no-such-file: cannot read it: No such file" \
    "$(cat "$E2E_TMP/last.err")"
head -c $((48 * 1024 + 1)) /dev/zero >"$E2E_TMP/big.bin"
bad_input "an oversized attachment" "big.bin: attachments are limited to 48 KiB in all" \
    report --kind fraud --area 330281 --attach "$E2E_TMP/big.bin" "text"
head -c $((30 * 1024)) /dev/zero >"$E2E_TMP/half1.bin"
head -c $((30 * 1024)) /dev/zero >"$E2E_TMP/half2.bin"
bad_input "attachments over the limit together" "half2.bin: attachments are limited to 48 KiB" \
    report --kind fraud --area 330281 --attach "$E2E_TMP/half1.bin" --attach "$E2E_TMP/half2.bin" "text"
check_nomatch "no usage text for a file error" "^usage:" "$(cat "$E2E_TMP/last.err")"
check_eq "nothing reached the node" 0 "$(yi officer case list | jq -s length)"

step "a resident cannot claim, act on or read cases"
F=$(report r --kind fraud --area 330281 "SECRET-OF-R 被骗了")
user_new x "居民 Xu"
enroll x st >/dev/null
for act in claim progress escalate resolve reject; do
	out=$(yi_fails x case "$act" "$F")
	check_error "$act by another resident" "$out" 12 forbidden
done
out=$(yi_fails x case note "$F" "let me in")
check_error "note by another resident" "$out" 12 forbidden
out=$(yi_fails x case show "$F")
check_error "show by another resident" "$out" 12 forbidden
check_nomatch "no plaintext leaks into the error" "SECRET-OF-R" "$out $(cat "$E2E_TMP/last.err")"
check_eq "another resident's list" 0 "$(yi x case list | jq -s length)"
check_eq "another resident's list of a queue" 0 "$(yi x case list --queue anti-fraud | jq -s length)"
out=$(yi_fails x case claim "${F:0:8}")
check_error "a prefix of someone else's case" "$out" 13 not_found
step "not even the reporter may handle their own case"
out=$(yi_fails r case claim "$F")
check_error "claim by the reporter" "$out" 12 forbidden
out=$(yi_fails r case resolve "$F")
check_error "resolve by the reporter" "$out" 12 forbidden
out=$(yi_fails r case escalate "$F")
check_error "escalate by the reporter" "$out" 12 forbidden
out=$(yi_fails r stats)
check_error "figures for a resident" "$out" 12 forbidden
check_eq "state after all that" new "$(case_field officer "$F" state)"
check_eq "log after all that" "" "$(case_actions officer "$F")"

step "bad case ids, queues, states"
bad_input "not a case id" "not a case id" case show xyz
bad_input "unknown queue" "not a queue" case list --queue police
bad_input "unknown state" "not a case state" case list --state open
out=$(yi_fails officer case show 00000000000000000000000000000000)
check_error "unknown case" "$out" 13 not_found
bad_input "bad stats date" "--since takes a date" stats --since yesterday
usage_error "a date where a seq belongs" "--since takes a sequence number" read G --since 2026-01-01
node_stop st
