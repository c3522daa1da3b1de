// See expansion.h. A frame that unpacks beyond the ratio is unpacked once into a fresh anonymous
// mapping, skipping the zero runs, so that the zeros take no memory: only the words that are not
// zero are written. Its structure is then read without walking its lists: the event count, and per
// event the size of its data. Only the data (and a few words per event) may account for the excess.
#include "expansion.h"

#include <capnp/serialize.h>
#include <kj/exception.h>
#include <sys/mman.h>

#include <algorithm>

#include "limits.h"
#include "packed.h"
#include "retrace.capnp.h"

namespace retrace::tape::detail {
namespace {

/** Zeroed memory that is not resident until written (RAII over mmap). */
class ZeroedWords {
 public:
  explicit ZeroedWords(uint64_t words) : bytes_(words * 8) {
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~ZeroedWords() {
    if (data_ != nullptr) munmap(data_, bytes_);
  }
  ZeroedWords(const ZeroedWords&) = delete;
  ZeroedWords& operator=(const ZeroedWords&) = delete;
  uint8_t* data() const { return data_; }

 private:
  size_t bytes_;
  uint8_t* data_;
};

std::string bytesText(uint64_t words) {
  return std::to_string(words * 8) + " bytes";
}

/** The words of `chunk` that are not event data: lists, structs, text. */
bool structureWords(schema::EventChunk::Reader chunk, uint64_t words, uint64_t allowed, uint64_t& structure,
                    std::string& why) {
  auto events = chunk.getEvents();
  if (events.size() > kMaxChunkEvents) {
    why = std::to_string(events.size()) + " events in one chunk, more than the " + std::to_string(kMaxChunkEvents) +
          " a writer puts in one";
    return false;
  }
  uint64_t excused = uint64_t{events.size()} * kMaxZeroEventWords;
  for (auto event : events) {
    // A size only: read from the list pointer, whatever the list holds.
    excused += (uint64_t{event.getData().size()} + 7) / 8;
  }
  structure = words - std::min(words, excused);
  if (structure > allowed) {
    why = "packed bytes unpack to " + bytesText(words) + ", " + bytesText(structure) +
          " of them not event data, more than the " + bytesText(allowed) + " a frame of that size may hold";
    return false;
  }
  return true;
}

}  // namespace

bool expansionAllowed(const uint8_t* payload, size_t length, uint64_t& words, std::string& why) {
  bool over = false;
  words = unpackedWords(payload, length, kMaxMessageBytes / 8, over);
  if (words == SIZE_MAX) {
    why = over ? "unpacks to more than " + bytesText(kMaxMessageBytes / 8)
               : "undecodable message: malformed packed stream";
    return false;
  }
  const uint64_t allowed = maxStructureWords(length);
  if (words <= allowed) return true;
  ZeroedWords unpacked(words);
  if (unpacked.data() == nullptr) {
    why = "no memory to check a frame of " + bytesText(words);
    return false;
  }
  unpackIntoZeros(payload, length, unpacked.data());
  uint64_t structure = 0;
  try {
    capnp::FlatArrayMessageReader message(kj::arrayPtr(reinterpret_cast<const capnp::word*>(unpacked.data()), words),
                                          tapeReaderOptions(words));
    auto root = message.getRoot<schema::Message>();
    if (!root.isEventChunk()) {
      why = std::to_string(length) + " packed bytes unpack to " + bytesText(words) + ", more than the " +
            bytesText(allowed) + " a frame of that size may hold";
      return false;
    }
    if (!structureWords(root.getEventChunk(), words, allowed, structure, why)) {
      why = std::to_string(length) + " " + why;
      return false;
    }
  } catch (const kj::Exception& e) {
    std::string description = e.getDescription().cStr();
    why = "undecodable message: " + description.substr(0, description.find('\n'));
    return false;
  }
  return true;
}

}  // namespace retrace::tape::detail
