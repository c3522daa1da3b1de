// The recording side of the tape (writer.h). The agent's threads only move buffers into a queue;
// this file's thread encodes them and writes one frame per write(2) on an O_APPEND descriptor.
//
// Failure policy: recording must never hurt the program. A failed write (disk full, I/O error,
// file size limit) marks the tape truncated, prints one line on stderr, and every later event is
// dropped: a tape with a hole in the middle would replay wrongly, a tape cut short replays up to
// the cut. Nothing here throws out of the public API.
#include "retrace/tape/writer.h"

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kj/exception.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "chunk_encoder.h"
#include "frame_sink.h"
#include "limits.h"
#include "mapped_file.h"
#include "messages.h"
#include "retrace.capnp.h"
#include "retrace/tape/frame.h"

namespace retrace::tape {
namespace {

constexpr size_t kMaxSpareBuffers = 8;
constexpr size_t kMaxSpareBufferBytes = 4u << 20;
// A Handover's data section (from and to share a word, fromPoint, kind): sizes a frame's only segment.
constexpr size_t kWordsPerHandover = 3;

// strerror_r comes in a GNU and an XSI flavour; these overloads accept either.
[[maybe_unused]] const char* errorText(int result, const char* buffer) {
  return result == 0 ? buffer : "unknown error";
}
[[maybe_unused]] const char* errorText(const char* result, const char*) {
  return result;
}

std::string errnoText(int error) {
  char buffer[256] = {};
  return errorText(strerror_r(error, buffer, sizeof buffer), buffer);
}

std::string describe(const kj::Exception& e) {
  std::string text(e.getDescription().cStr());
  size_t newline = text.find('\n');
  return newline == std::string::npos ? text : text.substr(0, newline);
}

}  // namespace

struct TapeWriter::Pending {
  enum class Kind { kThreadStart, kEvents, kHandovers };
  Kind kind = Kind::kEvents;
  uint32_t thread = 0;
  uint64_t firstIndex = 0;  // kEvents: in the thread's events; kHandovers: in the schedule
  EventBuffer events{0};
  ThreadInfo info;
  std::vector<HandoverRecord> handovers;
};

struct TapeWriter::Encoding {
  detail::ChunkEncoder chunks;
  detail::FrameSink sink;
};

TapeWriter::TapeWriter(int fd, uint32_t pid) : fd_(fd), pid_(pid), encoding_(std::make_unique<Encoding>()) {}

std::unique_ptr<TapeWriter> TapeWriter::open(const std::string& path, Mode mode, const std::string& shebang,
                                             std::string& error) {
  int fd = -1;
  bool fresh = false;
  // Not into a FIFO or a socket (opening a FIFO waits for a reader, and nothing could read the
  // recording back): refused before the open, and by fstat after. A device is the user's choice
  // (/dev/null to measure, /dev/full to try a full disk).
  auto streamed = [](mode_t mode) { return S_ISFIFO(mode) || S_ISSOCK(mode); };
  struct stat st = {};
  if (::stat(path.c_str(), &st) == 0 && streamed(st.st_mode)) {
    error = std::string("not a regular file (") + detail::fileKindOf(st.st_mode) + ")";
    return nullptr;
  }
  // O_NONBLOCK only for the open (a FIFO put there since): cleared below.
  constexpr int kFlags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NONBLOCK;
  if (mode == Mode::kCreate) {
    // O_APPEND even though we just truncated: child processes open the same file in kAppend
    // mode, and only O_APPEND makes each of our writes land after theirs instead of over them.
    fd = ::open(path.c_str(), kFlags | O_CREAT | O_TRUNC, 0700);
    fresh = true;
  } else {
    // O_EXCL first so that of two processes appending to a missing file only one writes the
    // shebang line.
    fd = ::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0700);
    fresh = fd >= 0;
    if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), kFlags);
  }
  if (fd < 0) {
    error = "cannot open " + path + " for recording: " + errnoText(errno);
    return nullptr;
  }
  if (fstat(fd, &st) != 0 || streamed(st.st_mode)) {
    error = std::string("not a regular file (") + detail::fileKindOf(st.st_mode) + ")";
    ::close(fd);
    return nullptr;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (S_ISREG(st.st_mode)) {
    fresh = fresh || st.st_size == 0;  // an empty file (mktemp) still needs its shebang
    // The umask may have taken bits off at creation, and O_TRUNC keeps an old file's mode: the
    // tape holds environment and data, so owner only, and executable for the shebang.
    if (fresh) fchmod(fd, 0700);
  }
  std::unique_ptr<TapeWriter> writer;
  try {
    writer.reset(new TapeWriter(fd, static_cast<uint32_t>(getpid())));  // private constructor
  } catch (const std::exception& e) {
    ::close(fd);
    error = std::string("cannot record: ") + e.what();
    return nullptr;
  }
  if (fresh) {
    try {
      std::string line = shebang;
      if (line.empty() || line.back() != '\n') line += '\n';
      int failure = 0;
      if (!writer->writeAll(line.data(), line.size(), failure)) {
        error = "cannot write " + path + ": " + errnoText(failure);
        return nullptr;  // the writer closes the descriptor
      }
    } catch (const std::exception& e) {
      error = std::string("cannot record: ") + e.what();
      return nullptr;
    }
  }
  return writer;
}

TapeWriter::~TapeWriter() {
  bool finished;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished = finished_;
  }
  if (!finished) stopThread();  // writes what was queued; no end frame: the tape says incomplete
  if (fd_ >= 0) ::close(fd_);
}

std::string TapeWriter::truncatedReason() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failure_;
}

void TapeWriter::writeProcessStart(const ProcessStartInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_ || finished_) return;
  }
  // The frame says whose it is; normally that is us, but a test may write for several pids.
  if (info.pid != 0) pid_ = info.pid;
  startWritten_ = writeMessage([&](schema::Message::Builder message) {
    auto start = message.initProcessStart();
    detail::fillProcessStart(start, info);
    start.setFormatVersion(kFormatVersion);
    start.setPid(pid_);
  });
  if (startWritten_) startThread();
}

void TapeWriter::startThread() {
  // The writer thread takes no asynchronous signals: the JVM's handlers (SIGQUIT thread dumps,
  // SIGTERM shutdown hooks) expect to run on threads it knows. Synchronous faults stay unblocked
  // because blocking them would turn a crash report into a silent kill.
  sigset_t all, previous;
  sigfillset(&all);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&all, sig);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  try {
    thread_ = std::thread(&TapeWriter::run, this);
    std::lock_guard<std::mutex> lock(mutex_);
    started_ = true;
  } catch (const std::exception& e) {
    fail(std::string("cannot start the writer thread: ") + e.what(), false);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

void TapeWriter::stopThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  drained_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TapeWriter::submitThreadStart(const ThreadInfo& info) {
  try {
    auto pending = std::make_unique<Pending>();
    pending->kind = Pending::Kind::kThreadStart;
    pending->thread = info.thread;
    pending->info = info;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finished_ || stopping_ || failed_.load()) return;
      queue_.push_back(std::move(pending));
    }
    wake_.notify_one();
  } catch (const std::exception&) {
    fail("out of memory while recording", false);
  }
}

void TapeWriter::submitHandovers(std::vector<HandoverRecord> entries) {
  if (entries.empty()) return;
  try {
    auto pending = std::make_unique<Pending>();
    pending->kind = Pending::Kind::kHandovers;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (finished_ || stopping_) return;
      pending->firstIndex = handoversSubmitted_;
      // Counted even when dropped below: the end frame's count then says the schedule has a hole.
      handoversSubmitted_ += entries.size();
      if (failed_.load()) return;
      pending->handovers = std::move(entries);
      queue_.push_back(std::move(pending));
    }
    wake_.notify_one();
  } catch (const std::exception&) {
    fail("out of memory while recording", false);
  }
}

EventBuffer TapeWriter::submit(uint32_t thread, uint64_t firstIndex, EventBuffer&& events) {
  if (events.empty()) return std::move(events);
  try {
    auto pending = std::make_unique<Pending>();
    pending->thread = thread;
    pending->firstIndex = firstIndex;
    std::unique_lock<std::mutex> lock(mutex_);
    if (started_) {
      drained_.wait(lock, [&] { return queuedBytes_ < detail::kMaxQueuedBytes || stopping_ || failed_.load(); });
    }
    if (finished_ || stopping_ || failed_.load()) {
      // Nothing more can reach the file: recycle the buffer on the spot.
      events.clear();
      return std::move(events);
    }
    queuedBytes_ += events.size();
    pending->events = std::move(events);
    queue_.push_back(std::move(pending));
    EventBuffer next(0);
    bool recycled = !spare_.empty();
    if (recycled) {
      next = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    wake_.notify_one();
    return recycled ? std::move(next) : EventBuffer();
  } catch (const std::exception&) {
    fail("out of memory while recording", false);
    return EventBuffer(0);
  }
}

void TapeWriter::run() {
  pthread_setname_np(pthread_self(), "retrace-writer");
  for (;;) {
    std::unique_ptr<Pending> pending;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is written
      pending = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      process(*pending);
    } catch (const std::exception& e) {  // bad_alloc: the thread must not take the JVM down
      fail(std::string("cannot record: ") + e.what(), false);
    }
    size_t bytes = pending->kind == Pending::Kind::kEvents ? pending->events.size() : 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queuedBytes_ -= bytes;
      if (bytes > 0 && bytes <= kMaxSpareBufferBytes && spare_.size() < kMaxSpareBuffers) {
        pending->events.clear();
        try {
          spare_.push_back(std::move(pending->events));
        } catch (const std::exception&) {
          // no spare this time; submit() allocates a new buffer
        }
      }
    }
    drained_.notify_all();
  }
}

void TapeWriter::process(Pending& pending) {
  if (failed_.load()) return;
  if (pending.kind == Pending::Kind::kThreadStart) {
    writeMessage(
        [&](schema::Message::Builder message) { detail::fillThreadStart(message.initThreadStart(), pending.info); });
  } else if (pending.kind == Pending::Kind::kHandovers) {
    writeHandovers(pending.firstIndex, pending.handovers);
  } else {
    writeEvents(pending.thread, pending.firstIndex, pending.events);
  }
}

void TapeWriter::writeEvents(uint32_t thread, uint64_t firstIndex, const EventBuffer& events) {
  const uint8_t* at = events.bytes();
  const uint8_t* end = at + events.size();
  while (at < end && !failed_.load()) {
    detail::ChunkSpan span = detail::nextChunk(at, end);
    if (span.events == 0) break;  // a torn event at the end of the buffer: nothing whole left
    bool written = writeMessage(
        [&](schema::Message::Builder message) {
          encoding_->chunks.encode(message.initEventChunk(), thread, firstIndex, span);
        },
        false, span.estimatedWords());
    if (!written) break;
    at = span.end;
    firstIndex += span.events;
  }
}

void TapeWriter::writeHandovers(uint64_t firstIndex, const std::vector<HandoverRecord>& entries) {
  for (size_t at = 0; at < entries.size() && !failed_.load(); at += detail::kMaxHandoversPerFrame) {
    size_t count = std::min(entries.size() - at, detail::kMaxHandoversPerFrame);
    bool written = writeMessage(
        [&](schema::Message::Builder message) {
          detail::fillHandovers(message.initHandovers(), firstIndex + at, entries.data() + at, count);
        },
        false, count * kWordsPerHandover + 16);
    if (!written) break;
  }
}

template <typename Fill>
bool TapeWriter::writeMessage(Fill&& fill, bool evenAfterFailure, size_t firstSegmentWords) {
  if (failed_.load() && !evenAfterFailure) return false;
  try {
    // One segment sized for the whole chunk: no copying between segments, one allocation.
    capnp::MallocMessageBuilder message(static_cast<unsigned>(
        std::min<size_t>(std::max<size_t>(firstSegmentWords, capnp::SUGGESTED_FIRST_SEGMENT_WORDS),
                         detail::kMaxMessageBytes / sizeof(capnp::word))));
    fill(message.initRoot<schema::Message>());
    size_t words = capnp::computeSerializedSizeInWords(message);
    if (words * sizeof(capnp::word) > detail::kMaxMessageBytes) {
      fail("a chunk of " + std::to_string(words * sizeof(capnp::word)) + " bytes is too large for a frame", false);
      return false;
    }
    // Packing never grows a message by more than one byte in eight, plus a little.
    encoding_->sink.reset(words * sizeof(capnp::word) / 8 * 9 + 64);
    capnp::writePackedMessage(encoding_->sink, message);
  } catch (const kj::Exception& e) {
    fail("cannot encode a message: " + describe(e), false);
    return false;
  } catch (const std::exception& e) {
    fail(std::string("cannot encode a message: ") + e.what(), false);
    return false;
  }
  return writeFrame(evenAfterFailure);
}

bool TapeWriter::writeFrame(bool evenAfterFailure) {
  detail::FrameSink& sink = encoding_->sink;
  if (sink.payloadSize() > kMaxFrameLength) {
    fail("an event of " + std::to_string(sink.payloadSize()) + " bytes is too large for a frame", false);
    return false;
  }
  if (failed_.load() && (!evenAfterFailure || partial_)) return false;
  encodeFrameHeader(pid_, sink.payload(), static_cast<uint32_t>(sink.payloadSize()), sink.frame());
  int error = 0;
  if (!writeAll(sink.frame(), sink.frameSize(), error)) {
    fail(errnoText(error), false);  // writeAll already noted a partial frame
    return false;
  }
  return true;
}

bool TapeWriter::writeAll(const void* bytes, size_t length, int& error) {
  const auto* p = static_cast<const uint8_t*>(bytes);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::write(fd_, p + done, length - done);
    if (n > 0) {
      done += static_cast<size_t>(n);  // a short write (a signal, a quota) goes on where it stopped
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    error = n < 0 ? errno : EIO;
    bytesWritten_ += done;
    if (done > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      partial_ = true;
    }
    return false;
  }
  bytesWritten_ += length;
  return true;
}

void TapeWriter::fail(const std::string& reason, bool partial) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure_.empty()) failure_ = reason;
    if (partial) partial_ = true;
  }
  if (!failed_.exchange(true)) {
    std::string line = "retrace: recording truncated: " + reason + " (the program goes on unrecorded)\n";
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
  }
  drained_.notify_all();  // producers waiting for room: everything is dropped from now on
}

void TapeWriter::finish(const ProcessEndInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  stopThread();
  if (startWritten_) {
    ProcessEndInfo end = info;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      end.handoverCount = handoversSubmitted_;
    }
    if (failed_.load()) {
      end.complete = false;
      end.truncatedReason = truncatedReason();
    }
    // After a failure that left the file frame-aligned (nothing of the failed frame was
    // written), the end frame is still worth a try: it tells `summary` why the tape is short.
    writeMessage([&](schema::Message::Builder message) { detail::fillProcessEnd(message.initProcessEnd(), end); },
                 true);
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace retrace::tape
