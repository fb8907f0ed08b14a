#include "monitor/report/ReportCsv.h"

#include <cmath>
#include <cstdio>

namespace awe {

std::string csvField(std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) return std::string(text);
  std::string field = "\"";
  for (char c : text) {
    if (c == '"') field += '"';
    field += c;
  }
  field += '"';
  return field;
}

void writeBufferCsv(std::ostream& out, const Snapshot& snapshot) {
  out << "index,start_ns,busy_ns,budget_ns,dsp_load,interval_ns,jitter_ns,frames,active_voices,midi_events,"
         "steals,drops,allocations,queue_depth_max,worst_midi_latency_ns,quality_level,deadline_missed,xrun,"
         "heap_live_bytes,voice_workers,worker_busy_ns\n";
  for (const BufferRecord& r : snapshot.records) {
    char load[32];
    std::snprintf(load, sizeof load, "%.6f", r.load);
    out << r.index << ',' << r.start_ns << ',' << r.busy_ns << ','
        << std::llround(bufferBudget_ns(r.frames, snapshot.sampleRate)) << ',' << load << ','
        << r.interval_ns << ',';
    if (snapshot.paced) out << r.jitter_ns;  // freewheel: empty (no ideal timeline to be late against)
    out << ',' << r.frames << ',' << r.activeVoices << ',' << r.midiEvents << ',' << r.steals << ',' << r.drops
        << ',' << r.allocations << ',' << r.queueDepthMax << ',' << r.worstMidiLatency_ns << ','
        << static_cast<unsigned>(r.qualityLevel) << ',' << (r.deadlineMissed ? 1 : 0) << ',' << (r.xrun ? 1 : 0)
        << ',' << r.heapLiveBytes << ',' << static_cast<unsigned>(r.voiceWorkers) << ',';
    for (int w = 0; w < r.voiceWorkers && w < kMaxVoiceWorkers; ++w) out << (w > 0 ? ";" : "") << r.workerBusy_ns[w];
    out << '\n';
  }
}

}  // namespace awe
