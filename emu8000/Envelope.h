#pragma once
// Delay-attack-hold-decay-sustain-release envelopes, advanced once per control block with
// every stage corner placed on its exact sample.
//
// Volume envelope (SF2 8.1.3 and the EMU8000): attack is linear in amplitude, decay and
// release are linear in dB, the sustain level is an attenuation. Decay and release times
// are for a full-scale change of 100 dB (SF2: sustainVolEnv 1000 cB means silence); the
// voice ends when the level falls kVoiceOffAttenuation_dB below full scale.
// Modulation envelope: the same stages on its 0..1 value, decay and release linear in it;
// its attack has the volume envelope's convex shape (SF2 8.1.3: "nominally such that when
// applied to a decibel or semitone parameter, the result is linear in amplitude or Hz";
// the EMU8000 runs both envelopes through one generator): the value whose kFullScale_dB
// reading is the volume attack's linear amplitude, 1 + 20 log10(t) / 100 at time t of 1.
#include <cmath>
#include <cstdint>

#include "emu8000/Config.h"
#include "emu8000/Conversions.h"

namespace awe {

enum class EnvelopeStage : uint8_t { Delay, Attack, Hold, Decay, Sustain, Release, Finished };

struct EnvelopeTimes {
  uint32_t delay_samples = 0;
  uint32_t attack_samples = 0;
  uint32_t hold_samples = 0;
  uint32_t decay_samples = 0;    // for a full-scale change
  uint32_t release_samples = 0;  // for a full-scale change
  // Volume: sustain attenuation in dB (0 = full level). Modulation: sustain level 0..1.
  float sustain = 0.0f;
};

class Envelope {
 public:
  enum class Kind : uint8_t { Volume, Modulation };
  static constexpr float kFullScale_dB = 100.0f;

  explicit Envelope(Kind kind = Kind::Volume) noexcept : kind_(kind) {}

  void start(const EnvelopeTimes& t) noexcept {  // [audio thread]
    times_ = t;
    level_ = kind_ == Kind::Volume ? kFullScale_dB : 0.0f;
    attackPos_ = 0;
    enter(EnvelopeStage::Delay);
  }

  // Note-off: go to release from wherever the envelope is, at the given full-scale time.
  void release(uint32_t release_samples) noexcept {  // [audio thread]
    if (stage_ == EnvelopeStage::Finished || stage_ == EnvelopeStage::Release) {
      if (stage_ == EnvelopeStage::Release) releaseRate_ = rateFor(release_samples);
      return;
    }
    if (kind_ == Kind::Volume) {
      if (stage_ == EnvelopeStage::Delay) {
        stage_ = EnvelopeStage::Finished;
        return;
      }
      if (stage_ == EnvelopeStage::Attack) {
        const float amp = attackAmplitude();
        level_ = amp > 0.0f ? std::fmin(-20.0f * std::log10(amp), kFullScale_dB) : kFullScale_dB;
      }
    } else {
      level_ = value();
    }
    releaseRate_ = rateFor(release_samples);
    stage_ = EnvelopeStage::Release;
  }

  // Advances by n samples and returns the output value at the end: amplitude 0..1 for a
  // volume envelope, level 0..1 for a modulation envelope. Bounded: at most one pass per
  // stage. A sustaining envelope (most of a held note's life) returns at once.
  inline __attribute__((always_inline)) float advance(uint32_t n) noexcept {  // [audio thread]
    if (stage_ == EnvelopeStage::Sustain) return sustainValue_;
    return advanceStages(n);
  }

 private:
  // Forced inline, with advance, value and levelValue (and the voice's modulation
  // envelope step): a decaying or releasing voice takes them every control block, and
  // GCC's own choice left them out of line in the per-group control walk (band e1m1's
  // first 30 s: 2.2 % more instructions in all).
  inline __attribute__((always_inline)) float advanceStages(uint32_t n) noexcept {  // [audio thread]
    while (n > 0) {
      switch (stage_) {
        case EnvelopeStage::Delay:
        case EnvelopeStage::Hold: {
          const uint32_t k = n < remaining_ ? n : remaining_;
          remaining_ -= k;
          n -= k;
          if (remaining_ == 0) enter(stage_ == EnvelopeStage::Delay ? EnvelopeStage::Attack : EnvelopeStage::Decay);
          break;
        }
        case EnvelopeStage::Attack: {
          const uint32_t k = n < remaining_ ? n : remaining_;
          remaining_ -= k;
          attackPos_ += k;
          n -= k;
          if (remaining_ == 0) enter(EnvelopeStage::Hold);
          break;
        }
        case EnvelopeStage::Decay: {
          const float target = sustainLevel();
          const float distance = kind_ == Kind::Volume ? target - level_ : level_ - target;
          const float needed = distance > 0.0f ? distance / decayRate_ : 0.0f;  // samples
          if (needed <= static_cast<float>(n)) {
            n -= static_cast<uint32_t>(std::ceil(needed));
            level_ = target;
            enter(EnvelopeStage::Sustain);
          } else {
            const float step = decayRate_ * static_cast<float>(n);
            level_ += kind_ == Kind::Volume ? step : -step;
            n = 0;
            if (kind_ == Kind::Volume && level_ >= static_cast<float>(kVoiceOffAttenuation_dB)) {
              stage_ = EnvelopeStage::Finished;
            }
          }
          break;
        }
        case EnvelopeStage::Sustain:
          n = 0;
          break;
        case EnvelopeStage::Release: {
          if (kind_ == Kind::Volume) {
            level_ += releaseRate_ * static_cast<float>(n);
            if (level_ >= static_cast<float>(kVoiceOffAttenuation_dB)) stage_ = EnvelopeStage::Finished;
          } else {
            level_ -= releaseRate_ * static_cast<float>(n);
            if (level_ <= 0.0f) {
              level_ = 0.0f;
              stage_ = EnvelopeStage::Finished;
            }
          }
          n = 0;
          break;
        }
        case EnvelopeStage::Finished:
          n = 0;
          break;
      }
    }
    return value();
  }

 public:
  // Ends the envelope at once (the voice has become inaudible).
  void finish() noexcept { stage_ = EnvelopeStage::Finished; }  // [audio thread]

  // Output value now (see advance()).
  inline __attribute__((always_inline)) float value() const noexcept {  // [audio thread]
    switch (stage_) {
      case EnvelopeStage::Delay:
        return 0.0f;
      case EnvelopeStage::Attack:
        return kind_ == Kind::Volume ? attackAmplitude() : convexAttack(attackAmplitude());
      case EnvelopeStage::Hold:
        return 1.0f;
      case EnvelopeStage::Finished:
        return 0.0f;
      case EnvelopeStage::Sustain:
        return sustainValue_;
      default:
        break;
    }
    return levelValue();
  }

  // Samples until the current delay, attack or hold stage ends (where the output turns a
  // corner that a linear ramp across it would blur); a large number otherwise.
  static constexpr uint32_t kNoCorner = 0xFFFFFFFFu;
  uint32_t samplesToCorner() const noexcept {  // [audio thread]
    const bool timed = stage_ == EnvelopeStage::Delay || stage_ == EnvelopeStage::Attack || stage_ == EnvelopeStage::Hold;
    return timed && remaining_ > 0 ? remaining_ : kNoCorner;
  }

  EnvelopeStage stage() const noexcept { return stage_; }  // [audio thread]
  bool finished() const noexcept { return stage_ == EnvelopeStage::Finished; }  // [audio thread]
  const EnvelopeTimes& times() const noexcept { return times_; }

 private:
  // Output for the level-domain stages (decay, sustain, release).
  inline __attribute__((always_inline)) float levelValue() const noexcept {  // [audio thread]
    if (kind_ == Kind::Modulation) return level_;
    if (level_ >= static_cast<float>(kVoiceOffAttenuation_dB)) return 0.0f;
    return fastExp2(level_ * (-3.32192809f / 20.0f));  // 10^(-dB/20)
  }
  float sustainLevel() const noexcept {  // [audio thread]
    if (kind_ == Kind::Volume) return std::fmin(times_.sustain, kFullScale_dB);
    return times_.sustain < 0.0f ? 0.0f : (times_.sustain > 1.0f ? 1.0f : times_.sustain);
  }
  float rateFor(uint32_t samples) const noexcept {  // [audio thread]
    const float span = kind_ == Kind::Volume ? kFullScale_dB : 1.0f;
    return samples == 0 ? span * 2.0f : span / static_cast<float>(samples);
  }
  // The volume attack's amplitude x as a level on the 0..1 scale of kFullScale_dB.
  static float convexAttack(float x) noexcept {  // [audio thread]
    if (x >= 1.0f) return 1.0f;
    const float level = x > 0.0f ? 1.0f + (20.0f / kFullScale_dB) * std::log10(x) : 0.0f;
    return level > 0.0f ? level : 0.0f;
  }
  float attackAmplitude() const noexcept {  // [audio thread]
    return times_.attack_samples == 0 ? 1.0f
                                      : static_cast<float>(attackPos_) / static_cast<float>(times_.attack_samples);
  }
  void enter(EnvelopeStage s) noexcept {  // [audio thread]
    stage_ = s;
    switch (s) {
      case EnvelopeStage::Delay:
        remaining_ = times_.delay_samples;
        if (remaining_ == 0) enter(EnvelopeStage::Attack);
        break;
      case EnvelopeStage::Attack:
        remaining_ = times_.attack_samples;
        attackPos_ = 0;
        if (remaining_ == 0) enter(EnvelopeStage::Hold);
        break;
      case EnvelopeStage::Hold:
        remaining_ = times_.hold_samples;
        level_ = kind_ == Kind::Volume ? 0.0f : 1.0f;
        if (remaining_ == 0) enter(EnvelopeStage::Decay);
        break;
      case EnvelopeStage::Decay:
        decayRate_ = rateFor(times_.decay_samples);
        break;
      case EnvelopeStage::Sustain:
        if (kind_ == Kind::Volume && level_ >= static_cast<float>(kVoiceOffAttenuation_dB)) stage_ = EnvelopeStage::Finished;
        sustainValue_ = levelValue();
        break;
      default:
        break;
    }
  }

  // In the order a control block reads them: a sustaining envelope reads the first
  // three, a releasing one the first six (the voice keeps them in its first cache line);
  // the times only matter when a stage starts.
  Kind kind_;
  EnvelopeStage stage_ = EnvelopeStage::Finished;
  uint32_t remaining_ = 0;
  float sustainValue_ = 0.0f;  // output while sustaining, computed once
  float level_ = 0.0f;  // volume: attenuation in dB; modulation: level 0..1
  float releaseRate_ = 1.0f;
  float decayRate_ = 1.0f;
  uint32_t attackPos_ = 0;
  EnvelopeTimes times_;
};

}  // namespace awe
