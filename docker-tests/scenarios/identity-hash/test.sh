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
# A lambda's hidden class is named with an address ("Foo$$Lambda.0x..."): the classes linked after
# it must still get their recorded mirror hashes (JDK 25's replay gave them live ones, and the set
# came out in another order).
plain "$WORK/lambda-plain1.out" LambdaThenClasses
plain "$WORK/lambda-plain2.out" LambdaThenClasses
check_differs "two plain runs of LambdaThenClasses differ (the clock)" "$WORK/lambda-plain1.out" "$WORK/lambda-plain2.out"
for i in 1 2 3; do
  record "$WORK/lambda$i.retrace" "$WORK/lambda-rec$i.out" -- -cp "$WORK/classes" LambdaThenClasses
  check_replay "classes linked after a lambda replay their mirror hashes (recording $i)" "$WORK/lambda$i.retrace" "$WORK/lambda-rec$i.out"
done
