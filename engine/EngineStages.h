#pragma once
// The engine's stage spans: the stages of an audio buffer around the synth's own
// (emu8000/StageSpans.h), numbered after them so one recorder holds the buffer's whole
// tree. Keep kEngineStageNames in step.
#include "emu8000/StageSpans.h"

namespace awe {

enum class EngineStage : uint8_t {
  Buffer = kSynthStageCount,  // one audio callback, entry to the end of the busy time
  Commands,                   // control commands drained from the queue
  MidiGathering,              // live MIDI events taken from the queue and placed in the buffer
  Sequencer,                  // song events and the rendering between them
  EventDispatch,              // one MIDI message handed to the synth
  Status,                     // publishing the dashboard status
  Monitor,                    // the monitor's end of buffer (after the busy time is taken)
};
constexpr int kEngineStageCount = 7;
constexpr const char* kEngineStageNames[kEngineStageCount] = {
    "buffer", "commands", "MIDI gathering", "sequencer", "event dispatch", "status", "monitor",
};
// [audio thread]
constexpr SpanStageId spanStageId(EngineStage stage) noexcept { return static_cast<SpanStageId>(stage); }

// Every stage an engine's recorder can hold: the synth's, then the engine's.
constexpr int kSpanStageCount = kSynthStageCount + kEngineStageCount;

}  // namespace awe
