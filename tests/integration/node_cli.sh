# node_cli: yishi-node's command line and its operator-facing errors, and the
# client's error when its node is down.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
NODE="$YISHI_BIN/yishi-node"

# run_node EXPECTED_STATUS ARGS...: run yishi-node (bounded), check its exit status;
# its stdout+stderr end up in $E2E_TMP/cli.out.
run_node() {
	local want=$1 rc=0
	shift
	timeout 10 "$NODE" "$@" >"$E2E_TMP/cli.out" 2>&1 || rc=$?
	if [ "$rc" != "$want" ]; then
		fail "yishi-node $*: expected exit $want, got $rc; output:
$(cat "$E2E_TMP/cli.out")"
	fi
}

step "--help"
run_node 0 --help
check_match "--help output" 'usage: yishi-node' "$(cat "$E2E_TMP/cli.out")"
run_node 0 -h

step "--help of every command: exit 0 and a line starting usage:"
# help_ok PROG ARGS...: PROG ARGS --help exits 0 and prints a usage: line.
help_ok() {
	local out rc=0
	out=$(timeout 10 "$@" --help 2>&1) || rc=$?
	[ "$rc" = 0 ] || fail "$* --help: exit $rc; output: $out"
	grep -q '^usage:' <<<"$out" || fail "$* --help: no line starting 'usage:': $out"
}
# The commands, as the top-level help lists them: the lowercase words after the
# program's name, up to the first argument (G, [--since], on|off...) or the
# description (after a run of spaces).
commands_of() {	# PROG: one command per line, e.g. "mod kick"
	"$YISHI_BIN/$1" --help | sed -n "s/^  $1 //p" | sed 's/   *.*//' |
	    awk '{ c = ""; for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) c = c (c ? " " : "") $i; print c }' |
	    sort -u
}
for prog in yishi yishi-admin; do
	mapfile -t cmds < <(commands_of "$prog")
	[ "${#cmds[@]}" -ge 4 ] || fail "$prog --help lists only ${#cmds[@]} commands"
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086	# c holds a command and its subcommand
		help_ok "$YISHI_BIN/$prog" $c
	done
done
# The groups alone (yishi group --help, yishi mod --help) print their commands.
for c in $(commands_of yishi | awk 'NF > 1 { print $1 }' | sort -u); do
	help_ok "$YISHI_BIN/yishi" "$c"
done
for c in init run outbox; do
	help_ok "$NODE" "$c"
done

step "bad flags exit 2"
run_node 2
run_node 2 frobnicate
run_node 2 run --bogus-flag
run_node 2 run --data "$E2E_TMP/x" --max-group notanumber
run_node 2 run --data "$E2E_TMP/x" --listen
run_node 2 init --data "$E2E_TMP/x" --name "No area"
[ -e "$E2E_TMP/x" ] && fail "a refused init created $E2E_TMP/x"

step "run on a missing data dir: exit 1, says to run yishi-node init"
run_node 1 run --data "$E2E_TMP/missing" --listen 127.0.0.1:0
check_match "message for a missing data dir" 'yishi-node init' "$(cat "$E2E_TMP/cli.out")"
[ -e "$E2E_TMP/missing" ] && fail "run created the missing data dir $E2E_TMP/missing"

step "an empty existing dir is no store either"
mkdir "$E2E_TMP/empty"
run_node 1 run --data "$E2E_TMP/empty" --listen 127.0.0.1:0
check_match "message for an empty data dir" 'yishi-node init' "$(cat "$E2E_TMP/cli.out")"

step "init on an existing store refuses and changes nothing"
node_new st
sum=$(cat "$(node_dir st)"/*.mdb | md5sum)
run_node 1 init --data "$(node_dir st)" --name Again --area 330282
[ -s "$E2E_TMP/cli.out" ] || fail "init on an existing store gave no message"
check_eq "store after a refused init" "$sum" "$(cat "$(node_dir st)"/*.mdb | md5sum)"

step "a data.mdb cut short or overwritten: exit 1, 'damaged', no crash (run and outbox)"
# damaged_store NAME: run and outbox on the store in $E2E_TMP/NAME both refuse it.
damaged_store() {
	local cmd
	for cmd in run outbox; do
		if [ "$cmd" = run ]; then
			run_node 1 run --data "$E2E_TMP/$1" --listen 127.0.0.1:0
		else
			run_node 1 outbox --data "$E2E_TMP/$1"
		fi
		check_match "$cmd on $1" "the store in $E2E_TMP/$1 is damaged or not a Yishi store" \
		    "$(cat "$E2E_TMP/cli.out")"
	done
}
size=$(stat -c %s "$(node_dir st)/data.mdb")
for kib in 8 12 16 20 $((size / 1024 - 4)); do
	mkdir -m 700 "$E2E_TMP/cut$kib"
	head -c $((kib * 1024)) "$(node_dir st)/data.mdb" >"$E2E_TMP/cut$kib/data.mdb"
	damaged_store "cut$kib"
	check_match "the reason for cut$kib" 'cut short' "$(cat "$E2E_TMP/cli.out")"
done
mkdir -m 700 "$E2E_TMP/garbage"
head -c "$size" /dev/urandom >"$E2E_TMP/garbage/data.mdb"
damaged_store garbage
mkdir -m 700 "$E2E_TMP/metagarbage"
cp "$(node_dir st)/data.mdb" "$E2E_TMP/metagarbage/data.mdb"
head -c 16384 /dev/urandom | dd of="$E2E_TMP/metagarbage/data.mdb" conv=notrunc status=none
damaged_store metagarbage

step "interior pages scribbled over: exit 1 and 'damaged', never a crash (run and outbox)"
# LMDB has no checksums: it reads such pages as they are. Depending on the bytes it
# reports a bad page (seeds 2, 4, 7 here) or faults on a read past the file's end
# (seed 1: SIGBUS, which yishi-node turns into the same advice). Pages 2..end of a
# fresh store get bytes from perl's seeded generator (drand48: the same everywhere).
for seed in 1 2 4 7; do
	mkdir -m 700 "$E2E_TMP/scribble$seed"
	cp "$(node_dir st)/data.mdb" "$E2E_TMP/scribble$seed/data.mdb"
	perl -e 'srand($ARGV[0]); print map { chr(int(rand(256))) } 1 .. $ARGV[1]' \
	    "$seed" $((size - 8192)) |
	    dd of="$E2E_TMP/scribble$seed/data.mdb" bs=4096 seek=2 conv=notrunc status=none
	for cmd in run outbox; do
		if [ "$cmd" = run ]; then
			run_node 1 run --data "$E2E_TMP/scribble$seed" --listen 127.0.0.1:0
		else
			run_node 1 outbox --data "$E2E_TMP/scribble$seed"
		fi
		check_match "$cmd on scribble$seed" \
		    "the store in $E2E_TMP/scribble$seed is damaged (or not a Yishi store|or its disk failed)" \
		    "$(cat "$E2E_TMP/cli.out")"
		[ "$seed" != 1 ] || check_match "$cmd on scribble1: the advice after a bus error" \
		    'bus error reading data\.mdb\): stop the node and restore data\.mdb from backup' \
		    "$(cat "$E2E_TMP/cli.out")"
	done
done

step "the node runs; a second node on the same data dir is refused"
node_start st
run_node 1 run --data "$(node_dir st)" --listen 127.0.0.1:0
out=$(cat "$E2E_TMP/cli.out")
grep -Eiq 'another yishi-node|lock' <<<"$out" ||
    fail "second node on the same data dir: expected a message about another yishi-node or a lock, got: $out"
kill -0 "$ST_PID" || fail "the first node died when a second one tried its data dir"

step "a node on a port in use: exit 1, 'in use'"
node_new other
run_node 1 run --data "$(node_dir other)" --listen "127.0.0.1:$ST_PORT"
check_match "message for a port in use" 'in use' "$(cat "$E2E_TMP/cli.out")"

step "the first node still serves (enroll, group, send)"
out=$("$YISHI_BIN/wsraw" "$ST_URL") || fail "wsraw could not talk to the node: $out"
user_new admin "Admin"
enroll admin st "$ST_CODE" >/dev/null
step "the enroll code is one-time"
user_new admin2 "Admin Two"
mkdir -p "$(home_of admin2)"
out=$(yi_fails admin2 enroll --node "$ST_URL" --code "$ST_CODE")
check_error "second use of the enroll code" "$out" 20 bad_code
yi admin group create "CLI group" --area 330281 >/dev/null
send admin "CLI group" "before the node stops" >/dev/null

step "SIGTERM with 50 open sessions: exit 0 within 3 s, 'stopped' in the log"
# Raw WebSocket handshakes on bash's own sockets: 50 sessions held open, idle.
fds=()
for ((i = 0; i < 50; i++)); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$ST_PORT"
	fds+=("$fd")
	printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: yishi.v1\r\n\r\n' >&"$fd"
done
for fd in "${fds[@]}"; do
	line=
	read -r -t 5 line <&"$fd" || true
	check_match "the handshake of session fd $fd" '^HTTP/1\.1 101 ' "$line"
done
start=$(date +%s%N)
node_stop st
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 3000 ] || fail "SIGTERM with 50 sessions: the node took $ms ms to stop"
check_match "the node's log after SIGTERM" 'stopped$' "$(tail -n 1 "$E2E_TMP/node-st.err")"
for fd in "${fds[@]}"; do
	exec {fd}<&-
done

step "the client's error when the node is down"
out=$(yi_fails admin send "CLI group" "while the node is down")
err=$(cat "$E2E_TMP/last.err")
grep -Fq "127.0.0.1:$ST_PORT" <<<"$err" || fail "send to a down node: the message does not name the node: $err"
grep -Eiq 'connect|refused|running|reach|down' <<<"$err" ||
    fail "send to a down node: the message does not say the node cannot be reached: $err"
grep -Eq '"error"' <<<"$out" || fail "send to a down node: no JSON error object on stdout: $out"
jq -e '.message | length > 0' <<<"$(grep -E '"error"' <<<"$out" | tail -n 1 || true)" >/dev/null ||
    fail "send to a down node: the JSON error has no message: $out"

step "restarted on its data dir, the node has the message; the failed send is not there"
node_start st --port "$ST_PORT"
out=$(yi admin read "CLI group")
check_texts "messages after the restart" "$out" "before the node stops"
node_stop st
