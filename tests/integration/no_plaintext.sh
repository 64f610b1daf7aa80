# no_plaintext: all client traffic goes through a recording proxy (tcprec). Messages
# carry unique markers, ASCII and Chinese. Afterwards neither the node's files nor the
# recorded traffic (raw, and with the WebSocket masking undone) hold any marker,
# while every member's `read` shows them: the content is end-to-end encrypted.
# Positive controls prove the searches can find something: the group name, which the
# node must know, is in the store and in both directions of the unmasked traffic.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
export LC_ALL=C	# grep compares bytes, so the Chinese markers are searched as UTF-8

node_new st --name "No Plaintext Station" --area 330281
node_start st
rec="$E2E_TMP/wire.raw"
recws="$E2E_TMP/wire.ws"
"$YISHI_BIN/tcprec" --listen 127.0.0.1:0 --to "127.0.0.1:$ST_PORT" --out "$rec" \
    --ws-out "$recws" >"$E2E_TMP/tcprec.out" 2>"$E2E_TMP/tcprec.err" &
tcprec_pid=$!
E2E_PIDS+=("$tcprec_pid")
wait_for "tcprec listening" 5 grep -q '^tcprec: listening on ' "$E2E_TMP/tcprec.out"
pport=$(sed -n 's/^tcprec: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$E2E_TMP/tcprec.out")
[ -n "$pport" ] || fail "tcprec printed no port: $(cat "$E2E_TMP/tcprec.out")"
# Everyone's --node is the proxy, so every byte between clients and node is recorded.
PROXY_URL="ws://127.0.0.1:$pport"

step "the recorder sees unmasked client payloads (self-test of tcprec)"
probe="TCPREC-SELFTEST-$RANDOM$RANDOM"
"$YISHI_BIN/wsraw" "$PROXY_URL" "text:$probe" >/dev/null 2>&1 || true

step "admin, officer, residents, group: all through the proxy"
user_new admin "Admin"
out=$(yi admin enroll --node "$PROXY_URL" --code "$ST_CODE")
check_eq "admin role" admin "$(jq -r .role <<<"$out")"
user_new officer "Officer"
yi officer enroll --node "$PROXY_URL" >/dev/null
yi admin role grant "$OFFICER_ID" police >/dev/null
gname="GroupNameVisible-$RANDOM$RANDOM"
group_new G "$gname"
# Residents must reach the node through the proxy too, whatever port the link names.
G_LINK=$(sed "s|^http://127\.0\.0\.1:[0-9]*/|http://127.0.0.1:$pport/|" <<<"$G_LINK")
user_new r1 "Resident One"
user_new r2 "Resident Two"
join r1 "$G_LINK" member >/dev/null
join r2 "$G_LINK" member >/dev/null
yi officer group list >/dev/null

step "messages with unique markers"
nonce=$RANDOM$RANDOM$RANDOM
markers=(
	"SECRETMARKER-ascii-alpha-$nonce"
	"绝密标记甲乙丙丁戊-$nonce"
	"SECRETMARKER-beta-$nonce 混合 mixed 举报线索"
	"居民反映：三号楼有人冒充公安诈骗-$nonce"
	"$(printf 'Z%.0s' $(seq 1 300))-$nonce"
)
i=0
for m in "${markers[@]}"; do
	case $((i % 3)) in 0) u=officer ;; 1) u=r1 ;; 2) u=r2 ;; esac
	send "$u" "$G" "$m" >/dev/null
	i=$((i + 1))
done

step "every member reads them (so the markers really were sent)"
for u in officer r1 r2; do
	out=$(yi "$u" read "$G")
	check_texts "texts $u reads" "$out" "${markers[@]}"
done
yi r1 group members "$G" >/dev/null

step "stop the proxy and the node; search their bytes"
e2e_stop_pid "$tcprec_pid" || fail "tcprec did not exit 0 on SIGTERM"
e2e_forget_pid "$tcprec_pid"
node_stop st
if grep -q 'tcprec: warning' "$E2E_TMP/tcprec.err"; then
	fail "tcprec could not read every WebSocket frame: $(cat "$E2E_TMP/tcprec.err")"
fi

nd=$(node_dir st)
[ -s "$nd/data.mdb" ] || fail "no data.mdb in $nd: $(ls -la "$nd")"
raw_size=$(wc -c <"$rec")
[ "$raw_size" -gt 10000 ] || fail "the recording holds only $raw_size bytes"

# Positive controls.
grep -a -F -q -- "$probe" "$recws" ||
    fail "tcprec self-test: the text frame '$probe' is not in the unmasked recording"
grep -a -F -q -- "$probe" "$rec" &&
    fail "tcprec self-test: '$probe' is in the raw recording although clients mask frames"
check_present "the group name" "$nd/data.mdb" "$gname"
check_present "the group name (unmasked traffic)" "$recws" "$gname"
check_present "the group name (raw traffic, node -> client)" "$rec" "$gname"

# The markers, whole and in distinctive pieces.
for m in "${markers[@]}" "SECRETMARKER" "绝密标记" "冒充公安诈骗" "举报线索" \
    "$(printf 'Z%.0s' $(seq 1 64))"; do
	for f in "$rec" "$recws" "$nd"/*; do
		if grep -a -F -q -- "$m" "$f"; then
			off=$(grep -a -F -b -o -- "$m" "$f" | head -n 1 | cut -d: -f1 || true)
			fail "plaintext '$m' found in $(basename "$f") at byte $off"
		fi
	done
done
echo "searched $(wc -c <"$rec") raw + $(wc -c <"$recws") unmasked bytes and $(du -sb "$nd" | cut -f1) store bytes" >&2
