# mod_policy: invite policy (only moderators invite), announce-only (only
# moderators post) and slow mode (one message per member per N seconds) as the
# node enforces them on residents, and lifted again.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident r "Resident"
resident mod1 "Moderator"
yi officer mod promote "$G" "$MOD1_ID" >/dev/null

step "invite policy: moderators only"
yi r group invite "$G" >/dev/null
yi officer mod invite-policy "$G" moderators >/dev/null
refused "invite by a resident" 12 forbidden r group invite "$G" >/dev/null
link=$(yi mod1 group invite "$G" | jq -r .link)
user_new n "Newcomer"
join n "$link" member >/dev/null
yi officer mod invite-policy "$G" members >/dev/null
yi r group invite "$G" >/dev/null

step "announce-only: residents cannot post, moderators can"
yi officer mod announce-only "$G" on >/dev/null
refused "send by a resident in announce-only mode" 12 forbidden r send "$G" "may I?" >/dev/null
send mod1 "$G" "announcement 通知" >/dev/null
send officer "$G" "announcement 2" >/dev/null
yi officer mod announce-only "$G" off >/dev/null
send r "$G" "now I may" >/dev/null

step "slow mode 3 s: a resident's second message is refused until 3 s passed"
sleep 0.2
yi officer mod slow "$G" 3 >/dev/null
send r "$G" "slow 1" >/dev/null
refused "second message within 3 s" 18 rate_limited r send "$G" "slow 2 too soon" >/dev/null
send mod1 "$G" "moderators are not slowed 1" >/dev/null
send mod1 "$G" "moderators are not slowed 2" >/dev/null
sleep 3.1
send r "$G" "slow 2" >/dev/null
yi officer mod slow "$G" 0 >/dev/null
send r "$G" "fast 1" >/dev/null
send r "$G" "fast 2" >/dev/null
out=$(yi officer read "$G")
check_texts "messages" "$out" "announcement 通知" "announcement 2" "now I may" "slow 1" \
    "moderators are not slowed 1" "moderators are not slowed 2" "slow 2" "fast 1" "fast 2"
node_stop st
