# case_lib.bash: what the report and case scenarios (case_*.sh) share, on top of
# lib.bash. Sourced after lib.bash, never run; the name does not end in .sh so CMake
# does not register it as a test.

# case_up [run options...]: station_up (admin; officer = police), plus a mediator, a
# grid worker and a resident "r" (the reporter) enrolled with the station.
case_up() {
	station_up "$@"
	user_new mediator "调解员 Wang"
	enroll mediator st >/dev/null
	yi admin role grant "$MEDIATOR_ID" mediator >/dev/null
	user_new grid "网格员 Zhao"
	enroll grid st >/dev/null
	yi admin role grant "$GRID_ID" grid >/dev/null
	user_new r "居民 Chen"
	enroll r st >/dev/null
}

# report USER ARGS...: `yishi report ARGS` as USER; prints the new case id.
report() {
	local u=$1 out id
	shift
	out=$(yi "$u" report "$@")
	id=$(jq -r .case_id <<<"$out")
	[[ $id =~ ^[0-9a-f]{32}$ ]] || fail "report by $u: expected a 32-hex case_id, got: $out"
	printf '%s\n' "$id"
}

# case_field WHO ID FIELD: FIELD of the case record in WHO's `case show ID`.
case_field() {
	yi "$1" case show "$2" | jq -r --arg f "$3" 'select(.record == "case") | .[$f]'
}

# case_actions WHO ID: the actions of the case's log, space-separated; fails if an
# entry does not verify.
case_actions() {
	local out bad
	out=$(yi "$1" case show "$2")
	bad=$(jq -c 'select(.record == "log" and .verified != true)' <<<"$out")
	[ -z "$bad" ] || fail "case $2 as $1: log entries do not verify: $bad"
	jq -r 'select(.record == "log") | .action' <<<"$out" | paste -sd ' '
}

# watch_start USER: `yishi --json watch` as USER in the background, output in
# $E2E_TMP/watch-USER.out; waits until it has subscribed.
watch_start() {
	local u=$1 pid
	"$YISHI_BIN/yishi" --home "$(home_of "$u")" --json watch \
	    >"$E2E_TMP/watch-$u.out" 2>"$E2E_TMP/watch-$u.err" &
	pid=$!
	E2E_PIDS+=("$pid")
	e2e_set "watch_$u" PID "$pid"
	# No output until an event: give the login and subscription a moment.
	sleep 0.7
	kill -0 "$pid" 2>/dev/null || fail "watch as $u exited: $(cat "$E2E_TMP/watch-$u.err")"
}

watch_stop() {
	local pid
	pid=$(e2e_get "watch_$1" PID)
	e2e_stop_pid "$pid" || true
	e2e_forget_pid "$pid"
}

# watch_has USER ID ACTION: USER's watch printed a verified step ACTION of case ID.
watch_has() {
	jq -c --arg c "$2" --arg a "$3" 'select(.event == "case" and .case_id == $c and
	    .action == $a and .verified == true)' "$E2E_TMP/watch-$1.out" 2>/dev/null | grep -q .
}
