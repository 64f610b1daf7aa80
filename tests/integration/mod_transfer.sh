# mod_transfer: the owner hands the group over; roles follow (the old owner is a
# moderator), authority follows, and the client's log replay from the founder
# still verifies every event, including those the new owner takes.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident heir "Heir 继任"
resident r "Resident"

refused "transfer to a non-member" 13 not_found officer mod transfer "$G" "$ADMIN_ID" >/dev/null
refused "transfer by a resident" 12 forbidden r mod transfer "$G" "$HEIR_ID" >/dev/null
yi officer mod transfer "$G" "$HEIR_ID" --reason "reassigned 调岗" >/dev/null
check_eq "heir's role" owner "$(member_field r "$G" "$HEIR_ID" role)"
check_eq "officer's role" moderator "$(member_field r "$G" "$OFFICER_ID" role)"
check_eq "founder unchanged and bound to the id" "$OFFICER_ID true" \
    "$(yi r group list | jq -r '"\(.founder) \(.founder_verified)"')"

step "authority moved with the role"
refused "old owner promotes" 12 forbidden officer mod promote "$G" "$R_ID" >/dev/null
refused "old owner kicks the new owner" 12 forbidden officer mod kick "$G" "$HEIR_ID" >/dev/null
yi heir mod promote "$G" "$R_ID" >/dev/null
check_eq "r promoted by the new owner" moderator "$(member_field r "$G" "$R_ID" role)"
yi officer mod slow "$G" 5 >/dev/null	# still a moderator

step "the log verifies the whole chain"
check_eq "log" "transfer promote slow" "$(log_actions heir "$G")"
node_stop st
