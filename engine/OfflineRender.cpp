#include "engine/OfflineRender.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

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
  while (true) {
    const bool songOver = sequencer.finished() || !sequencer.playing();
    if (songOver && (synth.activeVoices() == 0 || tailFrames >= maxTailFrames)) break;
    sequencer.render(synth, left.data(), right.data(), block);
    if (songOver) tailFrames += block;
    result.frames += block;
    result.voiceSamples += static_cast<uint64_t>(synth.activeVoices()) * block;
    result.maxVoices = std::max(result.maxVoices, synth.activeVoices());
    float peak = result.peak;
    for (size_t i = 0; i < block; ++i) peak = std::max(peak, std::max(std::fabs(left[i]), std::fabs(right[i])));
    result.peak = peak;
    if (sink) sink(left.data(), right.data(), block);
    if (progress) progress(static_cast<double>(result.frames) / rate, songLength_s);
  }
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.audio_s = static_cast<double>(result.frames) / rate;
  result.counters = synth.counters();
  return result;
}

}  // namespace awe
