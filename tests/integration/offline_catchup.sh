# offline_catchup: a resident runs no command while 20 messages are exchanged; then
# `read` returns all 20, decrypted, in order, and `read --since N` only the later ones.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

# A high rate limit: the last part sends a few hundred messages quickly.
station_up --rate-burst 1000 --rate-per-min 60000
group_new G "Offline 离线测试"
user_new active "Active Resident"
user_new away "离线居民"
join active "$G_LINK" member >/dev/null
join away "$G_LINK" member >/dev/null
yi officer group list >/dev/null	# the officer's client boxes the key for both

step "a 20-message conversation while 'away' runs nothing"
texts=()
seqs=()
for i in $(seq 1 20); do
	if ((i % 2)); then u=officer; t="第${i}条：居委会通知 notice $i"; else u=active; t="reply $i 收到"; fi
	seqs+=("$(send "$u" "$G" "$t")")
	texts+=("$t")
done

step "'away' catches up"
out=$(yi away read "$G")
check_eq "messages 'away' reads" 20 "$(jq -s length <<<"$out")"
check_texts "texts 'away' reads" "$out" "${texts[@]}"
check_seqs_increase "messages 'away' reads" "$out"
check_eq "seqs 'away' reads" "$(printf '%s\n' "${seqs[@]}" | paste -sd ,)" "$(jq -r .seq <<<"$out" | paste -sd ,)"

step "read --since the 12th message returns the 8 after it"
since=${seqs[11]}
out=$(yi away read "$G" --since "$since")
check_texts "texts after seq $since" "$out" "${texts[@]:12}"
check_eq "seqs after $since" "$(printf '%s\n' "${seqs[@]:12}" | paste -sd ,)" "$(jq -r .seq <<<"$out" | paste -sd ,)"

step "read --since the last seq returns nothing"
out=$(yi away read "$G" --since "${seqs[19]}")
check_eq "messages after the last one" "" "$out"

step "a longer absence: 205 messages, more than one page of the node's history"
for i in $(seq 21 205); do
	t="long absence $i 长时间离线"
	seqs+=("$(send officer "$G" "$t")")
	texts+=("$t")
done
out=$(yi away read "$G" --since "${seqs[19]}")
check_eq "messages after the first 20" 185 "$(jq -s length <<<"$out")"
check_texts "texts after the first 20" "$out" "${texts[@]:20}"
out=$(yi away read "$G")
check_eq "all messages" 205 "$(jq -s length <<<"$out")"
check_seqs_increase "all messages" "$out"
check_eq "all seqs" "$(printf '%s\n' "${seqs[@]}" | paste -sd ,)" "$(jq -r .seq <<<"$out" | paste -sd ,)"
jq -e 'select(.text == null)' <<<"$out" >/dev/null && fail "undecryptable messages: $out"
node_stop st
