#include "retrace/demux/demux.h"

namespace retrace::demux {

const char* toString(HandoverKind kind) {
  switch (kind) {
    case HandoverKind::kYield:
      return "kYield";
    case HandoverKind::kBlock:
      return "kBlock";
    case HandoverKind::kForced:
      return "kForced";
    case HandoverKind::kEscape:
      return "kEscape";
    case HandoverKind::kPreempt:
      return "kPreempt";
  }
  return "?";
}

}  // namespace retrace::demux
