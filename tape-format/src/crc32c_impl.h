// The two CRC32C implementations behind crc32c() (frame.h), visible so that the tests can check
// that they agree on every input, not only on the machine's preferred one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace retrace::tape::detail {

uint32_t crc32cSoftware(uint32_t crc, const void* data, size_t length);

/** True when this CPU has the SSE4.2 crc32 instruction. */
bool crc32cHardwareAvailable();

/** Only call when crc32cHardwareAvailable(). */
uint32_t crc32cHardware(uint32_t crc, const void* data, size_t length);

}  // namespace retrace::tape::detail
