# demo: `make demo`'s script sets up a station through the real client (admin, officer,
# three residents, a group, five messages) and prints how to join. Afterwards the demo
# store serves a new resident who joins with the printed link and reads all five.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

step "run scripts/demo, stopping once it is set up"
dir=$E2E_TMP/demo
out=$(YISHI_BIN=$YISHI_BIN DEMO_DIR=$dir DEMO_PORT=0 DEMO_EXIT=1 \
    timeout 120 "$YISHI_SRC/scripts/demo" 2>&1) || fail "scripts/demo failed:
$out"
check_match "it says where the station runs" "Yishi demo station is running at ws://127.0.0.1:" "$out"
link=$(sed -n 's/^  invite:  \(http:[^ ]*\)$/\1/p' <<<"$out")
[ -n "$link" ] || fail "no invite link in the demo's output:
$out"
for who in admin officer li wang chen; do
	[ -s "$dir/$who/identity" ] || fail "the demo made no identity for $who"
done

step "the demo's store serves a newcomer who joins with the printed link"
port=${link#http://127.0.0.1:}
port=${port%%/*}
"$YISHI_BIN/yishi-node" run --data "$dir/node" --listen "127.0.0.1:$port" \
    >"$E2E_TMP/demo-node.out" 2>"$E2E_TMP/demo-node.err" &
E2E_PIDS+=("$!")
for _ in $(seq 1 100); do
	grep -q "listening on" "$E2E_TMP/demo-node.out" && break
	sleep 0.1
done
user_new visitor "访客 Visitor"
join visitor "$link" member >/dev/null
# The officer's client hands the key over, as any member's next command does.
"$YISHI_BIN/yishi" --home "$dir/officer" --json group list >/dev/null
out=$(yi visitor read 城东社区警民议事厅 --wait 10)
check_eq "messages the newcomer reads" 5 "$(jq -s length <<<"$out")"
check_eq "messages that decrypted" 5 "$(jq -s '[.[] | select(.text != null)] | length' <<<"$out")"
check_match "the officer's warning is there" "是诈骗" "$(jq -r .text <<<"$out")"
