# mod_newcomer: the node slows members in their first minutes (yishi-node run
# --newcomer-slow SECS): a new member's second message within SECS is refused.
set -euo pipefail
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/mod_lib.bash"

station_up --newcomer-slow 2
group_new G "Newcomers"
resident n "Newcomer"
send n "$G" "first" >/dev/null
refused "a newcomer's second message at once" 18 rate_limited n send "$G" "second" >/dev/null
sleep 2.1
send n "$G" "second, later" >/dev/null
send officer "$G" "the founder is not slowed 1" >/dev/null
send officer "$G" "the founder is not slowed 2" >/dev/null
node_stop st
