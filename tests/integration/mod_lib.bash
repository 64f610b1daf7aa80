# mod_lib.bash: what the moderation scenarios (mod_*.sh) share, on top of lib.bash.
# Sourced after lib.bash, never run; the name does not end in .sh so CMake does not
# register it as a test.

[ -x "$YISHI_BIN/modforge" ] || { echo "$E2E_NAME: $YISHI_BIN/modforge is missing (build first)" >&2; exit 1; }

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
