# multi_node: a resident belongs to groups on two stations' nodes. `yishi join LINK`
# registers with the link's node if needed (client spec); joining a group on a
# second node must not cost the resident the groups on the first: both stay
# readable and writable, by id and by name, and `group list` shows both.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

step "station 1 with an officer's group"
station_up
group_new G1 "一号站 Station One group"

step "station 2 with its admin's group"
node_new st2 --name "Second Station 二所" --area 330282
node_start st2
user_new admin2 "Admin Two"
enroll admin2 st2 "$ST2_CODE" >/dev/null
out=$(yi admin2 group create "二号站 Station Two group" --area 330282)
G2=$(jq -r .group_id <<<"$out")
out=$(yi admin2 group invite "$G2")
G2_LINK=$(jq -r .link <<<"$out")
check_match "invite link of station 2" "^http://127\.0\.0\.1:$ST2_PORT/join/" "$G2_LINK"

step "a resident joins the group on station 1, then the one on station 2"
user_new r "Resident of both"
join r "$G1_LINK" member >/dev/null
yi officer group list >/dev/null
send officer "$G1" "station one says hello 一号站" >/dev/null
out=$(yi r read "$G1")
check_texts "G1 before joining station 2" "$out" "station one says hello 一号站"
out=$(yi r join "$G2_LINK")
check_eq "group joined on station 2" "$G2" "$(jq -r .group_id <<<"$out")"
yi admin2 group list >/dev/null
send admin2 "$G2" "station two says hello 二号站" >/dev/null

step "both groups stay usable"
out=$(yi r read "$G2")
check_texts "G2" "$out" "station two says hello 二号站"
out=$(yi r read "$G1")
check_texts "G1 after joining station 2" "$out" "station one says hello 一号站"
send r "$G1" "reply to station one" >/dev/null
send r "二号站 Station Two group" "reply to station two" >/dev/null
out=$(yi officer read "$G1")
check_texts "G1 as the officer reads it" "$out" "station one says hello 一号站" "reply to station one"
out=$(yi admin2 read "$G2")
check_texts "G2 as its admin reads it" "$out" "station two says hello 二号站" "reply to station two"
out=$(yi r group list)
check_eq "groups the resident lists" "$(printf '%s\n' "$G1" "$G2" | sort | paste -sd ,)" \
    "$(jq -r .group_id <<<"$out" | sort | paste -sd ,)"
node_stop st
node_stop st2
