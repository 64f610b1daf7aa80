# malformed: bad frames sent raw (wsraw) over ONE connection each get an error frame
# with the right code; the connection stays open through all of them. An oversized
# message gets too_large at once and its connection closed with status 1009, even
# when its end never comes. Afterwards the node still serves a normal client.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

node_new st
node_start st

# msgpack pieces, in hex.
T=$(mp_str t)
RID=$(mp_str rid)
rid() { printf '%s%02x' "$RID" "$1"; }	# "rid": N (N < 128)
bin() { printf 'c4%02x' "$1"; head -c "$1" /dev/zero | od -An -v -tx1 | tr -d ' \n'; }

# Each case: a payload and the error code it must get. rid comes first in each map,
# so the node can always read it and must echo it.
payloads=()
codes=()
rids=()
add() { payloads+=("$1"); codes+=("$2"); rids+=("$3"); }

add "hex:c1" 1 0						# not msgpack (0xc1 is never used)
add "hex:93010203" 1 0						# msgpack, but an array
add "hex:81$(rid 1)$T$(mp_str group_list)ff" 1 0		# a map... and trailing bytes
add "hex:81$(rid 2)" 6 2					# a map without "t"
add "hex:82$(rid 3)$T$(mp_str frobnicate)" 2 3			# unknown kind
add "hex:82$(rid 4)$T$(mp_str challenge)" 2 4			# a node->client kind
add "hex:83$(rid 5)$T$(mp_str group_list)$(mp_str bogus)01" 3 5	# unknown field
add "hex:83$(rid 6)$T$(mp_str group_list)$T$(mp_str group_list)" 3 6	# repeated key
add "hex:83$(rid 7)$T$(mp_str history)$(mp_str group)7b" 4 7	# group: int, not bin
add "hex:82$(rid 8)$T$(mp_str history)" 6 8			# history without group
add "hex:83$(rid 9)$T$(mp_str history)$(mp_str group)$(bin 15)" 5 9	# group: 15 bytes, not 16
name65=$(printf 'N%.0s' $(seq 1 65))
add "hex:85$(rid 10)$T$(mp_str register)$(mp_str user)$(bin 32)$(mp_str name)$(mp_str "$name65")$(mp_str sig)$(bin 64)" 5 10	# name over 64 bytes
add "hex:81${T}db7fffffff41" 1 0				# a string claiming 2 GiB
add "text:{\"t\":\"group_list\"}" 1 0				# a text WebSocket message
add "frag:3:hex:82$(rid 13)$T$(mp_str group_list)" 10 13	# a request in 3 fragments
add "frag:2:text:hello" 1 0					# a fragmented text message
add "hex:82$(rid 11)$T$(mp_str group_list)" 10 11		# a request before login
add "hex:83$(rid 12)$T$(mp_str history)$(mp_str group)$(bin 16)" 10 12	# another one

step "${#payloads[@]} bad frames over one connection"
rc=0
out=$("$YISHI_BIN/wsraw" --timeout 5 "$ST_URL" "${payloads[@]}" 2>"$E2E_TMP/wsraw.err") || rc=$?
echo "$out" >&2
mapfile -t lines <<<"$out"
check_match "first frame from the node" '^frame t=challenge ' "${lines[0]}"
for i in "${!payloads[@]}"; do
	line=${lines[$((i + 1))]:-<nothing>}
	want="^frame t=error code=${codes[$i]} rid=${rids[$i]} "
	if ! grep -Eq -- "$want" <<<"$line"; then
		fail "payload $((i + 1)) (${payloads[$i]:0:60}...): expected /$want/, got: $line"
	fi
done
check_eq "frames received (challenge + one reply per payload)" $((${#payloads[@]} + 1)) "${#lines[@]}"
check_nomatch "wsraw output" '^closed' "$out"
check_eq "wsraw exit status (0: every payload answered and the connection still open)" 0 "$rc"

# Oversized: too_large, then the node closes with 1009 (message too big), without
# waiting for the message's end. huge:N claims 2^62 bytes and sends N of them; long:N
# is a whole message of N bytes. Both are sent raw, so that the reset of a connection
# closed while it still sends cannot hide from wsraw what the node said before.
oversized() {	# a payload; its connection must get too_large and a close
	local out rc=0 start

	start=$(date +%s%N)
	out=$("$YISHI_BIN/wsraw" --timeout 3 "$ST_URL" "$1" 2>/dev/null) || rc=$?
	echo "$out" >&2
	mapfile -t lines <<<"$out"
	check_match "$1: first frame" '^frame t=challenge ' "${lines[0]}"
	check_match "$1: the answer" '^frame t=error code=7 rid=0 name=too_large ' \
	    "${lines[1]:-<nothing>}"
	check_eq "$1: then the node closes with 1009 (message too big)" "closed code=1009" \
	    "${lines[2]:-<nothing>}"
	check_eq "$1: wsraw exit status (1: closed)" 1 "$rc"
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 3000 ] ||
	    fail "$1: the answer and the close took 3 s or more"
}
step "oversized messages: too_large at once, then a close with 1009"
oversized "long:300000"			# over 128 KiB
oversized "huge:300000"			# a header claiming 2^62 bytes, and 300 KB of them
oversized "huge:8000000"		# ... and 8 MB, more than the socket buffers hold

step "the node is alive and serves a normal client"
kill -0 "$ST_PID" 2>/dev/null || fail "yishi-node died"
user_new admin "Admin"
out=$(enroll admin st "$ST_CODE")
check_eq "admin role" admin "$(jq -r .role <<<"$out")"
out=$(yi admin group list)
check_eq "groups of a new admin" "" "$out"
user_new officer "Officer"
enroll officer st >/dev/null
yi admin role grant "$OFFICER_ID" police >/dev/null
group_new G "After the garbage"
send officer "$G" "still works 仍然正常" >/dev/null
out=$(yi officer group list)
check_eq "groups of the officer" 1 "$(jq -s length <<<"$out")"

step "a second raw connection, after the clients' work: the same answers"
# A second raw connection, mixed with a normal client's work: nothing leaks across.
out=$("$YISHI_BIN/wsraw" "$ST_URL" "hex:c1" "hex:82$(rid 20)$T$(mp_str group_list)" 2>/dev/null) ||
    fail "second wsraw connection: $out"
check_match "second connection, garbage" '^frame t=error code=1 rid=0 ' "$out"
check_match "second connection, before login" '^frame t=error code=10 rid=20 ' "$out"
out=$(yi officer read "$G")
check_texts "messages after the garbage" "$out" "still works 仍然正常"
node_stop st
