#pragma once
// StageSpanTap: joins the synth's stage spans (emu8000/StageSpans.h) to the monitor's
// StageProfile (monitor/StageProfile.h). It owns both; the recording thread hands the
// recorder to the synth (Synth::setSpanRecorder), records a buffer's spans, then calls
// drain(), which turns ticks into monotonicNanoseconds() and feeds the profile.
#include <cstddef>
#include <cstdint>

#include "emu8000/StageSpans.h"
#include "engine/EngineStages.h"
#include "monitor/StageProfile.h"

namespace awe {

class StageSpanTap {
 public:
  // [control thread] Allocates: `spansPerBuffer` span slots for the recorder and
  // `spanHistory` spans kept for the trace.
  explicit StageSpanTap(std::size_t spansPerBuffer = 4096, std::size_t spanHistory = 65536);

  SpanRecorder& recorder() noexcept { return recorder_; }
  StageProfile& profile() noexcept { return profile_; }
  const StageProfile& profile() const noexcept { return profile_; }

  // [the recording thread, once the buffer's last span closed] busy_ns: the buffer's busy
  // time as the monitor measures it (0: the sum of the root spans).
  void drain(uint64_t buffer, int64_t busy_ns) noexcept;

  // Whether spans are compiled in (CMake option AWE_PROFILE_SPANS).
  static constexpr bool compiledIn() noexcept { return AWE_PROFILE_SPANS != 0; }

 private:
  SpanRecorder recorder_;
  StageProfile profile_;
};

}  // namespace awe
