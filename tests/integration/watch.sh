# watch: `yishi watch G` of a member streams new messages as JSON lines; five messages
# from other members arrive decrypted, in order, within seconds; SIGTERM stops it (0).
set -euo pipefail
. "$(dirname "$0")/lib.bash"

station_up
group_new W "Watch 实时"
user_new watcher "Watcher 观察者"
user_new r2 "Resident Two"
user_new r3 "Resident Three"
join watcher "$W_LINK" member >/dev/null
join r2 "$W_LINK" member >/dev/null
join r3 "$W_LINK" member >/dev/null
yi officer group list >/dev/null

# start_watch USER FILE [G]: `yishi watch` in the background; sets WATCH_PID.
start_watch() {
	local u=$1 f=$2
	shift 2
	"$YISHI_BIN/yishi" --home "$(home_of "$u")" --json watch "$@" >"$f" 2>"$f.err" &
	WATCH_PID=$!
	E2E_PIDS+=("$WATCH_PID")
}

# texts_in FILE: the texts of the message objects in FILE, one per line.
texts_in() {
	jq -r 'select(.text != null) | .text' <"$1" 2>/dev/null || true
}

# The watcher may subscribe a moment after it starts, and need not show messages sent
# before: send warm-up messages until one shows, so the real ones are sent after.
warm_up() {
	local f=$1 i
	for ((i = 1; i <= 20; i++)); do
		send officer "$W" "warm-up $i" >/dev/null
		for _ in 1 2 3 4 5; do
			texts_in "$f" | grep -q '^warm-up ' && return 0
			kill -0 "$WATCH_PID" 2>/dev/null ||
			    fail "yishi watch exited: $(cat "$f.err")"
			sleep 0.1
		done
	done
	fail "yishi watch showed none of 20 warm-up messages: $(cat "$f") $(cat "$f.err")"
}

step "watch W in the background"
wf="$E2E_TMP/watch.jsonl"
start_watch watcher "$wf" "$W"
wpid=$WATCH_PID
warm_up "$wf"
step "watch all groups too (no G)"
af="$E2E_TMP/watch-all.jsonl"
start_watch r3 "$af"
apid=$WATCH_PID
warm_up "$af"

step "five messages from other members"
want=()
for i in 1 2 3 4 5; do
	if ((i % 2)); then u=officer; else u=r2; fi
	t="实时消息 live message $i from $u"
	send "$u" "$W" "$t" >/dev/null
	want+=("$t")
done

# got_all FILE: the five texts, after the warm-ups, are in FILE.
got_all() {
	[ "$(texts_in "$1" | grep -c '^实时消息 live message' || true)" -ge 5 ]
}
wait_for "the watcher shows the five messages" 5 got_all "$wf"
wait_for "the all-groups watcher shows the five messages" 5 got_all "$af"

lines=$(jq -c 'select(.text != null and (.text | startswith("实时消息")))' <"$wf")
check_texts "texts the watcher shows" "$lines" "${want[@]}"
check_seqs_increase "messages the watcher shows" "$lines"
check_eq "group_id of watched messages" "$W" "$(jq -r .group_id <<<"$lines" | sort -u)"
check_eq "senders of watched messages" \
    "$OFFICER_ID,$R2_ID,$OFFICER_ID,$R2_ID,$OFFICER_ID" "$(jq -r .sender <<<"$lines" | paste -sd ,)"
jq -e 'select(.text == null or .error != null)' <"$wf" >/dev/null &&
    fail "the watcher could not decrypt a message: $(cat "$wf")"
# The watched seqs are the stored ones.
out=$(yi watcher read "$W")
check_eq "seqs watched vs read" \
    "$(jq -r 'select(.text | startswith("实时消息")) | .seq' <<<"$out" | paste -sd ,)" \
    "$(jq -r .seq <<<"$lines" | paste -sd ,)"
lines=$(jq -c 'select(.text != null and (.text | startswith("实时消息")))' <"$af")
check_texts "texts the all-groups watcher shows" "$lines" "${want[@]}"

step "the watcher's own home sends and reads while it watches"
send watcher "$W" "sent from the watching home 同一账户" >/dev/null
out=$(yi watcher read "$W" --since "$(jq -r .seq <<<"$lines" | tail -n 1)")
check_texts "messages after the five" "$out" "sent from the watching home 同一账户"
kill -0 "$wpid" 2>/dev/null || fail "yishi watch died when its home sent: $(cat "$wf.err")"
got_own() { texts_in "$af" | grep -q '^sent from the watching home'; }
wait_for "the all-groups watcher shows the watcher's message" 5 got_own

step "SIGTERM stops the watchers with exit 0"
for pid in "$wpid" "$apid"; do
	rc=0
	e2e_stop_pid "$pid" || rc=$?
	e2e_forget_pid "$pid"
	check_eq "exit status of yishi watch after SIGTERM" 0 "$rc"
done
node_stop st
