# group_chat: a station admin, an officer and three residents in one group. Everyone
# sends; every member reads every message, decrypted, with its sender, in order.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

step "station, admin, officer"
station_up

step "officer founds a group; three residents join by the invite link"
group_new G "平安社区 Group"
names=(r1 r2 r3)
declare -A display=([officer]="民警 Li" [r1]="张三" [r2]="李四 Li Si" [r3]="Resident Three")
for r in "${names[@]}"; do
	user_new "$r" "${display[$r]}"
	out=$(join "$r" "$G_LINK" member)
	check_eq "group id $r joined" "$G" "$(jq -r .group_id <<<"$out")"
	check_eq "group name $r sees" "平安社区 Group" "$(jq -r .name <<<"$out")"
done

step "the officer's client hands the group key to the newcomers"
out=$(yi officer group list)
check_eq "officer's groups" 1 "$(jq -s length <<<"$out")"
check_eq "members in the officer's group list" 4 "$(jq -r .members <<<"$out")"

step "everyone sends"
texts=()
senders=()
for u in officer r1 r2 r3 officer r2 r1; do
	case $u$((${#texts[@]} > 5)) in
	r11) t=$'第一行 line one\n第二行 line two\n\n  indented, after an empty line #'${#texts[@]} ;;
	officer*) t="各位居民好，我是社区民警李警官，有事请在群里说。#${#texts[@]}" ;;
	r1*) t="Hello officer, 楼下的路灯坏了 (street light broken) #${#texts[@]}" ;;
	r2*) t="谢谢！电动车被盗怎么报案？ \"quotes\" & <tags> #${#texts[@]}" ;;
	r3*) t="Plain ASCII from resident three, with a tab	and emoji 🚓 #${#texts[@]}" ;;
	esac
	send "$u" "$G" "$t" >/dev/null
	texts+=("$t")
	senders+=("$(e2e_get "$u" ID)")
done

step "every member reads every message"
want_senders=$(printf '%s\n' "${senders[@]}" | jq -R . | jq -sc .)
for u in officer r1 r2 r3; do
	out=$(yi "$u" read "$G")
	check_texts "texts $u reads" "$out" "${texts[@]}"
	check_eq "senders of the messages $u reads" "$want_senders" "$(jq -c .sender <<<"$out" | jq -sc .)"
	check_seqs_increase "messages $u reads" "$out"
	# Names come from the node's registry, and match who sent.
	names_got=$(jq -r '.sender_name' <<<"$out" | paste -sd '|')
	check_eq "sender names $u sees" "民警 Li|张三|李四 Li Si|Resident Three|民警 Li|李四 Li Si|张三" "$names_got"
	jq -e 'select((.id | test("^[0-9a-f]{32}$") | not) or (.ts | type) != "number" or .error != null)' \
	    <<<"$out" >/dev/null && fail "$u: a message without a 32-hex id or numeric ts, or with an error: $out"
	# By name as well as by id.
	out2=$(yi "$u" read "平安社区 Group")
	check_eq "read by group name ($u)" "$(jq -c .id <<<"$out")" "$(jq -c .id <<<"$out2")"
done

step "group members: 4, with their roles"
out=$(yi r2 group members "$G")
check_eq "member count" 4 "$(jq -s length <<<"$out")"
for u in officer r1 r2 r3; do
	id=$(e2e_get "$u" ID)
	m=$(jq -c --arg id "$id" 'select(.user_id == $id)' <<<"$out")
	[ -n "$m" ] || fail "group members: $u ($id) is missing: $out"
	check_eq "state of $u" member "$(jq -r .state <<<"$m")"
	check_eq "name of $u" "${display[$u]}" "$(jq -r .name <<<"$m")"
	if [ "$u" = officer ]; then
		check_eq "group role of the founder" owner "$(jq -r .role <<<"$m")"
		check_eq "station role of the officer" police "$(jq -r .station_role <<<"$m")"
	else
		check_eq "group role of $u" member "$(jq -r .role <<<"$m")"
		check_eq "station role of $u" resident "$(jq -r .station_role <<<"$m")"
	fi
done

step "station roles: a resident cannot grant roles or found groups"
out=$(yi_fails r1 role grant "$R1_ID" police)
check_error "role grant by a resident" "$out" 12 forbidden
out=$(yi_fails r1 group create "Resident's own group" --area 330281)
check_error "group create by a resident" "$out" 12 forbidden
out=$(yi r1 group members "$G")
check_eq "station role of r1 after the refused grant" resident \
    "$(jq -r --arg id "$R1_ID" 'select(.user_id == $id) | .station_role' <<<"$out")"

step "the node stops cleanly"
node_stop st
