# mod_redact: a redacted message is gone from the node's history (a tombstone
# names who redacted it and why, in JSON and plain output) and its ciphertext is
# gone from the node's disk once the node has restarted or stopped.
#
# What the store check proves: the ciphertext bytes the node served before (read
# with tests/tools/modforge --ct, since the client never prints ciphertext) are
# absent from the raw data.mdb, at any offset, in live records, freed pages and the
# slack of pages alike. Until then LMDB keeps them in a freed page; the check first
# sees them there after a kill -9, so it is able to find them.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

mod_up
resident r "Resident 居民"
resident w "Witness"
s1=$(send r "$G" "keep me")
s2=$(send r "$G" "REDACT-ME-7f3a offensive words")
s3=$(send w "$G" "keep me too")
yi officer mod pin "$G" "$s2" >/dev/null
ct=$("$YISHI_BIN/modforge" --home "$(home_of w)" --ct "$G" "$s2")
[[ $ct =~ ^ct\ [0-9a-f]{32,}$ ]] || fail "the node served no ciphertext for #$s2: $ct"
ct=${ct#ct }
ct1=$("$YISHI_BIN/modforge" --home "$(home_of w)" --ct "$G" "$s1")
ct1=${ct1#ct }

step "a resident cannot redact"
refused "redact by a resident" 12 forbidden w mod redact "$G" "$s2" >/dev/null
check_eq "ciphertext still served" "ct $ct" "$("$YISHI_BIN/modforge" --home "$(home_of w)" --ct "$G" "$s2")"

step "the officer redacts: a tombstone in history, no text, the pin is gone"
yi officer mod redact "$G" "$s2" --reason "abusive 辱骂" >/dev/null
check_eq "what the node serves for #$s2" redacted \
    "$("$YISHI_BIN/modforge" --home "$(home_of w)" --ct "$G" "$s2")"
for who in w r officer; do
	out=$(yi "$who" read "$G")
	check_nomatch "$who's history" 'REDACT-ME-7f3a' "$out"
	tomb=$(jq -c --argjson s "$s2" 'select(.seq == $s)' <<<"$out")
	check_eq "tombstone flag" true "$(jq -r .redacted <<<"$tomb")"
	check_eq "tombstone: by" "$OFFICER_ID" "$(jq -r .redacted_by <<<"$tomb")"
	check_eq "tombstone: reason" "abusive 辱骂" "$(jq -r .reason <<<"$tomb")"
	check_eq "tombstone: no text" null "$(jq -r .text <<<"$tomb")"
	check_texts "the other messages" "$(jq -c 'select(.redacted != true)' <<<"$out")" \
	    "keep me" "keep me too"
done
out=$("$YISHI_BIN/yishi" --home "$(home_of w)" read "$G")
check_match "plain tombstone" "^#$s2 .*\\[redacted by 民警 Li: abusive 辱骂\\]$" "$out"
check_eq "pinned after redacting the pinned message" 0 "$(group_field w "$G" pinned)"
refused "redacting it again" 13 not_found officer mod redact "$G" "$s2" >/dev/null

# store_has FILE HEX: FILE holds the bytes HEX somewhere.
store_has() {
	od -An -v -tx1 "$1" | tr -d ' \n' | grep -qF "$2"
}
db="$(node_dir st)/data.mdb"

step "kill -9 right after the redaction: the bytes are still in a freed page of data.mdb"
node_kill9 st
store_has "$db" "$ct1" || fail "the check cannot see live records: #$s1's ciphertext is not in data.mdb"
store_has "$db" "$ct" || fail "the check cannot see freed pages: #$s2's ciphertext is not in data.mdb before the rewrite"

step "the next start rewrites the store: the redacted ciphertext is off the disk"
node_start st --port "$ST_PORT"
check_match "the node's log" 'store: rewrote .*/data.mdb without the 1 messages redacted since the last rewrite \([0-9]+ ms\)' \
    "$(cat "$E2E_TMP/node-st.err")"
store_has "$db" "$ct" && fail "the redacted ciphertext of #$s2 is still in data.mdb after the rewrite at start"
store_has "$db" "$ct1" || fail "#$s1's ciphertext is not in data.mdb after the rewrite"
[ -e "$(node_dir st)/purge.mdb" ] && fail "the rewrite left purge.mdb behind"
out=$(yi w read "$G")
check_texts "history after the rewrite" "$(jq -c 'select(.redacted != true)' <<<"$out")" \
    "keep me" "keep me too"
check_eq "tombstone after the rewrite" "abusive 辱骂" \
    "$(jq -r --argjson s "$s2" 'select(.seq == $s) | .reason' <<<"$out")"

step "a redaction is taken off the disk at a clean stop too"
ct3=$("$YISHI_BIN/modforge" --home "$(home_of w)" --ct "$G" "$s3")
ct3=${ct3#ct }
yi officer mod redact "$G" "$s3" --reason "second" >/dev/null
s4=$(send r "$G" "after the second redaction")
node_stop st
store_has "$db" "$ct3" && fail "the redacted ciphertext of #$s3 is still in data.mdb after the stop"
store_has "$db" "$ct" && fail "#$s2's ciphertext came back"
store_has "$db" "$ct1" || fail "#$s1's ciphertext is not in data.mdb after the stop"
check_eq "rewrites in the node's log" 2 "$(grep -c 'store: rewrote ' "$E2E_TMP/node-st.err")"

step "no redaction since: the next start and stop rewrite nothing"
node_start st --port "$ST_PORT"
out=$(yi r read "$G")
check_texts "history after the second restart" "$(jq -c 'select(.redacted != true)' <<<"$out")" \
    "keep me" "after the second redaction"
node_stop st
check_eq "rewrites in the node's log" 2 "$(grep -c 'store: rewrote ' "$E2E_TMP/node-st.err")"
: "$s4"
