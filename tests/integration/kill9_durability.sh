# kill9_durability: a message the node acknowledged survives `kill -9` of the node
# right after the ack. The node restarts on the same data dir and the same port (the
# client pins its node's URL), and the message is there, with its text.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

station_up
port=$ST_PORT
group_new G "Durable 持久"
user_new res "Resident 居民"
join res "$G_LINK" member >/dev/null
yi officer group list >/dev/null

acked_seqs=()
acked_texts=()
for round in 1 2 3 4; do
	step "round $round: send, ack, kill -9 at once"
	if ((round % 2)); then u=officer; else u=res; fi
	t="acknowledged before kill -9, round $round：已确认的消息 $RANDOM$RANDOM"
	seq=$(send "$u" "$G" "$t")
	node_kill9 st
	acked_seqs+=("$seq")
	acked_texts+=("$t")

	node_start st --port "$port"
	check_eq "port after restart" "$port" "$ST_PORT"
	out=$(yi res read "$G")
	got=$(jq -r --argjson s "$seq" 'select(.seq == $s) | .text' <<<"$out")
	check_eq "text of acknowledged seq $seq after kill -9 and restart" "$t" "$got"
	# Nothing acknowledged before is lost either, and nothing is duplicated.
	check_texts "all acknowledged messages after round $round" "$out" "${acked_texts[@]}"
	check_eq "seqs after round $round" "$(printf '%s\n' "${acked_seqs[@]}" | paste -sd ,)" \
	    "$(jq -r .seq <<<"$out" | paste -sd ,)"
done

step "several sends in a row, then kill -9 right after the last ack"
for i in 1 2 3; do
	t="burst $i 连发"
	acked_seqs+=("$(send officer "$G" "$t")")
	acked_texts+=("$t")
done
node_kill9 st
node_start st --port "$port"
out=$(yi officer read "$G")
check_texts "all acknowledged messages after the burst" "$out" "${acked_texts[@]}"
check_seqs_increase "messages after the burst" "$out"

step "three members send concurrently; kill -9 in the middle of it"
user_new res2 "Resident Two"
join res2 "$G_LINK" member >/dev/null
yi officer group list >/dev/null
# Each sender logs "TEXT<TAB>ACK" for every acknowledged message; failures (the node
# vanished mid-request) are not acknowledged and may or may not be stored.
sender_pids=()
for u in officer res res2; do
	(
		for i in $(seq 1 40); do
			t="concurrent $u $i 并发"
			if a=$("$YISHI_BIN/yishi" --home "$(home_of "$u")" --json send "$G" "$t" 2>/dev/null); then
				printf '%s\t%s\n' "$t" "$a" >>"$E2E_TMP/acks-$u"
			fi
		done
	) &
	sender_pids+=($!)
	E2E_PIDS+=($!)
done
acked() { cat "$E2E_TMP"/acks-* 2>/dev/null | wc -l; }
enough_acks() { [ "$(acked)" -ge 15 ]; }
wait_for "15 concurrent acks" 20 enough_acks
node_kill9 st
for pid in "${sender_pids[@]}"; do
	wait "$pid" || true
	e2e_forget_pid "$pid"
done
n=$(acked)
[ "$n" -lt 120 ] || fail "all 120 concurrent sends were acknowledged before kill -9: the test proves nothing"
node_start st --port "$port"
out=$(yi officer read "$G")
check_seqs_increase "messages after the concurrent kill -9" "$out"
while IFS=$'\t' read -r t a; do
	seq=$(jq -r .seq <<<"$a")
	got=$(jq -r --argjson s "$seq" 'select(.seq == $s) | .text' <<<"$out")
	check_eq "acknowledged seq $seq after kill -9 during concurrent sends" "$t" "$got"
done < <(cat "$E2E_TMP"/acks-*)
dups=$(jq -r 'select(.text != null) | .text' <<<"$out" | sort | uniq -d)
check_eq "texts stored twice" "" "$dups"
echo "$n of 120 concurrent sends acknowledged before kill -9; all there" >&2
acked_seqs+=("$(jq -r .seq <<<"$out" | tail -n 1)")

step "the node still works: a new message after the restarts"
seq=$(send res "$G" "after the restarts 重启之后")
out=$(yi officer read "$G" --since "${acked_seqs[-1]}")
check_texts "message after the restarts" "$out" "after the restarts 重启之后"
node_stop st
