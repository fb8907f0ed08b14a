// Sequencer::render lives apart from the scheduling core so that programs (and tests)
// using only the core do not need the synth's implementation to link.
#include "emu8000/StageSpans.h"
#include "emu8000/Synth.h"
#include "engine/Sequencer.h"

namespace awe {

void Sequencer::render(Synth& synth, float* left, float* right, size_t frames) noexcept {
  size_t rendered = 0;
#if AWE_PROFILE_SPANS
  SpanRecorder* const spans = synth.spanRecorder();
#endif
  AWE_SPAN(spans, Sequencer);
  process(frames, [&](const SequencerMessage& message) {
    if (message.offset > rendered) {
      synth.render(left + rendered, right + rendered, message.offset - rendered);
      rendered = message.offset;
    }
    AWE_SPAN(spans, EventDispatch);
    if (message.sysex != nullptr) {
      synth.sysex(message.sysex, message.sysexLength);
    } else {
      synth.midiMessage(message.status, message.data1, message.data2);
    }
  });
  if (rendered < frames) synth.render(left + rendered, right + rendered, frames - rendered);
}

}  // namespace awe
