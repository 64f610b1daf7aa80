# mod_forge: the node refuses forged moderation events, raw from
# tests/tools/modforge (the client would not build them): signed with the wrong
# key, valid but for another user than the one logged in, by a resident (wrong
# role), replayed byte for byte, or far off the node's clock. Nothing changes, and
# the audit log holds only the one genuine event.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident r "Resident"
resident t "Target"

unchanged() {
	check_eq "$1: t's state" member "$(member_field officer "$G" "$T_ID" state)"
	check_eq "$1: t's mute" 0 "$(member_field officer "$G" "$T_ID" muted_until)"
}

step "wrong key: the officer's event signed with r's key"
out=$(forge officer --signer "$(home_of r)" kick "$G" "$T_ID")
check_match "wrong key" '^frame t=error .*code=16 name=bad_signature' "$out"
unchanged "after the wrong-key kick"

step "another user's valid event sent on r's session"
out=$(forge r --signer "$(home_of officer)" --actor-signer kick "$G" "$T_ID")
check_match "actor is not the logged-in user" '^frame t=error .*code=12 name=forbidden' "$out"
unchanged "after the borrowed event"

step "wrong role: r signs a kick and a station-ban properly"
out=$(forge r kick "$G" "$T_ID")
check_match "kick by a resident" '^frame t=error .*code=12 name=forbidden' "$out"
out=$(forge r station-ban - "$T_ID")
check_match "station-ban by a resident" '^frame t=error .*code=12 name=forbidden' "$out"
unchanged "after the resident's events"

step "replay: the same signed mute sent twice"
out=$(forge officer --times 2 mute "$G" "$T_ID" 60)
check_eq "replies" 2 "$(grep -c '^frame' <<<"$out")"
check_match "first: applied" '^frame t=ok .*seq=1' "$(sed -n 1p <<<"$out")"
check_match "second: refused" '^frame t=error .*code=14 name=exists' "$(sed -n 2p <<<"$out")"

step "an event 15 minutes old"
out=$(forge officer --ts-offset -900 unmute "$G" "$T_ID")
check_match "stale event" '^frame t=error .*code=21 name=invalid' "$out"
check_eq "t still muted" true "$(member_field officer "$G" "$T_ID" muted)"

step "the log holds only the genuine mute, verified"
check_eq "mod log" "mute" "$(log_actions officer "$G")"
node_stop st
