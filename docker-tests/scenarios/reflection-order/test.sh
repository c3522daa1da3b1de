# Class.getDeclaredMethods and getDeclaredConstructors: HotSpot sorts a class's methods by the
# addresses of their names in memory, which change from run to run (address space randomisation),
# and the reflection natives return the members, and ask the class's loader for the types in their
# signatures, in that order. Without the agent's ordering a recorded run prints one of several
# orders and its replay diverges about half the time (the loader's Java code reads the clock and
# the class path). The agent puts both in the order of (name, descriptor): every recording prints
# the same, and every replay replays.
#
# reflected.Host has methods named like JDK methods (their names exist before Host is parsed) and
# new names, each mentioning a type of its own; it is loaded by a loader that notes what the JVM
# asks it for. Generated here, and kept off the class path.
src="$WORK/reflected-src/reflected"
mkdir -p "$src" "$WORK/reflected"
i=0
methods=""
for name in run get close size apply accept test put add remove contains length \
  zebraQuill mauveLantern ochreSpindle tealHarbor amberKestrel cobaltFennel; do
  type=$(printf 'T%02d' $i)
  printf 'package reflected;\n\npublic class %s {}\n' "$type" >"$src/$type.java"
  methods="$methods  public $type $name($type in) { return null; }\n"
  i=$((i + 1))
done
printf 'package reflected;\n\npublic class Host {\n  public Host() {}\n  public Host(T00 a) {}\n  public Host(T00 a, T01 b) {}\n  public Host(T00 a, T01 b, T02 c) {}\n%b}\n' "$methods" >"$src/Host.java"
"$JDK17/bin/javac" --release 17 -d "$WORK/reflected" "$src"/*.java

for i in 1 2 3 4 5 6; do
  record "$WORK/run$i.retrace" "$WORK/rec$i.out" -- -cp "$WORK/classes" ReflectionOrder "$WORK/reflected"
  check_replay "recording $i replays its reflection order" "$WORK/run$i.retrace" "$WORK/rec$i.out"
  [ $i -eq 1 ] || check_same "recording $i prints the members and loads in the order of recording 1" "$WORK/rec1.out" "$WORK/rec$i.out"
done
check "the members come in the order of their names" grep -q '^methods: accept add amberKestrel apply close cobaltFennel contains get length mauveLantern ochreSpindle put remove run size tealHarbor test zebraQuill$' "$WORK/rec1.out"
check "the constructors come in the order of their descriptors" grep -q '^constructors: 0 1 2 3$' "$WORK/rec1.out"
