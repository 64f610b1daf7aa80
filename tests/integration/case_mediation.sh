# case_mediation: a dispute is mediated online. The mediator claims it and opens an
# encrypted room (the reporter is let in, the other party joins by invite), drafts an
# agreement naming both parties, each party signs it with their key, and the exported
# agreement verifies offline; a tampered one, one a party has not signed, or one without
# the mediator's own agree entry, does not. The reporter's watch gets each step; the
# agreement text never reaches the node's files in plaintext.
# A mediate the node would refuse (an unclaimed dispute, a fraud case) leaves no room.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/case_lib.bash"

case_up
user_new b "邻居 Zhou"
enroll b st >/dev/null
D=$(report r --kind dispute --area 330282 "楼上邻居装修噪音 noise from the flat upstairs")
watch_start r

step "a refused mediate creates no room"
out=$(yi_fails officer case mediate "$D")
check_error "mediate by police" "$out" 12 forbidden
rooms=$(yi mediator group list | jq -s length)
out=$(yi_fails mediator case mediate "$D")
check_error "mediate an unclaimed dispute" "$out" 21 invalid
check_eq "the mediator's groups after a refused mediate" "$rooms" \
    "$(yi mediator group list | jq -s length)"
F=$(report r --kind fraud --area 330282 "冒充客服退款 a fake refund call")
yi officer case claim "$F" >/dev/null
rooms=$(yi officer group list | jq -s length)
out=$(yi_fails officer case mediate "$F")
check_error "mediate a fraud case" "$out" 21 invalid
check_eq "the officer's groups after a refused mediate" "$rooms" \
    "$(yi officer group list | jq -s length)"

step "claim and open the mediation room"
yi mediator case claim "$D" >/dev/null
out=$(yi mediator case mediate "$D")
room=$(jq -r .group_id <<<"$out")
link=$(jq -r .link <<<"$out")
[[ $room =~ ^[0-9a-f]{32}$ ]] || fail "mediate: expected a room id, got: $out"
check_eq "state after mediate" in_progress "$(case_field r "$D" state)"
join b "$link" member >/dev/null
yi mediator group list >/dev/null	# boxes the room key to the newcomer
send mediator "$room" "双方好，我们线上调解 let us settle this online" >/dev/null
send r "$room" "reporter: ok" >/dev/null
send b "$room" "other party: ok" >/dev/null
out=$(yi b read "$room")
check_texts "the room's messages (other party)" "$out" "双方好，我们线上调解 let us settle this online" \
    "reporter: ok" "other party: ok"
check_eq "the reporter reads the room too" 3 "$(yi r read "$room" | jq -s length)"

step "the agreement: drafted by the mediator, signed by both parties"
text="协议：周先生晚上十点后不装修，陈女士撤回投诉。No renovation after 22:00."
out=$(yi_fails r case agree "$D" --party "$B_ID" "$text")
check_error "agree by the reporter" "$out" 12 forbidden
out=$(yi mediator case agree "$D" --party "$B_ID" "$text")
hash=$(jq -r .agreement_hash <<<"$out")
[[ $hash =~ ^[0-9a-f]{64}$ ]] || fail "agree: expected a 64-hex hash, got: $out"
check_eq "parties" 2 "$(jq -r .parties <<<"$out")"
out=$(yi r case sign "$D")
check_eq "what the reporter signs" "$text" "$(jq -r .text <<<"$out")"
check_eq "the hash the reporter signs" "$hash" "$(jq -r .agreement_hash <<<"$out")"

step "an export with one signature missing does not verify"
yi mediator case export "$D" --out "$E2E_TMP/partial.agreement" >/dev/null
out=$(yi_fails mediator case verify "$E2E_TMP/partial.agreement")
check_error "verify with a party missing" "$out" 16 bad_signature
check_match "the reason names the missing party" "party ${B_ID:0:16}" "$(cat "$E2E_TMP/last.err")"

out=$(yi b case sign "$D")
check_eq "what the other party signs" "$text" "$(jq -r .text <<<"$out")"
out=$(yi_fails grid case sign "$D")
check_error "sign by someone else" "$out" 12 forbidden
check_eq "case log" "claim mediate agree sign sign" "$(case_actions r "$D")"

step "the reporter's watch got the mediation's steps, verified"
for a in mediate agree sign; do
	wait_for "watch shows $a of $D" 5 watch_has r "$D" "$a"
done
# Both parties' signs: one event each, told apart by their actors.
signs_seen() {
	[ "$(jq -r --arg c "$D" 'select(.event == "case" and .case_id == $c and
	    .action == "sign" and .verified == true) | .actor' "$E2E_TMP/watch-r.out" |
	    sort -u | paste -sd ' ')" = "$(printf '%s\n' "$R_ID" "$B_ID" | sort | paste -sd ' ')" ]
}
wait_for "watch shows both parties' signs" 5 signs_seen
check_eq "the agreement's hash, in the watch" "$hash" \
    "$(jq -r --arg c "$D" 'select(.case_id == $c and .action == "agree") | .arg' \
    "$E2E_TMP/watch-r.out")"
watch_stop r

step "export and verify offline"
out=$(yi mediator case export "$D" --out "$E2E_TMP/signed.agreement")
check_eq "export says complete" true "$(jq -r .verified <<<"$out")"
yi r case export "$D" --out "$E2E_TMP/signed-r.agreement" >/dev/null
cmp -s "$E2E_TMP/signed.agreement" "$E2E_TMP/signed-r.agreement" ||
    fail "the reporter and the mediator export different files"
# Offline: a home with no node at all.
user_new judge "Offline Verifier"
out=$(yi judge case verify "$E2E_TMP/signed.agreement")
check_eq "verified" true "$(jq -r .verified <<<"$out")"
check_eq "verified text" "$text" "$(jq -r .text <<<"$out")"
check_eq "verified case" "$D" "$(jq -r .case_id <<<"$out")"
check_eq "verified parties" "$R_ID,$B_ID" "$(jq -r .parties <<<"$out")"

step "tampered agreements do not verify"
f=$E2E_TMP/signed.agreement
# The document's text is in the file as UTF-8: change one character of it.
off=$(grep -a -b -o -F "No renovation after 22:00" "$f" | head -n 1 | cut -d: -f1)
[ -n "$off" ] || fail "the agreement text is not in the exported file"
cp "$f" "$E2E_TMP/t1.agreement"
printf '1' | dd of="$E2E_TMP/t1.agreement" bs=1 seek=$((off + 21)) conv=notrunc 2>/dev/null
out=$(yi_fails judge case verify "$E2E_TMP/t1.agreement")
check_error "verify a changed text" "$out" 16 bad_signature
# Flip one bit in every byte position of the first 200 bytes: none may verify.
size=$(wc -c <"$f")
for pos in 0 5 20 40 60 80 100 $((size - 70)) $((size - 1)); do
	cp "$f" "$E2E_TMP/t2.agreement"
	byte=$(od -An -tu1 -j "$pos" -N1 "$f" | tr -d ' ')
	printf "$(printf '\\%03o' $((byte ^ 1)))" |
	    dd of="$E2E_TMP/t2.agreement" bs=1 seek="$pos" conv=notrunc 2>/dev/null
	rc=0
	"$YISHI_BIN/yishi" --home "$(home_of judge)" case verify "$E2E_TMP/t2.agreement" \
	    >/dev/null 2>&1 || rc=$?
	check_eq "verify with byte $pos flipped (exit status)" 1 "$rc"
done

step "the mediator's agree entry is part of what verifies"
# Without it the parties' signatures alone would let two residents name any mediator.
# The file is {"doc", "agree", "signs"}: cut the "agree" key and its value out, and
# make the map one of two keys.
agree_at=$(LC_ALL=C grep -obUaP '\xa5agree' "$f" | head -n 1 | cut -d: -f1)
signs_at=$(LC_ALL=C grep -obUaP '\xa5signs' "$f" | head -n 1 | cut -d: -f1)
[ -n "$agree_at" ] && [ -n "$signs_at" ] && [ "$agree_at" -lt "$signs_at" ] ||
    fail "the exported file has no agree entry before its signs"
{
	printf '\202'
	tail -c +2 "$f" | head -c $((agree_at - 1))
	tail -c +$((signs_at + 1)) "$f"
} >"$E2E_TMP/no-agree.agreement"
check_eq "the file without the agree entry is shorter" 1 \
    $(($(wc -c <"$E2E_TMP/no-agree.agreement") < size))
out=$(yi_fails judge case verify "$E2E_TMP/no-agree.agreement")
check_error "verify without the mediator's agree entry" "$out" 16 bad_signature
check_match "the reason names the agree entry" "mediator's agree" "$(cat "$E2E_TMP/last.err")"
out=$(yi judge case verify "$f")
check_eq "the genuine file still verifies" true "$(jq -r .verified <<<"$out")"
check_eq "verified mediator" "$MEDIATOR_ID" "$(jq -r .mediator <<<"$out")"

out=$(yi_fails judge case verify "$E2E_TMP/no-such-file")
check_error "verify a missing file" "$out" 101 io

step "the plain output"
out=$("$YISHI_BIN/yishi" --home "$(home_of judge)" case verify "$f")
check_match "plain verify" "^verified: agreement of case $D, signed by all 2 parties" "$out"
node_stop st

step "the node's files hold no agreement text"
nd=$(node_dir st)
check_present "the agreement's hash (a cleartext entry arg)" "$nd/data.mdb" "$hash"
check_absent "agreement plaintext" "$nd" "周先生晚上十点后不装修" "陈女士撤回投诉" \
    "No renovation after 22:00"
