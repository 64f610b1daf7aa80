# warn_lib.bash: what the warning scenarios (warn_*.sh) share, on top of lib.bash.
# Sourced after lib.bash, never run; the name does not end in .sh so CMake does not
# register it as a test.

[ -x "$YISHI_BIN/yishi-admin" ] || { echo "$E2E_NAME: $YISHI_BIN/yishi-admin is missing" >&2; exit 1; }

# admin ARGS...: `yishi-admin --json ARGS`; fails the scenario if it fails.
admin() {
	"$YISHI_BIN/yishi-admin" --json "$@" 2>"$E2E_TMP/last.err" ||
	    fail "yishi-admin $* failed: $(cat "$E2E_TMP/last.err")"
}

# warn_root: the federation root key in $E2E_TMP/root.key; sets ROOT_PK.
warn_root() {
	ROOT_PK=$(admin root new --out "$E2E_TMP/root.key" | jq -r .root_pk)
	[[ $ROOT_PK =~ ^[0-9a-f]{64}$ ]] || fail "yishi-admin root new: no root_pk"
}

# issuer_cert FILE USER NAME AREAS [issuer options...]: certify USER's key to issue
# for AREAS; the certificate goes to $E2E_TMP/FILE.
issuer_cert() {
	local f=$1 u=$2 name=$3 areas=$4
	shift 4
	admin issuer --root "$E2E_TMP/root.key" --pk "$(e2e_get "$u" ID)" --name "$name" \
	    --areas "$areas" --until 2099-12-31 --out "$E2E_TMP/$f" "$@" >/dev/null
}

# warn_issue USER ARGS...: `yishi warn issue ARGS` as USER; prints the warning's id.
warn_issue() {
	local u=$1 out id
	shift
	out=$(yi "$u" warn issue "$@")
	id=$(jq -r .id <<<"$out")
	[[ $id =~ ^[0-9a-f]{32}$ ]] || fail "warn issue by $u: expected a 32-hex id, got: $out"
	printf '%s\n' "$id"
}

# warn_state USER ID: the state of warning ID in USER's `warn list --all`, "" if absent;
# fails if it is listed but does not verify.
warn_state() {
	local out
	out=$(yi "$1" warn list --all | jq -c --arg i "$2" 'select(.id == $i)')
	[ -z "$out" ] && return 0
	[ "$(jq -r .verified <<<"$out")" = true ] || fail "warning $2 does not verify for $1: $out"
	jq -r .state <<<"$out"
}

# watch_warning USER ID: USER's watch printed warning ID, verified.
watch_warning() {
	jq -c --arg i "$2" 'select(.event == "warning" and .id == $i and .verified == true)' \
	    "$E2E_TMP/watch-$1.out" 2>/dev/null | grep -q .
}
