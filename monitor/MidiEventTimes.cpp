#include "monitor/MidiEventTimes.h"

namespace awe {

const char* midiStageName(MidiStage stage) noexcept {
  switch (stage) {
    case MidiStage::ArrivalToEnqueue: return "arrival_to_enqueue";
    case MidiStage::EnqueueToDequeue: return "enqueue_to_dequeue";
    case MidiStage::DequeueToRender: return "dequeue_to_render";
    case MidiStage::RenderToDac: return "render_to_dac";
    case MidiStage::Total: return "total";
  }
  return "unknown";
}

}  // namespace awe
