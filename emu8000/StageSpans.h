#pragma once
// Stage spans: where one audio buffer's time goes, stage by stage, at a cost of nanoseconds.
//
// The synth (and the engine around it) marks its stages with AWE_SPAN(recorder, stage), a
// scoped guard that reads the time stamp counter at entry and exit and stores both into
// a pre-sized array of the SpanRecorder: no allocation, no lock, no I/O, bounded. The
// owner of the recorder (the engine) drains it after each buffer into the monitor, which
// keeps statistics, the call tree and the newest spans for the trace. emu8000 knows
// nothing of the monitor: this header is its whole side of the hook.
//
// Stages that run thousands of times per buffer (per voice group: envelopes and LFOs, then
// the voice kernel) are not spans of their own, which would cost more than the work they
// time: SpanLaps adds up their time between consecutive lap() marks, and the totals become
// one "aggregate" span per stage and render call, with the number of laps in `calls`.
//
// The kernel does interpolation, filter, gain and mixing in one loop per lane group, so
// those cannot be timed apart: "voice render" is the kernel, "envelopes and LFOs" is the
// per-voice control code that sets the kernel's parameters (pitch, filter coefficients,
// envelope and LFO gain, loop geometry) and frees finished voices.
//
// Costs: with AWE_PROFILE_SPANS=0 (CMake option AWE_PROFILE_SPANS=OFF) the macros compile
// to nothing and the synth holds no span state. Compiled in but switched off (a null
// recorder), each mark is one predictable branch.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define AWE_SPAN_TSC 1
#else
#define AWE_SPAN_TSC 0
#endif

#ifndef AWE_PROFILE_SPANS
#define AWE_PROFILE_SPANS 1
#endif

namespace awe {

// A span's stage as a small number. The synth's own stages (SynthStage) are numbered from
// 0; the owner of the recorder numbers its stages after kSynthStageCount, so one recorder
// holds a buffer's whole tree (the engine's: engine/EngineStages.h). Keep
// kSynthStageNames in step.
using SpanStageId = uint8_t;
enum class SynthStage : uint8_t {
  VoiceSteal = 0,  // choosing and freeing a victim when every voice is busy
  VoiceStart,      // setting one voice up for a note-on
  SynthRender,     // one render() call
  Control,         // aggregate: envelopes and LFOs (per-voice control code)
  VoiceRender,     // aggregate: the voice kernel (interpolation, filter, gain, mix)
  Mix,             // aggregate: folding the lanes into the outputs, the output fade
  Effects,         // aggregate: reverb and chorus
};
constexpr int kSynthStageCount = 7;
constexpr const char* kSynthStageNames[kSynthStageCount] = {
    "voice steal", "voice start", "synth render", "envelopes and LFOs", "voice render", "mix and output", "effects",
};
constexpr SpanStageId spanStageId(SynthStage stage) noexcept { return static_cast<SpanStageId>(stage); }

// One recorded span, in the order the spans were opened (pre-order of the tree): a span's
// children follow it and have depth + 1.
struct SpanEntry {
  int64_t start_ticks = 0;
  int64_t end_ticks = 0;  // for an aggregate: start + the summed time
  uint32_t calls = 1;     // laps summed into an aggregate; 1 for a plain span
  SpanStageId stage = 0;
  uint8_t depth = 0;      // 0 = a root of the buffer
  bool aggregate = false;
};

class SpanRecorder {
 public:
  static constexpr uint32_t kNoSlot = UINT32_MAX;

  // [control thread] Reserves `capacity` spans per drain (spans past it are counted as
  // dropped) and calibrates the tick clock against the steady clock (sleeps ~10 ms).
  explicit SpanRecorder(std::size_t capacity = 4096);

  // [any thread] The tick clock: the time stamp counter on x86, else steady-clock ns.
  static int64_t now() noexcept {
#if AWE_SPAN_TSC
    return static_cast<int64_t>(__rdtsc());
#else
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
#endif
  }

  // --- [the recording thread] ---
  uint32_t open(SpanStageId stage) noexcept {  // [audio thread]
    const uint32_t slot = size_ < capacity_ && !full_ ? size_++ : kNoSlot;
    if (slot == kNoSlot) {
      // Once one span is dropped every later one of the drain is too, so no span ever
      // loses its parent.
      full_ = true;
      ++dropped_;
    } else {
      SpanEntry& e = entries_[slot];
      e.stage = stage;
      e.depth = depth_;
      e.calls = 1;
      e.aggregate = false;
      e.start_ticks = now();
      e.end_ticks = e.start_ticks;
    }
    ++depth_;
    return slot;
  }
  void close(uint32_t slot) noexcept {  // [audio thread]
    if (slot != kNoSlot) entries_[slot].end_ticks = now();
    if (depth_ > 0) --depth_;
  }
  // A finished aggregate as a child of the innermost open span.
  void addAggregate(SpanStageId stage, int64_t start_ticks, int64_t duration_ticks, uint32_t calls) noexcept {
    if (size_ >= capacity_ || full_) {
      full_ = true;
      ++dropped_;
      return;
    }
    SpanEntry& e = entries_[size_++];
    e.stage = stage;
    e.depth = depth_;
    e.calls = calls;
    e.aggregate = true;
    e.start_ticks = start_ticks;
    e.end_ticks = start_ticks + duration_ticks;
  }

  // --- [the draining thread: the recording thread, between buffers] ---
  std::size_t size() const noexcept { return size_; }  // [audio thread]
  const SpanEntry* entries() const noexcept { return entries_.data(); }  // [audio thread]
  std::size_t capacity() const noexcept { return capacity_; }
  // [audio thread]
  uint64_t dropped() const noexcept { return dropped_; }  // since construction
  void clear() noexcept {  // [audio thread]
    size_ = 0;
    full_ = false;
  }
  double nanosecondsPerTick() const noexcept { return nsPerTick_; }  // [audio thread]

 private:
  std::vector<SpanEntry> entries_;
  uint32_t capacity_ = 0;
  uint32_t size_ = 0;
  uint8_t depth_ = 0;
  bool full_ = false;
  uint64_t dropped_ = 0;
  double nsPerTick_ = 1.0;
};

// A plain span for the scope it lives in (see AWE_SPAN).
class SpanScope {
 public:
  SpanScope(SpanRecorder* recorder, SpanStageId stage) noexcept  // [audio thread]
      : recorder_(recorder), slot_(recorder != nullptr ? recorder->open(stage) : SpanRecorder::kNoSlot) {}
  ~SpanScope() {  // [audio thread]
    if (recorder_ != nullptr) recorder_->close(slot_);
  }
  SpanScope(const SpanScope&) = delete;
  SpanScope& operator=(const SpanScope&) = delete;

 private:
  SpanRecorder* recorder_;
  uint32_t slot_;
};

// Time of interleaved stages, summed between lap() marks: each lap charges the time since
// the previous mark to its stage. end() hands the totals to the recorder as aggregate
// children of the innermost open span, laid end to end from begin().
class SpanLaps {
 public:
  static constexpr int kStages = 4;  // Control, VoiceRender, Mix, Effects

  void begin(SpanRecorder* recorder) noexcept {
    recorder_ = recorder;
    if (recorder_ == nullptr) return;
    start_ = last_ = SpanRecorder::now();
    for (int i = 0; i < kStages; ++i) total_[i] = calls_[i] = 0;
  }
  void lap(SynthStage stage) noexcept {
    if (recorder_ == nullptr) return;
    const int64_t t = SpanRecorder::now();
    const int i = index(stage);
    total_[i] += t - last_;
    ++calls_[i];
    last_ = t;
  }
  void end() noexcept {
    if (recorder_ == nullptr) return;
    int64_t at = start_;
    for (int i = 0; i < kStages; ++i) {
      if (calls_[i] == 0) continue;
      recorder_->addAggregate(spanStageId(stageAt(i)), at, total_[i], static_cast<uint32_t>(calls_[i]));
      at += total_[i];
    }
    recorder_ = nullptr;
  }

 private:
  static constexpr int index(SynthStage stage) noexcept {
    return static_cast<int>(stage) - static_cast<int>(SynthStage::Control);
  }
  static constexpr SynthStage stageAt(int i) noexcept {
    return static_cast<SynthStage>(i + static_cast<int>(SynthStage::Control));
  }
  SpanRecorder* recorder_ = nullptr;
  int64_t start_ = 0;
  int64_t last_ = 0;
  int64_t total_[kStages] = {};
  int64_t calls_[kStages] = {};
};
static_assert(static_cast<int>(SynthStage::Effects) - static_cast<int>(SynthStage::Control) + 1 == SpanLaps::kStages,
              "SpanLaps covers the four aggregate stages, in enum order");

}  // namespace awe

#define AWE_SPAN_CONCAT2(a, b) a##b
#define AWE_SPAN_CONCAT(a, b) AWE_SPAN_CONCAT2(a, b)
#if AWE_PROFILE_SPANS
// A span of `stage` (SynthStage::VoiceStart, EngineStage::Buffer, ...) from here to the end
// of the enclosing scope (nothing when the recorder pointer is null).
#define AWE_SPAN(recorder, stage) \
  const ::awe::SpanScope AWE_SPAN_CONCAT(awe_span_, __LINE__)((recorder), ::awe::spanStageId(::awe::stage))
#define AWE_SPAN_LAPS_BEGIN(laps, recorder) (laps).begin(recorder)
#define AWE_SPAN_LAP(laps, stage) (laps).lap(::awe::SynthStage::stage)
#define AWE_SPAN_LAPS_END(laps) (laps).end()
#else
#define AWE_SPAN(recorder, stage) static_cast<void>(0)
#define AWE_SPAN_LAPS_BEGIN(laps, recorder) static_cast<void>(0)
#define AWE_SPAN_LAP(laps, stage) static_cast<void>(0)
#define AWE_SPAN_LAPS_END(laps) static_cast<void>(0)
#endif
