# mod_heir: a station-ban of a group's owner hands the group on by the succession
# rule (a remaining moderator first, then the earliest joined, then the lowest user
# id), and every client can follow it: the admin's signed event lands in each
# group's log naming the heir, so the heir's later actions verify.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
group_new H "第二群 Second"
resident r1 "First 一"
resident r2 "Second 二"
resident r3 "Third 三"
for u in r1 r2 r3; do
	join "$u" "$H_LINK" member >/dev/null
	sleep 0.01	# distinct join times
done
yi officer group list >/dev/null
yi officer mod promote "$H" "$R3_ID" >/dev/null
send r2 "$G" "before the ban" >/dev/null

step "the admin bans the owner of G and H from the station"
yi admin mod station-ban "$OFFICER_ID" --reason "left the force" >/dev/null
check_eq "G's owner: the earliest-joined member" owner "$(member_field r2 "$G" "$R1_ID" role)"
check_eq "H's owner: the moderator, though he joined last" owner \
    "$(member_field r2 "$H" "$R3_ID" role)"
check_eq "officer in G" absent "$(member_field r2 "$G" "$OFFICER_ID" state)"

step "the heirs seed the new epochs and moderate; every log entry verifies"
yi r1 group list >/dev/null
yi r3 group list >/dev/null
send r2 "$G" "G goes on" >/dev/null
send r2 "$H" "H goes on" >/dev/null
check_match "r1 reads G" '^G goes on$' "$(yi r1 read "$G" | jq -r .text | tail -n 1)"
check_match "r3 reads H" '^H goes on$' "$(yi r3 read "$H" | jq -r .text | tail -n 1)"
yi r1 mod mute "$G" "$R2_ID" 10m --reason "calm down" >/dev/null
refused "r2 posts while muted" 29 muted r2 send "$G" "muted?" >/dev/null
yi r3 mod kick "$H" "$R2_ID" >/dev/null
check_eq "G's log" "station-ban mute" "$(log_actions r1 "$G")"
check_eq "H's log" "promote station-ban kick" "$(log_actions r3 "$H")"
out=$(yi r1 mod log "$G")
check_eq "G's log: the heir named" "$R1_ID" \
    "$(jq -r 'select(.action == "station-ban") | .heir' <<<"$out")"
out=$(yi r3 mod log "$H")
check_eq "H's log: the heir named" "$R3_ID" \
    "$(jq -r 'select(.action == "station-ban") | .heir' <<<"$out")"
node_stop st
