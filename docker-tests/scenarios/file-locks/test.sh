# File locks on two different files at once. The JDK's table of a JVM's locks is keyed by each
# file's device and inode (FileKey.init, an fstat of the descriptor); on replay every descriptor is
# a stand-in for /dev/null, so unless the keys are recorded, two files look like one and the second
# lock throws OverlappingFileLockException. Replay must also need none of the files.
data=$WORK/data
mkdir -p "$data"
echo "data" >"$data/data.db"
echo "log" >"$data/log.db"
plain "$WORK/plain1.out" FileLocks "$data"
plain "$WORK/plain2.out" FileLocks "$data"
check_differs "two plain runs differ (where the locks start)" "$WORK/plain1.out" "$WORK/plain2.out"
check "the plain run locked both files" grep -q "^log.db locked: [0-9]*+100 exclusive" "$WORK/plain1.out"
check "the plain run saw the overlapping lock" grep -q "overlapping, as it should" "$WORK/plain1.out"

record "$WORK/locks.retrace" "$WORK/rec.out" -- -cp "$WORK/classes" FileLocks "$data"
check "the recording released both locks" grep -q "^released: true true" "$WORK/rec.out"
rm -rf "$data"
check_replay "replay locks both files as recorded, without them" "$WORK/locks.retrace" "$WORK/rec.out"
