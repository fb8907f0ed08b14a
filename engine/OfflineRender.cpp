#include "engine/OfflineRender.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "engine/StageSpanTap.h"

namespace awe {

OfflineRenderResult renderSong(Synth& synth, Sequencer& sequencer, const OfflineRenderSettings& settings,
                               const AudioSink& sink, const ProgressCallback& progress) {
  OfflineRenderResult result;
  const size_t block = std::max<size_t>(1, settings.blockFrames);
  const double rate = sequencer.sampleRate();
  std::vector<float> left(block), right(block);
  const double songLength_s = static_cast<double>(sequencer.lengthSamples()) / rate;
  const size_t maxTailFrames = static_cast<size_t>(std::max(0.0, settings.maxTail_s) * rate);
  const auto start = std::chrono::steady_clock::now();
  sequencer.seekSamples(0);
  sequencer.play();
  size_t tailFrames = 0;
  SpanRecorder* const spans = settings.spans != nullptr ? &settings.spans->recorder() : nullptr;
  SpanRecorder* const previousSpans = synth.spanRecorder();
  if (spans != nullptr) synth.setSpanRecorder(spans);
  for (uint64_t blockIndex = 0;; ++blockIndex) {
    const bool songOver = sequencer.finished() || !sequencer.playing();
    if (songOver && (synth.activeVoices() == 0 || tailFrames >= maxTailFrames)) break;
    if (settings.stopRequested != nullptr && *settings.stopRequested != 0) {
      result.end = RenderEnd::Stopped;
      break;
    }
    if (settings.maxFrames > 0 && result.frames >= settings.maxFrames) {
      result.end = RenderEnd::MaxLength;
      break;
    }
    {
      AWE_SPAN(spans, Buffer);
      sequencer.render(synth, left.data(), right.data(), block);
    }
    // The last block stops exactly at the limit.
    const size_t frames = settings.maxFrames > 0 ? std::min(block, settings.maxFrames - result.frames) : block;
    if (spans != nullptr) settings.spans->drain(blockIndex, 0);
    if (songOver) tailFrames += block;
    result.frames += frames;
    result.voiceSamples += static_cast<uint64_t>(synth.activeVoices()) * frames;
    result.maxVoices = std::max(result.maxVoices, synth.activeVoices());
    float peak = result.peak;
    for (size_t i = 0; i < frames; ++i) peak = std::max(peak, std::max(std::fabs(left[i]), std::fabs(right[i])));
    result.peak = peak;
    if (sink) sink(left.data(), right.data(), frames);
    if (progress) progress(static_cast<double>(result.frames) / rate, songLength_s);
  }
  if (spans != nullptr) synth.setSpanRecorder(previousSpans);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.audio_s = static_cast<double>(result.frames) / rate;
  result.counters = synth.counters();
  return result;
}

}  // namespace awe
