// java.net.NetworkInterface answers (getAll, getByName0, getByIndex0, getByInetAddress0): a graph
// of objects, flattened into an event's fields and items when recorded and built again on replay,
// where the machine's interfaces are not asked (under `unshare -n` there is only `lo`).
#pragma once

#include <jni.h>

#include "retrace/tape/event_buffer.h"
#include "retrace/tape/reader.h"

namespace retrace::agent {

/**
 * One interface is, in this order (fields and items are two lists, each read front to back):
 *   items  name, displayName
 *   fields index, virtual, address count (-1: a null array)
 *   per address: item its raw bytes (4 or 16; null item: a null element), and for 16 bytes the
 *                fields scope_id, scope_id_set, scope_ifname_set, and whether scope_ifname is this
 *                interface (1) or null (0): the native sets it to the interface it is building
 *   fields binding count (-1: a null array)
 *   per binding (InterfaceAddress): fields the index of its address among the addresses (-2: a
 *                null binding, and nothing else follows; -1: a null address), maskLength; item
 *                the broadcast address (4 bytes, or null). The native puts the same InetAddress
 *                objects in both arrays, and replay does too
 *   fields child count (-1: a null array), then each child as an interface; its parent is the
 *          interface that holds it
 * A null interface is one null item. The event's value is the array's length, or 1 for a single
 * interface; -1 for null.
 */
class NetworkInterfaces {
 public:
  /** Records `result` (a NetworkInterface, or an array of them when `array`); returns the value. */
  static int64_t record(JNIEnv* env, jobject result, bool array, tape::EventBuffer::Builder& event);
  /** Builds the recorded answer again; null when the event does not hold one. */
  static jobject rebuild(JNIEnv* env, const tape::EventCursor& event, bool array);
};

}  // namespace retrace::agent
