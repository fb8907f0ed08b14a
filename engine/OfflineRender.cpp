#include "engine/OfflineRender.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace awe {

EngineSettings offlineEngineSettings(const SynthSettings& synth, uint32_t bufferFrames) {
  EngineSettings settings;
  settings.driver.kind = DriverKind::Offline;
  settings.driver.sampleRate = synth.sampleRate;
  settings.driver.bufferFrames = std::max<uint32_t>(1, bufferFrames);
  settings.polyphony = synth.polyphony;
  settings.synth = synth;
  return settings;
}

OfflineRenderResult renderSong(Engine& engine, const OfflineRenderSettings& settings, const AudioSink& sink,
                               const ProgressCallback& progress) {
  OfflineRenderResult result;
  if (!engine.running()) engine.start();
  const size_t block = engine.bufferFrames();
  const double rate = engine.sampleRate();
  std::vector<float> left(block), right(block);
  const size_t maxTailFrames = static_cast<size_t>(std::max(0.0, settings.maxTail_s) * rate);
  const size_t quietWindowFrames = static_cast<size_t>(kRenderQuietWindow_s * rate);
  const size_t fadeFrames = std::max<size_t>(1, static_cast<size_t>(kRenderFade_s * rate));
  const float silence = static_cast<float>(std::pow(10.0, kRenderSilence_dBFS / 20.0));
  const auto start = std::chrono::steady_clock::now();
  // Both commands take effect at the start of the first block.
  engine.seek(0.0);
  engine.play();
  size_t tailFrames = 0;
  size_t quietFrames = 0;  // output frames in a row below the silence level
  EngineStatus status;     // as the last block left the engine (published at its end)
  bool rendered = false;   // no status of this render before its first block
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
  // Renders n <= block frames as one engine buffer; when fading, frame i of the fade
  // (fadeDone + i) is scaled down linearly to zero at the fade's last frame.
  auto renderBlock = [&](size_t n, bool fading, size_t fadeDone) {
    engine.runOffline(
        1,
        [&](const float* l, const float* r, size_t frames) {
          std::copy(l, l + frames, left.begin());
          std::copy(r, r + frames, right.begin());
        },
        n);
    engine.status(status);
    rendered = true;
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
    result.voiceSamples += static_cast<uint64_t>(status.activeVoices) * frames;
    result.maxVoices = std::max(result.maxVoices, status.activeVoices);
    float peak = 0.0f;
    for (size_t i = 0; i < frames; ++i) peak = std::max(peak, std::max(std::fabs(left[i]), std::fabs(right[i])));
    result.peak = std::max(result.peak, peak);
    quietFrames = peak < silence ? quietFrames + frames : 0;
    if (sink) sink(left.data(), right.data(), frames);
    if (progress) progress(static_cast<double>(result.frames) / rate, status.length_s);
  };
  bool stopped = false;
  for (;;) {
    const bool songOver = rendered && (status.finished || !status.playing);
    if (songOver) {
      const bool ended = status.activeVoices == 0 && (quietFrames >= quietWindowFrames || status.effectsIdle);
      if (ended || tailFrames + fadeFrames >= maxTailFrames) break;
    }
    if ((stopped = interrupted())) break;
    size_t n = block;
    if (songOver) n = std::min(n, maxTailFrames - fadeFrames - tailFrames);  // stop where the fade must begin
    renderBlock(n, false, 0);
    if (songOver) tailFrames += n;
  }
  // The fade: over silence when the sound has ended, over the tail when --tail cut it.
  const size_t fadeLength = stopped ? 0 : std::min(fadeFrames, maxTailFrames - std::min(tailFrames, maxTailFrames));
  for (size_t done = 0; done < fadeLength && !interrupted();) {
    const size_t n = std::min(block, fadeLength - done);
    renderBlock(n, true, done + (fadeFrames - fadeLength));
    done += n;
  }
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.audio_s = static_cast<double>(result.frames) / rate;
  result.counters.notesOn = status.notesOn;
  result.counters.voicesStarted = status.voicesStarted;
  result.counters.steals = status.steals;
  result.counters.notesDropped = status.notesDropped;
  return result;
}

}  // namespace awe
