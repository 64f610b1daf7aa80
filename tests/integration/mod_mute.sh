# mod_mute: a muted member cannot post until the mute ends (5 s here), then can; the members
# list shows the mute; a resident cannot mute; unmute ends a mute early.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident m "Muted 禁言"
resident r "Resident"
send m "$G" "before the mute" >/dev/null

step "a resident cannot mute"
refused "mute by a resident" 12 forbidden r mod mute "$G" "$M_ID" 1h >/dev/null
send m "$G" "still allowed" >/dev/null

step "a 5 s mute: sends are refused (muted) until it ends, then accepted"
t0=${EPOCHREALTIME/./}
yi officer mod mute "$G" "$M_ID" 5s --reason "cool down 冷静" >/dev/null
check_eq "listed as muted" true "$(member_field r "$G" "$M_ID" muted)"
out=$(yi_fails m send "$G" "during the mute")
check_error "send while muted" "$out" 24 muted
send r "$G" "others still post" >/dev/null
# Retry until the node accepts; every refusal must say muted, and the first
# acceptance must not come before the 5 s since we asked for the mute.
tries=0
while :; do
	rc=0
	out=$(timeout "$E2E_CMD_TIMEOUT" "$YISHI_BIN/yishi" --home "$(home_of m)" --json send "$G" \
	    "after the mute 解除" 2>"$E2E_TMP/last.err") || rc=$?
	[ "$rc" -eq 0 ] && break
	check_error "send while muted (retry $tries)" "$out" 24 muted
	tries=$((tries + 1))
	[ "$tries" -lt 100 ] || fail "still muted 20 s after a 5 s mute"
	sleep 0.2
done
elapsed=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
[ "$elapsed" -ge 5000 ] || fail "the muted member posted after $elapsed ms of a 5 s mute"
[ "$tries" -gt 0 ] || fail "no refused retry: the loop proves nothing"
check_eq "no longer muted" false "$(member_field r "$G" "$M_ID" muted)"
out=$(yi r read "$G")
check_texts "what the group holds" "$out" "before the mute" "still allowed" \
    "others still post" "after the mute 解除"

step "unmute ends a long mute early"
yi officer mod mute "$G" "$M_ID" 1h >/dev/null
out=$(yi_fails m send "$G" "muted for an hour")
check_error "send while muted for an hour" "$out" 24 muted
yi officer mod unmute "$G" "$M_ID" >/dev/null
send m "$G" "unmuted early" >/dev/null
check_eq "mod log" "mute mute unmute" "$(log_actions officer "$G")"
node_stop st
