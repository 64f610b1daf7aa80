# mod_lib.bash: what the moderation scenarios (mod_*.sh) share, on top of lib.bash.
# Sourced after lib.bash, never run; the name does not end in .sh so CMake does not
# register it as a test.

for t in modforge keyprobe; do
	[ -x "$YISHI_BIN/$t" ] || { echo "$E2E_NAME: $YISHI_BIN/$t is missing (build first)" >&2; exit 1; }
done

# mod_up [run options...]: station_up (admin, officer) with no newcomer limit unless
# the options say otherwise; the officer founds group G (its id in G, link in G_LINK).
mod_up() {
	station_up --newcomer-slow 0 "$@"
	group_new G "治安群 Moderated"
}

# resident USER NAME: a new resident who joins G by its invite link; the officer's
# client then boxes the group key to them (any login of a key holder does).
resident() {
	user_new "$1" "$2"
	join "$1" "$G_LINK" member >/dev/null
	yi officer group list >/dev/null
}

# member_field WHO G USER_ID FIELD: FIELD of USER_ID in WHO's members list of G
# ("absent" if not listed).
member_field() {
	local out v
	out=$(yi "$1" group members "$2")
	v=$(jq -r --arg id "$3" --arg f "$4" 'select(.user_id == $id) | .[$f]' <<<"$out")
	printf '%s\n' "${v:-absent}"
}

# group_field WHO G FIELD: FIELD of group G in WHO's group list.
group_field() {
	local out
	out=$(yi "$1" group list)
	jq -r --arg g "$2" --arg f "$3" 'select(.group_id == $g) | .[$f]' <<<"$out"
}

# refused WHAT CODE NAME USER ARGS...: the yishi command fails with that node error.
refused() {
	local what=$1 code=$2 name=$3 out
	shift 3
	out=$(yi_fails "$@")
	check_error "$what" "$out" "$code" "$name"
	printf '%s\n' "$out"
}

# forge USER ARGS...: tests/tools/modforge as USER; prints its reply lines.
forge() {
	local u=$1 rc=0 out
	shift
	out=$(timeout "$E2E_CMD_TIMEOUT" "$YISHI_BIN/modforge" --home "$(home_of "$u")" "$@" \
	    2>"$E2E_TMP/last.err") || rc=$?
	[ "$rc" -eq 0 ] || fail "modforge $* (as $u) exited $rc: $out $(cat "$E2E_TMP/last.err")"
	printf '%s\n' "$out"
}

# log_actions WHO G: the actions of G's audit log, space-separated, in order; fails if
# any entry does not verify.
log_actions() {
	local out
	out=$(yi "$1" mod log "$2")
	jq -e 'select(.verified != true)' <<<"$out" >/dev/null &&
	    fail "mod log of $2 has entries that do not verify: $out"
	jq -r .action <<<"$out" | tr '\n' ' ' | sed 's/ $//'
}

# key_fps WHO G: the fingerprints of the epoch keys WHO holds in G, one
# "epoch N fp HEX" line each (tests/tools/keyprobe; never the keys).
key_fps() {
	local rc=0 out
	out=$(timeout "$E2E_CMD_TIMEOUT" "$YISHI_BIN/keyprobe" --home "$(home_of "$1")" "$2" \
	    2>"$E2E_TMP/last.err") || rc=$?
	[ "$rc" -eq 0 ] || fail "keyprobe $2 (as $1) exited $rc: $out $(cat "$E2E_TMP/last.err")"
	printf '%s\n' "$out"
}

# removed_probe_start WHO READER G: a client of WHO, kept running through WHO's
# removal, holds every key WHO has in G now; removed_probe_check later tries them
# on the messages READER reads after G's current last message.
removed_probe_start() {
	local since
	since=$(yi "$2" read "$3" | jq -r .seq | sort -n | tail -n 1)
	rm -f "$E2E_TMP/probe.in"
	mkfifo "$E2E_TMP/probe.in"
	"$YISHI_BIN/keyprobe" --home "$(home_of "$1")" --hold "$(home_of "$2")" "$3" \
	    "${since:-0}" <"$E2E_TMP/probe.in" >"$E2E_TMP/probe.out" 2>"$E2E_TMP/probe.err" &
	PROBE_PID=$!
	E2E_PIDS+=("$PROBE_PID")
	exec {PROBE_FD}>"$E2E_TMP/probe.in"
	wait_for "keyprobe holds $1's keys of $3" 10 grep -q '^held ' "$E2E_TMP/probe.out"
	check_match "$1 holds a key of $3 before the removal" '^epoch ' \
	    "$(cat "$E2E_TMP/probe.out")"
}

# removed_probe_check WHO MEMBER G EPOCH N: after WHO's removal started EPOCH and N
# messages were sent in it, WHO holds no key of EPOCH, the fingerprint of the key
# MEMBER (who stays) holds for EPOCH matches none of WHO's keys, and none of WHO's
# keys opens any of the N messages.
removed_probe_check() {
	local who=$1 member=$2 g=$3 epoch=$4 n=$5 rc=0 held fp
	echo probe >&"$PROBE_FD"
	exec {PROBE_FD}>&-
	wait "$PROBE_PID" || rc=$?
	e2e_forget_pid "$PROBE_PID"
	[ "$rc" -eq 0 ] || fail "keyprobe --hold exited $rc: $(cat "$E2E_TMP/probe.err")"
	held=$(grep '^epoch ' "$E2E_TMP/probe.out" | sort -u)
	check_nomatch "$who's keys (before and after the removal)" "^epoch $epoch fp " "$held"
	fp=$(key_fps "$member" "$g" | sed -n "s/^epoch $epoch fp //p")
	[ -n "$fp" ] || fail "$member holds no key for epoch $epoch of $g"
	check_nomatch "$who's key fingerprints vs the epoch $epoch key" " fp $fp\$" "$held"
	check_eq "new-epoch messages $who's keys open" "opened 0 of $n" \
	    "$(grep '^opened ' "$E2E_TMP/probe.out")"
	check_eq "new-epoch messages probed, all of epoch $epoch" "$n" \
	    "$(grep -c "^msg [0-9]* epoch $epoch sealed\$" "$E2E_TMP/probe.out" || true)"
}
