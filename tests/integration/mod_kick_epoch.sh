# mod_kick_epoch: kicking a member starts a new key epoch that the kicking
# moderator's client seeds to the members who stay. The kicked member's `watch`,
# kept running, shows none of the next 100 messages, while every remaining member
# decrypts all of them (and everything before). A moderator whose client died
# between the kick and the seeding seeds on its next command. A client of the
# kicked member that holds every key it ever had (tests/tools/keyprobe) has none
# for the new epoch and opens none of those messages.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

# a1 sends about 40 messages in a few seconds: above the default burst.
mod_up --rate-burst 1000 --rate-per-min 60000
resident a1 "Alpha 甲"
resident a2 "Beta 乙"
resident k "Kicked 被踢"
resident k2 "Kicked Two"
for i in 1 2 3; do send a1 "$G" "before the kick $i" >/dev/null; done
e1=$(group_field officer "$G" epoch)

step "k's watch runs in the background and sees the group"
"$YISHI_BIN/yishi" --home "$(home_of k)" --json watch "$G" --wait 2 \
    >"$E2E_TMP/k-watch.out" 2>"$E2E_TMP/k-watch.err" &
KW=$!
E2E_PIDS+=("$KW")
ready() {
	send officer "$G" "watch ready?" >/dev/null
	sleep 0.3
	grep -q '"watch ready?"' "$E2E_TMP/k-watch.out"
}
wait_for "k's watch shows messages" 10 ready
removed_probe_start k a1 "$G"

step "the officer kicks k; the new epoch is seeded"
out=$(yi officer mod kick "$G" "$K_ID" --reason "threats 威胁")
check_eq "kick output: epoch" $((e1 + 1)) "$(jq -r .epoch <<<"$out")"
check_eq "kick output: seeded" true "$(jq -r .epoch_seeded <<<"$out")"
check_eq "group epoch after the kick" $((e1 + 1)) "$(group_field a1 "$G" epoch)"
wait_for "k's watch shows the kick, verified" 5 \
    grep -q '"action": *"kick".*"verified": *true' "$E2E_TMP/k-watch.out"

step "100 messages after the kick, from the officer and the members who stay"
for i in $(seq 1 100); do
	case $((i % 3)) in
	0) who=officer ;; 1) who=a1 ;; *) who=a2 ;;
	esac
	send "$who" "$G" "after the kick 踢后 #$i" >/dev/null
done
kill -0 "$KW" 2>/dev/null || fail "k's watch exited: $(cat "$E2E_TMP/k-watch.err")"

step "k's keys, kept through the kick: none for the new epoch, none opens its messages"
removed_probe_check k a1 "$G" $((e1 + 1)) 100

step "every remaining member decrypts all 103 messages; k's watch shows none after the kick"
for who in officer a1 a2; do
	out=$(yi "$who" read "$G")
	jq -e 'select(.text == null and .redacted != true)' <<<"$out" >/dev/null &&
	    fail "$who cannot decrypt some messages: $(jq -c 'select(.text == null)' <<<"$out" | head -3)"
	n=$(jq -r 'select(.text != null) | .text' <<<"$out" | grep -c '^after the kick 踢后 #' || true)
	check_eq "messages after the kick $who decrypts" 100 "$n"
	n=$(jq -r 'select(.text != null) | .text' <<<"$out" | grep -c '^before the kick' || true)
	check_eq "messages before the kick $who decrypts" 3 "$n"
done
kill -0 "$KW" 2>/dev/null || fail "k's watch exited: $(cat "$E2E_TMP/k-watch.err")"
check_nomatch "k's watch output" 'after the kick' "$(cat "$E2E_TMP/k-watch.out")"
e2e_stop_pid "$KW" || true
e2e_forget_pid "$KW"
check_nomatch "k's watch output after it stopped" 'after the kick' "$(cat "$E2E_TMP/k-watch.out")"
out=$(yi_fails k read "$G")
check_error "k reads after the kick" "$out" 15 not_member
out=$(yi_fails k send "$G" "still here?")
check_error "k sends after the kick" "$out" 15 not_member

step "a kick whose seeding never ran (the client died) is seeded on the moderator's next command"
e2=$(group_field officer "$G" epoch)
out=$(forge officer kick "$G" "$K2_ID")
check_match "raw kick accepted" "^frame t=ok .*epoch=$((e2 + 1))" "$out"
out=$(yi_fails a1 send "$G" "nobody seeded yet" --wait 1)
check_error "send before the new epoch is seeded" "$out" 109 no_key
yi officer group list >/dev/null	# logging in seeds: keys_needed names the rotator
send a1 "$G" "seeded at last 终于" >/dev/null
for who in officer a1 a2; do
	out=$(yi "$who" read "$G")
	check_eq "$who reads the message of the re-seeded epoch" "seeded at last 终于" \
	    "$(jq -r 'select(.text == "seeded at last 终于") | .text' <<<"$out")"
done
out=$(yi_fails k2 read "$G")
check_error "k2 reads after the kick" "$out" 15 not_member
node_stop st
