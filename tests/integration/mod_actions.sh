# mod_actions: every moderation action, refused for a plain resident (a clear
# forbidden error, and nothing changes) and allowed for a moderator (or, for role
# changes, the owner), each checked by its effect.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident mod1 "Moderator 协管"
resident res "Resident 居民"
resident tgt "Target 对象"
seq1=$(send officer "$G" "notice 公告 one")

step "promote: refused for a resident and for a moderator; the owner promotes"
refused "promote by a resident" 12 forbidden res mod promote "$G" "$MOD1_ID" >/dev/null
check_eq "mod1's role after the refused promote" member "$(member_field officer "$G" "$MOD1_ID" role)"
yi officer mod promote "$G" "$MOD1_ID" --reason "helps out" >/dev/null
check_eq "mod1's role after promote" moderator "$(member_field officer "$G" "$MOD1_ID" role)"
refused "promote by a moderator" 12 forbidden mod1 mod promote "$G" "$RES_ID" >/dev/null
check_eq "res's role" member "$(member_field officer "$G" "$RES_ID" role)"

step "mute / unmute"
out=$(refused "mute by a resident" 12 forbidden res mod mute "$G" "$TGT_ID" 10m)
check_match "the refusal says why" 'moderator' "$(cat "$E2E_TMP/last.err")"
check_eq "tgt's mute after the refused mute" 0 "$(member_field officer "$G" "$TGT_ID" muted_until)"
yi mod1 mod mute "$G" "$TGT_ID" 10m --reason "spam" >/dev/null
check_eq "tgt muted" true "$(member_field officer "$G" "$TGT_ID" muted)"
refused "unmute by a resident" 12 forbidden res mod unmute "$G" "$TGT_ID" >/dev/null
check_eq "tgt still muted" true "$(member_field officer "$G" "$TGT_ID" muted)"
yi mod1 mod unmute "$G" "$TGT_ID" >/dev/null
check_eq "tgt's mute after unmute" 0 "$(member_field officer "$G" "$TGT_ID" muted_until)"
refused "a moderator mutes the owner" 12 forbidden mod1 mod mute "$G" "$OFFICER_ID" 1m >/dev/null

step "pin / unpin"
refused "pin by a resident" 12 forbidden res mod pin "$G" "$seq1" >/dev/null
check_eq "pinned after the refused pin" 0 "$(group_field officer "$G" pinned)"
yi mod1 mod pin "$G" "$seq1" >/dev/null
check_eq "pinned" "$seq1" "$(group_field res "$G" pinned)"
refused "unpin by a resident" 12 forbidden res mod unpin "$G" >/dev/null
check_eq "still pinned" "$seq1" "$(group_field res "$G" pinned)"
refused "pin of a message that does not exist" 13 not_found mod1 mod pin "$G" 9999 >/dev/null
yi mod1 mod unpin "$G" >/dev/null
check_eq "pinned after unpin" 0 "$(group_field res "$G" pinned)"

step "slow"
refused "slow by a resident" 12 forbidden res mod slow "$G" 30 >/dev/null
check_eq "slow after the refused slow" 0 "$(group_field res "$G" slow)"
yi mod1 mod slow "$G" 30 >/dev/null
check_eq "slow" 30 "$(group_field res "$G" slow)"
yi mod1 mod slow "$G" 0 >/dev/null
check_eq "slow off" 0 "$(group_field res "$G" slow)"

step "announce-only"
refused "announce-only by a resident" 12 forbidden res mod announce-only "$G" on >/dev/null
check_eq "announce_only after the refusal" false "$(group_field res "$G" announce_only)"
yi mod1 mod announce-only "$G" on >/dev/null
check_eq "announce_only" true "$(group_field res "$G" announce_only)"
yi mod1 mod announce-only "$G" off >/dev/null
check_eq "announce_only off" false "$(group_field res "$G" announce_only)"

step "invite-policy"
refused "invite-policy by a resident" 12 forbidden res mod invite-policy "$G" moderators >/dev/null
check_eq "invite policy after the refusal" members "$(group_field res "$G" invite_policy)"
yi mod1 mod invite-policy "$G" moderators >/dev/null
check_eq "invite policy" moderators "$(group_field res "$G" invite_policy)"
yi mod1 mod invite-policy "$G" members >/dev/null
check_eq "invite policy back" members "$(group_field res "$G" invite_policy)"

step "redact"
seq2=$(send res "$G" "regrettable words 后悔的话")
refused "redact by a resident" 12 forbidden res mod redact "$G" "$seq2" >/dev/null
out=$(yi tgt read "$G")
check_eq "the message after the refused redact" "regrettable words 后悔的话" \
    "$(jq -r --argjson s "$seq2" 'select(.seq == $s) | .text' <<<"$out")"
yi mod1 mod redact "$G" "$seq2" --reason "off topic" >/dev/null
out=$(yi tgt read "$G")
check_eq "redacted" true "$(jq -r --argjson s "$seq2" 'select(.seq == $s) | .redacted' <<<"$out")"

step "approve / refuse (a group that requires approval)"
out=$(yi officer group create "审核 Approval" --area 330281 --approval)
B=$(jq -r .group_id <<<"$out")
B_LINK=$(yi officer group invite "$B" | jq -r .link)
yi res join "$B_LINK" >/dev/null
yi officer mod approve "$B" "$RES_ID" >/dev/null
yi officer mod promote "$B" "$RES_ID" >/dev/null
check_eq "res promoted in B" moderator "$(member_field officer "$B" "$RES_ID" role)"
yi_fails res mod demote "$B" "$RES_ID" >/dev/null
check_eq "res after demoting themself" moderator "$(member_field officer "$B" "$RES_ID" role)"
yi officer mod demote "$B" "$RES_ID" >/dev/null
check_eq "res demoted in B" member "$(member_field officer "$B" "$RES_ID" role)"
user_new p1 "Petitioner 1"
user_new p2 "Petitioner 2"
yi p1 join "$B_LINK" >/dev/null
yi p2 join "$B_LINK" >/dev/null
refused "approve by a resident" 12 forbidden res mod approve "$B" "$P1_ID" >/dev/null
check_eq "p1 still pending" pending "$(member_field officer "$B" "$P1_ID" state)"
refused "refuse by a resident" 12 forbidden res mod refuse "$B" "$P2_ID" >/dev/null
check_eq "p2 still pending" pending "$(member_field officer "$B" "$P2_ID" state)"
yi officer mod approve "$B" "$P1_ID" >/dev/null
yi officer mod refuse "$B" "$P2_ID" --reason "not from this area" >/dev/null
out=$(yi officer mod log "$B")
check_eq "B's log: the approve and the refuse, verified" \
    "approve $P1_ID true refuse $P2_ID true" \
    "$(jq -r --arg p1 "$P1_ID" --arg p2 "$P2_ID" 'select(.target == $p1 or .target == $p2) |
    "\(.action) \(.target) \(.verified)"' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "p1 approved" member "$(member_field officer "$B" "$P1_ID" state)"
check_eq "p2 refused" absent "$(member_field officer "$B" "$P2_ID" state)"

step "kick"
refused "kick by a resident" 12 forbidden res mod kick "$G" "$TGT_ID" >/dev/null
check_eq "tgt after the refused kick" member "$(member_field officer "$G" "$TGT_ID" state)"
refused "a moderator kicks the owner" 12 forbidden mod1 mod kick "$G" "$OFFICER_ID" >/dev/null
out=$(yi mod1 mod kick "$G" "$TGT_ID" --reason "repeated spam")
check_eq "kick seeds the new epoch" true "$(jq -r .epoch_seeded <<<"$out")"
check_eq "tgt after kick" absent "$(member_field officer "$G" "$TGT_ID" state)"

step "ban / unban"
refused "ban by a resident" 12 forbidden res mod ban "$G" "$MOD1_ID" >/dev/null
check_eq "mod1 after the refused ban" "member moderator" \
    "$(member_field officer "$G" "$MOD1_ID" state) $(member_field officer "$G" "$MOD1_ID" role)"
yi officer mod ban "$G" "$TGT_ID" >/dev/null
refused "unban by a resident" 12 forbidden res mod unban "$G" "$TGT_ID" >/dev/null
check_eq "tgt after the refused unban" absent "$(member_field officer "$G" "$TGT_ID" state)"
refused "a banned user rejoins" 25 banned tgt join "$G_LINK" >/dev/null
yi mod1 mod unban "$G" "$TGT_ID" >/dev/null
join tgt "$G_LINK" member >/dev/null

step "demote and transfer"
refused "demote by a moderator" 12 forbidden mod1 mod demote "$G" "$OFFICER_ID" >/dev/null
refused "transfer by a moderator" 12 forbidden mod1 mod transfer "$G" "$RES_ID" >/dev/null
refused "transfer by a resident" 12 forbidden res mod transfer "$G" "$MOD1_ID" >/dev/null
check_eq "owner unchanged" owner "$(member_field officer "$G" "$OFFICER_ID" role)"

step "station-ban: refused for a resident and for police"
refused "station-ban by a resident" 12 forbidden res mod station-ban "$TGT_ID" >/dev/null
refused "station-ban by police" 12 forbidden officer mod station-ban "$TGT_ID" >/dev/null
check_eq "tgt still in G" member "$(member_field officer "$G" "$TGT_ID" state)"

step "every action is in the audit log, verified, in order"
acts=$(log_actions officer "$G")
check_eq "G's log" "promote mute unmute pin unpin slow slow announce-only announce-only invite-policy invite-policy redact kick ban unban" "$acts"
node_stop st
