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
  const size_t quietWindowFrames = static_cast<size_t>(kRenderQuietWindow_s * rate);
  const size_t fadeFrames = std::max<size_t>(1, static_cast<size_t>(kRenderFade_s * rate));
  const float silence = static_cast<float>(std::pow(10.0, kRenderSilence_dBFS / 20.0));
  const auto start = std::chrono::steady_clock::now();
  sequencer.seekSamples(0);
  sequencer.play();
  size_t tailFrames = 0;
  size_t quietFrames = 0;  // output frames in a row below the silence level
  SpanRecorder* const spans = settings.spans != nullptr ? &settings.spans->recorder() : nullptr;
  SpanRecorder* const previousSpans = synth.spanRecorder();
  if (spans != nullptr) synth.setSpanRecorder(spans);
  // Ctrl-C and --max-length end a render where it is (no fade: it says it stopped).
  auto interrupted = [&] {
    if (settings.stopRequested != nullptr && *settings.stopRequested != 0) {
      result.end = RenderEnd::Stopped;
      return true;
    }
    if (settings.maxFrames > 0 && result.frames >= settings.maxFrames) {
      result.end = RenderEnd::MaxLength;
      return true;
    }
    return false;
  };
  // Renders n <= block frames; when fading, frame i of the fade (fadeDone + i) is scaled
  // down linearly to zero at the fade's last frame.
  auto renderBlock = [&](uint64_t blockIndex, size_t n, bool fading, size_t fadeDone) {
    {
      AWE_SPAN(spans, Buffer);
      sequencer.render(synth, left.data(), right.data(), n);
    }
    if (spans != nullptr) settings.spans->drain(blockIndex, 0);
    // The last block stops exactly at the limit.
    const size_t frames = settings.maxFrames > 0 ? std::min(n, settings.maxFrames - result.frames) : n;
    if (fading) {
      for (size_t i = 0; i < frames; ++i) {
        const float gain = 1.0f - static_cast<float>(fadeDone + i + 1) / static_cast<float>(fadeFrames);
        left[i] *= gain;
        right[i] *= gain;
      }
    }
    result.frames += frames;
    result.voiceSamples += static_cast<uint64_t>(synth.activeVoices()) * frames;
    result.maxVoices = std::max(result.maxVoices, synth.activeVoices());
    float peak = 0.0f;
    for (size_t i = 0; i < frames; ++i) peak = std::max(peak, std::max(std::fabs(left[i]), std::fabs(right[i])));
    result.peak = std::max(result.peak, peak);
    quietFrames = peak < silence ? quietFrames + frames : 0;
    if (sink) sink(left.data(), right.data(), frames);
    if (progress) progress(static_cast<double>(result.frames) / rate, songLength_s);
  };
  uint64_t blockIndex = 0;
  bool stopped = false;
  for (;; ++blockIndex) {
    const bool songOver = sequencer.finished() || !sequencer.playing();
    if (songOver) {
      const bool ended = synth.activeVoices() == 0 && (quietFrames >= quietWindowFrames || synth.effectsIdle());
      if (ended || tailFrames + fadeFrames >= maxTailFrames) break;
    }
    if ((stopped = interrupted())) break;
    size_t n = block;
    if (songOver) n = std::min(n, maxTailFrames - fadeFrames - tailFrames);  // stop where the fade must begin
    renderBlock(blockIndex, n, false, 0);
    if (songOver) tailFrames += n;
  }
  // The fade: over silence when the sound has ended, over the tail when --tail cut it.
  const size_t fadeLength = stopped ? 0 : std::min(fadeFrames, maxTailFrames - std::min(tailFrames, maxTailFrames));
  for (size_t done = 0; done < fadeLength && !interrupted(); ++blockIndex) {
    const size_t n = std::min(block, fadeLength - done);
    renderBlock(blockIndex, n, true, done + (fadeFrames - fadeLength));
    done += n;
  }
  if (spans != nullptr) synth.setSpanRecorder(previousSpans);
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.audio_s = static_cast<double>(result.frames) / rate;
  result.counters = synth.counters();
  return result;
}

}  // namespace awe
