# key_handoff: group keys are handed over by members' clients. Any member holding the
# key (here a resident, not the officer) boxes it for a newcomer whenever it runs a
# command; a newcomer's `read` waits up to --wait seconds for it, and finishes as soon
# as it arrives; without it, nothing is shown as text.
set -euo pipefail
. "$(dirname "$0")/lib.bash"

now_ms() { date +%s%3N; }

station_up
group_new G "Handoff 交接"
user_new r1 "Resident One"
join r1 "$G_LINK" member >/dev/null
yi officer group list >/dev/null	# r1 gets the key from the officer
send officer "$G" "before the newcomer 新人之前" >/dev/null
send r1 "$G" "r1 has the key" >/dev/null

step "a newcomer whose key nobody has boxed yet: --wait 1 gives up in time, shows no text"
user_new late "Newcomer 新人"
join late "$G_LINK" member >/dev/null
t0=$(now_ms)
rc=0
out=$(timeout 20 "$YISHI_BIN/yishi" --home "$(home_of late)" --json read "$G" --wait 1 \
    2>"$E2E_TMP/late.err") || rc=$?
took=$(($(now_ms) - t0))
[ "$took" -lt 5000 ] || fail "read --wait 1 without a key took ${took} ms"
case $rc in
0)	# then every message must be marked undecryptable
	jq -e 'select(.text != null)' <<<"$out" >/dev/null &&
	    fail "read without the key shows text: $out"
	[ "$(jq -s length <<<"$out")" -eq 2 ] || fail "read without the key: expected 2 entries, got: $out"
	;;
1)	[ -s "$E2E_TMP/late.err" ] || fail "read without the key failed without a message" ;;
*)	fail "read --wait 1 without a key: exit $rc: $out $(cat "$E2E_TMP/late.err")" ;;
esac

step "the newcomer waits (--wait 20); a resident's command hands the key over"
t0=$(now_ms)
timeout 30 "$YISHI_BIN/yishi" --home "$(home_of late)" --json read "$G" --wait 20 \
    >"$E2E_TMP/late.out" 2>"$E2E_TMP/late.err" &
reader=$!
E2E_PIDS+=("$reader")
sleep 0.5	# let the reader start waiting: the handoff must reach a waiting client
kill -0 "$reader" 2>/dev/null || fail "read --wait 20 ended before the key was handed over: $(cat "$E2E_TMP/late.out" "$E2E_TMP/late.err")"
yi r1 group list >/dev/null
rc=0
wait "$reader" || rc=$?
e2e_forget_pid "$reader"
took=$(($(now_ms) - t0))
check_eq "exit status of the waiting read" 0 "$rc"
[ "$took" -lt 10000 ] || fail "the waiting read took ${took} ms: it did not notice the key"
check_texts "texts the newcomer reads" "$(cat "$E2E_TMP/late.out")" "before the newcomer 新人之前" "r1 has the key"

step "the newcomer sends; everyone reads it"
send late "$G" "thanks 谢谢交接" >/dev/null
for u in officer r1; do
	out=$(yi "$u" read "$G")
	check_texts "texts $u reads" "$out" "before the newcomer 新人之前" "r1 has the key" "thanks 谢谢交接"
done
node_stop st
