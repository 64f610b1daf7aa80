# lib.bash: what the end-to-end scenarios share. Sourced, never run; the name does not
# end in .sh so CMake does not register it as a test.
#
# A scenario does:
#     set -euo pipefail
#     . "$(dirname "$0")/lib.bash"
#     node_new st1 --name "Station" --area 330281     # init a store, sets ST1_CODE
#     node_start st1                                    # run it, sets ST1_URL / ST1_PORT
#     user_new admin "Admin"                            # a client home, sets ADMIN_ID
#     out=$(yi admin enroll --node "$ST1_URL" --code "$ST1_CODE")
#     check_eq "admin role" admin "$(jq -r .role <<<"$out")"
# Everything started here is stopped on exit, even on failure; the temporary directory
# is removed unless the scenario failed (then its path is printed, with the node logs).
#
# Environment: YISHI_BIN (the build directory: yishi-node, yishi, tcprec, wsraw) and
# YISHI_SRC, set by ctest. Run by hand: YISHI_BIN=build bash tests/integration/X.sh
# YISHI_KEEP=1 keeps the temporary directory.

set -euo pipefail
# Command substitutions ($(yi ...)) must stop at the first failure too.
shopt -s inherit_errexit

: "${YISHI_BIN:?set YISHI_BIN to the build directory (ctest does)}"
YISHI_BIN=$(cd "$YISHI_BIN" && pwd)
E2E_NAME=$(basename "$0" .sh)
for _b in yishi-node yishi tcprec wsraw yraw; do
	[ -x "$YISHI_BIN/$_b" ] || { echo "$E2E_NAME: $YISHI_BIN/$_b is missing (build first)" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "$E2E_NAME: jq is missing (scripts/install-deps)" >&2; exit 1; }
E2E_PIDS=()		# every background process we started, stopped on exit
E2E_CMD_TIMEOUT=${E2E_CMD_TIMEOUT:-30}
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/yishi-e2e-$E2E_NAME.XXXXXX")

# ---- reporting ---------------------------------------------------------------

fail() {
	echo "FAIL [$E2E_NAME]: $*" >&2
	: >"$E2E_TMP/failed"
	exit 1
}

# A command that fails outside any check (set -e stops the scenario): say which, once.
e2e_err() {
	if [ ! -e "$E2E_TMP/failed" ]; then
		: >"$E2E_TMP/failed"
		echo "FAIL [$E2E_NAME]: line $1: command failed (status $2): $3" >&2
	fi
}
set -E
trap 'e2e_err "$LINENO" "$?" "$BASH_COMMAND"' ERR

step() {
	echo "== $*" >&2
}

# check_eq WHAT EXPECTED GOT
check_eq() {
	if [ "$2" != "$3" ]; then
		fail "$1: expected [$2], got [$3]"
	fi
}

# check_match WHAT REGEX TEXT: TEXT has a line matching the extended REGEX.
check_match() {
	if ! grep -Eq -- "$2" <<<"$3"; then
		fail "$1: expected a line matching /$2/, got:
$3"
	fi
}

check_nomatch() {
	if grep -Eq -- "$2" <<<"$3"; then
		fail "$1: expected no line matching /$2/, got:
$3"
	fi
}

# check_present WHAT FILE TEXT: FILE holds TEXT byte for byte (the positive control
# that makes a check_absent on the same file mean something).
check_present() {
	LC_ALL=C grep -a -F -q -- "$3" "$2" ||
	    fail "positive control: $1 ('$3') is not in $(basename "$2")"
}

# check_absent WHAT DIR TEXT...: no file in DIR holds any TEXT, byte for byte (the
# node's files never hold plaintext). Name each file and offset found.
check_absent() {
	local what=$1 dir=$2 m f off
	shift 2
	for m in "$@"; do
		for f in "$dir"/*; do
			if LC_ALL=C grep -a -F -q -- "$m" "$f"; then
				off=$(LC_ALL=C grep -a -F -b -o -- "$m" "$f" | head -n 1 | cut -d: -f1 || true)
				fail "$what '$m' found in $(basename "$f") at byte $off"
			fi
		done
	done
}

# ---- cleanup -----------------------------------------------------------------

# Stop a process: SIGTERM, up to 5 s, then SIGKILL. Returns its exit status.
e2e_stop_pid() {
	local pid=$1 i rc=0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$E2E_NAME: pid $pid ignored SIGTERM for 5 s, killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

e2e_forget_pid() {
	local pid=$1 i
	for i in "${!E2E_PIDS[@]}"; do
		[ "${E2E_PIDS[$i]}" = "$pid" ] && unset 'E2E_PIDS[i]'
	done
	return 0
}

e2e_cleanup() {
	local rc=$? pid f
	set +e
	for pid in "${E2E_PIDS[@]}"; do
		e2e_stop_pid "$pid" >/dev/null 2>&1
	done
	if [ "$rc" -ne 0 ]; then
		for f in "$E2E_TMP"/node-*.err; do
			[ -s "$f" ] || continue
			echo "---- last lines of $(basename "$f")" >&2
			tail -n 15 "$f" >&2
		done
		if [ -s "$E2E_TMP/last.err" ]; then
			echo "---- stderr of the last yishi command" >&2
			tail -n 5 "$E2E_TMP/last.err" >&2
		fi
	fi
	if [ "$rc" -ne 0 ] || [ -n "${YISHI_KEEP:-}" ]; then
		echo "$E2E_NAME: kept $E2E_TMP" >&2
	else
		rm -rf "$E2E_TMP"
	fi
	if [ "$rc" -eq 0 ]; then
		echo "PASS [$E2E_NAME]" >&2
	fi
	exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- nodes -------------------------------------------------------------------
# A node NAME has its store in $E2E_TMP/node-NAME, its output in node-NAME.out/.err,
# and shell variables NAME_CODE, NAME_URL, NAME_PORT, NAME_PID (NAME upper-cased).

e2e_var() {
	printf '%s_%s' "$(tr '[:lower:]-' '[:upper:]_' <<<"$1")" "$2"
}

e2e_set() {
	printf -v "$(e2e_var "$1" "$2")" '%s' "$3"
}

e2e_get() {
	local v
	v=$(e2e_var "$1" "$2")
	printf '%s' "${!v:-}"
}

node_dir() {
	printf '%s/node-%s' "$E2E_TMP" "$1"
}

# node_new NAME [--name N] [--area A]: init a store; sets NAME_CODE.
node_new() {
	local n=$1 out
	shift
	local name="Station $n" area=330281
	while [ $# -gt 0 ]; do
		case $1 in
		--name) name=$2; shift 2 ;;
		--area) area=$2; shift 2 ;;
		*) fail "node_new: unknown option $1" ;;
		esac
	done
	out=$("$YISHI_BIN/yishi-node" init --data "$(node_dir "$n")" --name "$name" \
	    --area "$area" --json) || fail "yishi-node init $n failed: $out"
	e2e_set "$n" CODE "$(jq -r .enroll_code <<<"$out")"
	case $(e2e_get "$n" CODE) in
	"" | null) fail "yishi-node init printed no enroll_code: $out" ;;
	esac
}

# node_start NAME [--port P] [run options...]: run the node and wait until it
# listens; sets NAME_URL, NAME_PORT, NAME_PID.
node_start() {
	local n=$1 port=0 pid i url=
	shift
	if [ "${1:-}" = --port ]; then
		port=$2
		shift 2
	fi
	local out="$E2E_TMP/node-$n.out" err="$E2E_TMP/node-$n.err"
	: >"$out"
	echo "---- start $(date +%T.%N) $*" >>"$err"
	"$YISHI_BIN/yishi-node" run --data "$(node_dir "$n")" --listen "127.0.0.1:$port" --newcomer-slow 0 \
	    --group-rate-burst 100000 "$@" \
	    >"$out" 2>>"$err" &
	pid=$!
	E2E_PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do
		url=$(sed -n 's/^yishi-node: listening on \(ws:\/\/[0-9.:]*\)$/\1/p' "$out")
		[ -n "$url" ] && break
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" || true
			fail "yishi-node $n exited before listening: $(tail -n 5 "$err")"
		fi
		sleep 0.05
	done
	[ -n "$url" ] || fail "yishi-node $n did not print 'listening on' within 5 s"
	e2e_set "$n" URL "$url"
	e2e_set "$n" PORT "${url##*:}"
	e2e_set "$n" PID "$pid"
}

# node_stop NAME: SIGTERM; the node must exit 0.
node_stop() {
	local pid rc=0
	pid=$(e2e_get "$1" PID)
	e2e_stop_pid "$pid" || rc=$?
	e2e_forget_pid "$pid"
	check_eq "exit status of yishi-node $1 after SIGTERM" 0 "$rc"
}

# node_kill9 NAME: no chance to flush anything.
node_kill9() {
	local pid
	pid=$(e2e_get "$1" PID)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	e2e_forget_pid "$pid"
}

# ---- clients -----------------------------------------------------------------
# A user NAME has the client home $E2E_TMP/home-NAME and NAME_ID (the user id).

home_of() {
	printf '%s/home-%s' "$E2E_TMP" "$1"
}

# yi USER ARGS...: run `yishi --home H --json ARGS`; print its stdout; fail the
# scenario if it exits non-zero. Use as: out=$(yi alice group list)
yi() {
	local u=$1 rc=0 out
	shift
	out=$(timeout "$E2E_CMD_TIMEOUT" "$YISHI_BIN/yishi" --home "$(home_of "$u")" --json "$@" \
	    2>"$E2E_TMP/last.err") || rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "yishi $* (as $u) exited $rc, expected success
stdout: $out
stderr: $(cat "$E2E_TMP/last.err")"
	fi
	printf '%s\n' "$out"
}

# yi_fails USER ARGS...: the command must fail with exit 1; prints its stdout (the
# JSON error object); its stderr is in $E2E_TMP/last.err.
yi_fails() {
	local u=$1 rc=0 out
	shift
	out=$(timeout "$E2E_CMD_TIMEOUT" "$YISHI_BIN/yishi" --home "$(home_of "$u")" --json "$@" \
	    2>"$E2E_TMP/last.err") || rc=$?
	if [ "$rc" -ne 1 ]; then
		fail "yishi $* (as $u): expected exit 1 (refused), got $rc
stdout: $out
stderr: $(cat "$E2E_TMP/last.err")"
	fi
	[ -s "$E2E_TMP/last.err" ] || fail "yishi $* (as $u) failed without a message on stderr"
	printf '%s\n' "$out"
}

# error_code WHAT JSON_OUT: the "code" of the failed command's JSON error object.
error_code() {
	local obj
	obj=$(grep -E '"error"' <<<"$2" | tail -n 1 || true)
	[ -n "$obj" ] || fail "$1: expected a JSON error object on stdout, got: [$2]"
	jq -r .code <<<"$obj" 2>/dev/null || fail "$1: error output is not JSON: $obj"
}

# check_error WHAT JSON_OUT CODE NAME: the failed command's --json output holds one
# {"error","code","message"} object with the given wire code (number) or name.
check_error() {
	local what=$1 out=$2 code=$3 name=$4 obj
	obj=$(grep -E '"error"' <<<"$out" | tail -n 1 || true)
	[ -n "$obj" ] || fail "$what: expected a JSON error object on stdout, got: [$out]"
	jq -e . >/dev/null 2>&1 <<<"$obj" || fail "$what: error output is not JSON: $obj"
	local got_code got_err
	got_code=$(jq -r '.code' <<<"$obj")
	got_err=$(jq -r '.error' <<<"$obj")
	[ "$got_code" = "$code" ] || [ "$got_code" = "$name" ] || [ "$got_err" = "$name" ] ||
	    fail "$what: expected error code $code ($name), got: $obj"
	[ "$(jq -r '.message // "" | length' <<<"$obj")" -gt 0 ] ||
	    fail "$what: the error object has no message: $obj"
}

# user_new USER DISPLAY_NAME: a fresh client identity; sets USER_ID.
user_new() {
	local u=$1 name=$2 out id
	mkdir -p "$(home_of "$u")"
	out=$(yi "$u" id new --name "$name")
	id=$(jq -r .user_id <<<"$out")
	[[ $id =~ ^[0-9a-f]{64}$ ]] || fail "yishi id new: expected a 64-hex user_id, got: $out"
	e2e_set "$u" ID "$id"
}

# enroll USER NODE [CODE]: register USER with NODE (as admin with the code).
enroll() {
	local u=$1 n=$2 code=${3:-} out
	if [ -n "$code" ]; then
		out=$(yi "$u" enroll --node "$(e2e_get "$n" URL)" --code "$code")
	else
		out=$(yi "$u" enroll --node "$(e2e_get "$n" URL)")
	fi
	printf '%s\n' "$out"
}

# group_id_of USER NAME: the id of the group called NAME in USER's group list.
group_id_of() {
	local out
	out=$(yi "$1" group list)
	jq -r --arg n "$2" 'select(.name == $n) | .group_id' <<<"$out"
}

# Hex of a string's bytes, for wsraw payloads.
hexof() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# msgpack string header + bytes, hex (fixstr up to 31 bytes, str8 up to 255, str16).
mp_str() {
	local n
	n=$(printf '%s' "$1" | wc -c)
	if [ "$n" -lt 32 ]; then
		printf '%02x' $((0xa0 + n))
	elif [ "$n" -lt 256 ]; then
		printf 'd9%02x' "$n"
	else
		printf 'da%04x' "$n"
	fi
	hexof "$1"
}

# wait_for WHAT SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_for() {
	local what=$1 secs=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	fail "$what: not true within $secs s"
}

# ---- common setups -----------------------------------------------------------

# station_up [run options...]: node "st" running; "admin" enrolled with the init code
# (station admin); "officer" enrolled and granted police by the admin.
station_up() {
	local out
	node_new st --name "平安派出所 Test Station" --area 330281
	node_start st "$@"
	user_new admin "站长 Admin"
	out=$(enroll admin st "$ST_CODE")
	check_eq "role of the admin enrolled with the init code" admin "$(jq -r .role <<<"$out")"
	user_new officer "民警 Li"
	out=$(enroll officer st)
	check_eq "role of a user enrolled without a code" resident "$(jq -r .role <<<"$out")"
	yi admin role grant "$OFFICER_ID" police >/dev/null
}

# group_new VAR NAME [create options...]: the officer founds group NAME; its id goes
# into VAR, an invite link into VAR_LINK.
group_new() {
	local var=$1 name=$2 out gid link
	shift 2
	out=$(yi officer group create "$name" --area 330281 "$@")
	gid=$(jq -r .group_id <<<"$out")
	[[ $gid =~ ^[0-9a-f]{32}$ ]] || fail "group create: expected a 32-hex group_id, got: $out"
	out=$(yi officer group invite "$gid")
	link=$(jq -r .link <<<"$out")
	[[ $link =~ ^http://127\.0\.0\.1:[0-9]+/join/[0-9a-f]+$ ]] ||
	    fail "group invite: expected http://127.0.0.1:PORT/join/HEX, got: $out"
	printf -v "$var" '%s' "$gid"
	printf -v "${var}_LINK" '%s' "$link"
}

# join USER LINK EXPECTED_STATE: USER (a fresh home) joins by the link.
join() {
	local u=$1 link=$2 want=$3 out
	out=$(yi "$u" join "$link")
	check_eq "state after $u joins" "$want" "$(jq -r .state <<<"$out")"
	printf '%s\n' "$out"
}

# send USER G TEXT: send and check the ack; prints the ack's seq. (Parsed with bash,
# not jq: this runs hundreds of times in some scenarios and jq takes 30 ms to start.)
send() {
	local out seq="" id=""
	out=$(yi "$1" send "$2" "$3")
	[[ $out =~ \"seq\":\ *([0-9]+)[,}\ ] ]] && seq=${BASH_REMATCH[1]}
	[[ $out =~ \"id\":\ *\"([0-9a-f]{32})\" ]] && id=${BASH_REMATCH[1]}
	if ! [[ $seq =~ ^[1-9][0-9]*$ && -n $id && $out != *$'\n'* ]]; then
		fail "send by $1: expected {\"seq\":N,\"id\":\"32 hex\"}, got: $out"
	fi
	printf '%s\n' "$seq"
}

# check_seqs_increase WHAT JSONLINES: the "seq" of the objects strictly increase.
check_seqs_increase() {
	jq -se '[.[].seq] as $s | ($s | length) > 0 and all(range(1; $s | length); $s[.] > $s[. - 1])' \
	    >/dev/null <<<"$2" || fail "$1: seqs do not strictly increase: $(jq -c .seq <<<"$2" | tr '\n' ' ')"
}

# check_texts WHAT JSONLINES EXPECTED...: the messages' texts, in order, are EXPECTED
# (texts may hold newlines).
check_texts() {
	local what=$1 lines=$2 got want
	shift 2
	got=$(jq -c '.text' <<<"$lines" | jq -sc .)
	want=$(jq -nc '$ARGS.positional' --args "$@")
	[ "$got" = "$want" ] || fail "$what: expected texts
  $want
got
  $got"
}

# yraw USER ACTION...: signed raw requests as USER (tests/tools/yraw.c); prints the
# reply lines; fails the scenario if yraw could not log in or got no reply.
yraw() {
	local u=$1 rc=0 out
	shift
	out=$(timeout "$E2E_CMD_TIMEOUT" "$YISHI_BIN/yraw" --home "$(home_of "$u")" "$@" \
	    2>"$E2E_TMP/last.err") || rc=$?
	[ "$rc" -eq 0 ] || fail "yraw $* (as $u) exited $rc: $out $(cat "$E2E_TMP/last.err")"
	printf '%s\n' "$out"
}
