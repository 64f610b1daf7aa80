# mod_ban: a kicked member may rejoin by invite, a banned one may not (even with a
# fresh invite) until unbanned; a station-ban removes the user from every group of
# the station, refuses their login and their joins, and the groups' owners seed the
# new epochs so the members who stay keep talking; station-unban lifts it. A client
# of the banned member that holds every key it had (tests/tools/keyprobe) has none
# for the epoch the ban starts and opens none of its messages.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
group_new H "第二群 Second"
resident r "Resident"
resident b "Banned"
join b "$H_LINK" member >/dev/null
join r "$H_LINK" member >/dev/null
yi officer group list >/dev/null

step "kick: may rejoin"
yi officer mod kick "$G" "$B_ID" >/dev/null
join b "$G_LINK" member >/dev/null

step "ban: a new epoch that b's keys do not open"
yi officer group list >/dev/null	# b gets the current key back
removed_probe_start b r "$G"
yi officer mod ban "$G" "$B_ID" --reason "harassment" >/dev/null
eb=$(group_field officer "$G" epoch)
for i in 1 2 3 4 5; do send r "$G" "after the ban $i" >/dev/null; done
removed_probe_check b r "$G" "$eb" 5

step "ban: may not rejoin, even with a new invite; unban lets them back"
check_eq "b after the ban" absent "$(member_field officer "$G" "$B_ID" state)"
refused "rejoin after ban" 25 banned b join "$G_LINK" >/dev/null
link=$(yi officer group invite "$G" | jq -r .link)
refused "rejoin with a new invite" 25 banned b join "$link" >/dev/null
check_eq "b still out" absent "$(member_field officer "$G" "$B_ID" state)"
yi officer mod unban "$G" "$B_ID" >/dev/null
join b "$G_LINK" member >/dev/null
yi officer group list >/dev/null

step "station-ban: out of every group, no login, no join"
refused "station-ban by police" 12 forbidden officer mod station-ban "$B_ID" >/dev/null
yi admin mod station-ban "$B_ID" --reason "fraud 诈骗" >/dev/null
check_eq "b in G" absent "$(member_field officer "$G" "$B_ID" state)"
check_eq "b in H" absent "$(member_field officer "$H" "$B_ID" state)"
refused "login after station-ban" 25 banned b group list >/dev/null
refused "join after station-ban" 25 banned b join "$G_LINK" >/dev/null
yi officer group list >/dev/null	# the owner's client seeds both new epochs
send r "$G" "G goes on" >/dev/null
send r "$H" "H goes on" >/dev/null
check_match "G after the station-ban" '^G goes on$' "$(yi officer read "$G" | jq -r .text)"
check_match "H after the station-ban" '^H goes on$' "$(yi officer read "$H" | jq -r .text)"
check_eq "station log" "station-ban" "$(yi admin mod log | jq -r .action)"

step "station-unban: refused to non-admins, the ban stays; then by the admin"
refused "station-unban by police" 12 forbidden officer mod station-unban "$B_ID" >/dev/null
refused "station-unban by a resident" 12 forbidden r mod station-unban "$B_ID" >/dev/null
refused "login after the refused station-unbans" 25 banned b group list >/dev/null
check_eq "station log after the refused station-unbans" "station-ban" \
    "$(yi admin mod log | jq -r .action)"
yi admin mod station-unban "$B_ID" >/dev/null
yi b group list >/dev/null
join b "$G_LINK" member >/dev/null
check_eq "station log" "station-ban station-unban" \
    "$(yi admin mod log | jq -r .action | tr '\n' ' ' | sed 's/ $//')"
check_eq "group log" "kick ban unban station-ban" "$(log_actions officer "$G")"
node_stop st
