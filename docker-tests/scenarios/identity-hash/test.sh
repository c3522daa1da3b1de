# Identity hash codes replay as recorded. In plain runs they come out the same every time here, so
# the proof that replay does not just generate them again is that a recorded run prints other ones
# than a plain run (the agent changes the JVM's thread set-up) and every replay prints the recorded
# ones, on both JDKs.
plain "$WORK/plain.out" IdentityHashes
record "$WORK/run1.retrace" "$WORK/rec1.out" -- -cp "$WORK/classes" IdentityHashes
check_differs "a recorded run gets other identity hashes than a plain run" "$WORK/plain.out" "$WORK/rec1.out"
check_replay "recording 1 replays its identity hashes and set orders" "$WORK/run1.retrace" "$WORK/rec1.out"
for i in 2 3 4 5; do
  record "$WORK/run$i.retrace" "$WORK/rec$i.out" -- -cp "$WORK/classes" IdentityHashes
  check_replay "recording $i replays its identity hashes and set orders" "$WORK/run$i.retrace" "$WORK/rec$i.out"
done
