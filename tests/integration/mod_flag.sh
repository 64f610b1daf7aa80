# mod_flag: a member reports a message to the group's moderators, with a reason
# boxed to each moderator: the moderators' running watch shows it and `mod flags`
# lists it, decrypted; a resident cannot read flags; the reason is not stored in
# the clear on the node.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident mod1 "Moderator"
resident r "Reporter 举报人"
resident x "Other"
yi officer mod promote "$G" "$MOD1_ID" >/dev/null
seq=$(send x "$G" "buy fake certificates here")

"$YISHI_BIN/yishi" --home "$(home_of officer)" --json watch "$G" >"$E2E_TMP/w.out" 2>"$E2E_TMP/w.err" &
W=$!
E2E_PIDS+=("$W")
ready() {
	send officer "$G" "ping" >/dev/null
	sleep 0.3
	grep -q '"ping"' "$E2E_TMP/w.out"
}
wait_for "officer's watch" 10 ready

step "r flags the message"
reason="FLAG-REASON-91c2 诈骗广告 scam ad"
out=$(yi r mod flag "$G" "$seq" "$reason")
check_eq "moderators reached" 2 "$(jq -r .moderators <<<"$out")"
wait_for "the flag in the officer's watch" 5 grep -q "\"event\": *\"flag\".*\"reason\": *\"$reason\"" "$E2E_TMP/w.out"
for who in officer mod1; do
	out=$(yi "$who" mod flags "$G")
	check_eq "$who's flags: seq" "$seq" "$(jq -r .seq <<<"$out")"
	check_eq "$who's flags: from" "$R_ID" "$(jq -r .from <<<"$out")"
	check_eq "$who's flags: reason" "$reason" "$(jq -r .reason <<<"$out")"
done
refused "flags read by a resident" 12 forbidden x mod flags "$G" >/dev/null
refused "flag of a message that does not exist" 13 not_found r mod flag "$G" 999 "nothing" >/dev/null
e2e_stop_pid "$W" || true
e2e_forget_pid "$W"
node_stop st
if grep -aq "FLAG-REASON-91c2" "$(node_dir st)/data.mdb"; then
	fail "the flag's reason is stored in the clear"
fi
