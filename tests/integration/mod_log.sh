# mod_log: the audit log lists every action in order (who, on whom, why), each
# verified by the client from the group's founder; only moderators read a group's
# log and only admins the station's.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident mod1 "Moderator"
resident r "Resident"
resident t "Target"
s1=$(send r "$G" "hello")

step "a sequence of actions by the owner and a moderator"
yi officer mod promote "$G" "$MOD1_ID" --reason "r1" >/dev/null
yi mod1 mod mute "$G" "$T_ID" 5m --reason "r2" >/dev/null
yi mod1 mod pin "$G" "$s1" --reason "r3" >/dev/null
yi mod1 mod slow "$G" 10 --reason "r4" >/dev/null
yi officer mod demote "$G" "$MOD1_ID" --reason "r5" >/dev/null
yi officer mod kick "$G" "$T_ID" --reason "r6 踢出" >/dev/null
refused "a demoted moderator acts" 12 forbidden mod1 mod unpin "$G" >/dev/null

step "the log: in order, complete, verified"
out=$(yi officer mod log "$G")
check_eq "entries" 6 "$(wc -l <<<"$out")"
check_eq "seqs" "1 2 3 4 5 6" "$(jq -r .seq <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "actions" "promote mute pin slow demote kick" \
    "$(jq -r .action <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "reasons" "r1 r2 r3 r4 r5 r6 踢出" "$(jq -r .reason <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "actors" "$OFFICER_ID $MOD1_ID $MOD1_ID $MOD1_ID $OFFICER_ID $OFFICER_ID" \
    "$(jq -r .actor <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "targets" "$MOD1_ID $T_ID null null $MOD1_ID $T_ID" \
    "$(jq -r .target <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "args of mute, pin, slow" "300 $s1 10" \
    "$(jq -r 'select(.action == "mute" or .action == "pin" or .action == "slow") | .arg' <<<"$out" | tr '\n' ' ' | sed 's/ $//')"
check_eq "all verified" "true" "$(jq -s 'all(.verified == true)' <<<"$out")"
jq -se 'all(.ts > 0) and ([.[].ts] | . == sort)' <<<"$out" >/dev/null || fail "times not in order: $out"
plain=$("$YISHI_BIN/yishi" --home "$(home_of officer)" mod log "$G")
check_eq "plain lines marked verified" 6 "$(grep -c '\[verified\]$' <<<"$plain")"
check_match "plain line of the kick" '^#6 .* kick by 民警 Li on .*: r6 踢出  \[verified\]$' "$plain"

step "who may read it"
refused "log read by a resident" 12 forbidden r mod log "$G" >/dev/null
refused "log read by a demoted moderator" 12 forbidden mod1 mod log "$G" >/dev/null
refused "station log read by police" 12 forbidden officer mod log >/dev/null
yi admin mod station-ban "$T_ID" --reason "fraud" >/dev/null
out=$(yi admin mod log)
check_eq "station log" "station-ban" "$(jq -r .action <<<"$out")"
check_eq "station log verified" true "$(jq -r .verified <<<"$out")"
node_stop st
