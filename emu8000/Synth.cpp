#include "emu8000/Synth.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "emu8000/Channel.h"
#include "emu8000/Conversions.h"
#include "emu8000/Emu8000Registers.h"
#include "emu8000/PresetFallback.h"
#include "emu8000/StageSpans.h"
#include "emu8000/Sysex.h"
#include "emu8000/Tuning.h"
#include "emu8000/Voice.h"
#include "emu8000/VoiceKernel.h"

namespace awe {

namespace {

constexpr float kInt16Scale = 1.0f / 32768.0f;
// Lane gain (envelope x attenuation x int16 scale) at which a full-scale sample sits
// 96 dB under full scale.
constexpr float kReleaseFloorGain = 1.5848932e-5f * kInt16Scale;

uint32_t secondsToSamples(double seconds, double rate) {  // [audio thread]
  const double n = seconds * rate + 0.5;  // rounded; no libm call on the note-on path
  return n < 1.0 ? 0u : (n >= 4.0e9 ? 4000000000u : static_cast<uint32_t>(n));
}

// Flush denormals to zero while rendering: filter and envelope tails would otherwise
// decay into denormal numbers and slow the FPU down by orders of magnitude.
class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals() noexcept {  // [audio thread]
#if defined(__SSE__)
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | 0x8040u);  // FTZ | DAZ
#endif
  }
  ~ScopedFlushDenormals() {  // [audio thread]
#if defined(__SSE__)
    _mm_setcsr(saved_);
#endif
  }
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;

 private:
  unsigned saved_ = 0;
};

// A group's steady lanes (Voice::steady) as the control walk steps them, four at a time:
// copies of their voices' pitch and vibrato, taken when they become steady and given back
// when they stop (SynthImpl::leaveSteady). Meanwhile the copies are the ones that move: the
// voices' designed pitch and vibrato phase are stale. Other lanes hold stale values.
struct alignas(64) SteadyLanes {
  uint32_t vibPhase[kLanes];        // at the next step's start
  uint32_t vibPhaseBefore[kLanes];  // at the last step's start
  uint32_t vibStep[kLanes];
  float vibLfoToPitch_cents[kLanes];
  float pitch_cents[kLanes];  // with the sustaining modulation envelope's term
  float designedPitch_cents[kLanes];
  uint32_t vibratoLanes;  // bit l: lane l's vibrato moves its pitch
  uint32_t currentLanes;  // bit l: lane l became steady in the last block (its voice is current)
  uint32_t loopingLanes;  // bit l: lane l's voice loops (a steady voice is never released)
  // Bit l: lane l is steady and loops in the block the control walk has just set up, so it
  // cannot end in it (no sample end, its envelope in sustain) nor turn a corner, until an
  // event reaches its voice (only between spans).
  uint32_t quietLanes;
  int lastStep_samples;   // the frames of the last step
};

}  // namespace

class SynthImpl final : private SysexTarget {
 public:
  explicit SynthImpl(const SynthSettings& s)
      : settings_(s),
        kernels_(&voiceKernels()),
        voices_(static_cast<size_t>(roundUpToLanes(s.polyphony))),
        colds_(voices_.size()),
        groups_(static_cast<size_t>(roundUpToLanes(s.polyphony) / kLanes)),
        steadyLanes_(groups_.size()),
        slotOwner_(voices_.size(), -1),
        pendingFree_(voices_.size()),
        chunkSounding_((voices_.size() + kVoicesPerChunk - 1) / kVoicesPerChunk) {
    setRenderFanOut(nullptr);  // the audio thread's own scratch: one render thread
    settings_.polyphony = std::clamp(s.polyphony, 1, kMaxPolyphony);
    personality_ = s.personality;
    for (Personality p : {Personality::Awe, Personality::Modern}) {
      traits_[static_cast<size_t>(p)] = personalityTraits(p, s.attenuation);
    }
    pending_ = settings_;
    chooseBlockKernels();
    reverb_.prepare(settings_.sampleRate, kControlBlockFrames);
    chorus_.prepare(settings_.sampleRate, kControlBlockFrames);
    reverb_.setType(settings_.reverb);
    chorus_.setType(settings_.chorus);
    polyphonyLimit_ = settings_.polyphony;
    for (LaneGroup& g : groups_) {
      for (int l = 0; l < kLanes; ++l) parkLane(g, l);
    }
    freeSlots_.assign((voices_.size() + 63) / 64, 0);
    for (size_t slot = 0; slot < voices_.size(); ++slot) freeSlots_[slot / 64] |= uint64_t{1} << (slot % 64);
    resetAllChannels();
  }

  static int roundUpToLanes(int n) {
    n = std::clamp(n, 1, kMaxPolyphony);
    return (n + kLanes - 1) / kLanes * kLanes;
  }

  // ---- bank ---------------------------------------------------------------------------
  void setBank(std::shared_ptr<const Bank> bank) {
    ownedBank_ = std::move(bank);
    exchangeBank(ownedBank_.get());
  }

  const Bank* exchangeBank(const Bank* bank) noexcept {  // [audio thread]
    while (activeCount_ > 0) removeVoice(activeCount_ - 1);
    const Bank* old = bank_;
    bank_ = bank;
    for (int c = 0; c < kMidiChannels; ++c) resolvePreset(c);
    return old;
  }

  // ---- MIDI ---------------------------------------------------------------------------
  // The one place a MIDI message is routed (decoded once, emu8000/MidiMessage.h).
  void handle(const MidiMessage& m) noexcept {  // [audio thread]
    const int ch = m.channel;
    switch (m.kind) {
      case MidiKind::NoteOff: noteOff(ch, m.data1); break;
      case MidiKind::NoteOn: noteOn(ch, m.data1, m.data2); break;
      case MidiKind::PolyPressure: polyPressure(ch, m.data1, m.data2); break;
      case MidiKind::ControlChange: controlChange(ch, m.data1, m.data2); break;
      case MidiKind::ProgramChange: programChange(ch, m.data1); break;
      case MidiKind::ChannelPressure: channelPressure(ch, m.data1); break;
      case MidiKind::PitchBend: pitchBend(ch, m.data1 | (m.data2 << 7)); break;
      case MidiKind::Sysex: sysex(m.sysex, m.sysexLength); break;
      case MidiKind::None: break;
    }
  }

  void noteOn(int ch, int key, int vel) noexcept {  // [audio thread]
    if (!validChannel(ch) || key < 0 || key > 127) return;
    if (vel <= 0) {
      noteOff(ch, key);
      return;
    }
    vel = std::min(vel, 127);
    ++counters_.notesOn;
    Channel& channel = channels_[static_cast<size_t>(ch)];
    const Preset* preset = channel.preset;
    if (bank_ == nullptr || preset == nullptr) {
      ++counters_.notesDropped;
      return;
    }
    if (channel.monoMode) {
      const int previous = channel.currentHeldKey();
      channel.pushHeldKey(key);
      channel.lastVelocity = static_cast<uint8_t>(vel);
      // Legato (the previous key still down): the sounding note moves to the new key.
      if (previous >= 0 && previous != key && legatoTo(ch, key)) return;
      // Otherwise the one note of the channel ends (also one the pedal holds).
      forEachActiveVoice([&](int i, Voice& v) {
        if (v.channel == ch && !v.released) releaseVoice(i, v);
      });
    }
    const uint32_t serial = ++noteSerial_;
    noteGlide_ = glideInto(ch, key);
    bool started = false;
    bank_->forEachRegion(*preset, key, vel, [&](const Region& region) {
      const int exclusive = region.gen[genIndex(Gen::ExclusiveClass)];
      if (exclusive != 0) cutExclusiveClass(ch, exclusive, serial);
      bool stolen = false;
      const int slot = allocateVoice(serial, stolen);
      if (slot < 0) return;
      AWE_SPAN(spans_, SynthStage::VoiceStart);
      startVoice(slot, region, ch, key, vel, serial, stolen);
      started = true;
    });
    channel.lastKey = static_cast<int8_t>(key);
    channel.lastNoteSerial = serial;
    if (!started) ++counters_.notesDropped;
  }

  // ---- portamento and mono mode ---------------------------------------------------------
  struct Glide {
    double from_cents = 0.0;  // the pitch to start from, as key x 100
    double time_ms = 0.0;     // 0: no glide
  };

  // [audio thread] The current pitch (key x 100 + glide left) of the channel's last note,
  // or its key when it no longer sounds.
  double lastNotePitch(int ch) noexcept {
    const Channel& c = channels_[static_cast<size_t>(ch)];
    double pitch = c.lastKey * 100.0;
    forEachActiveVoice([&](int, Voice& v) {
      if (v.channel == ch && v.noteSerial == c.lastNoteSerial) pitch = v.key * 100.0 + v.glide_cents;
    });
    return pitch;
  }

  // [audio thread] Whether a note-on of `key` glides, and from where: CC84 names the source
  // key for the next note; with CC65 on every note glides from the previous one's pitch.
  Glide glideInto(int ch, int key) noexcept {
    Channel& c = channels_[static_cast<size_t>(ch)];
    Glide glide;
    if (c.portamentoSourceKey >= 0) {
      glide.from_cents = c.portamentoSourceKey * 100.0;
      c.portamentoSourceKey = -1;  // one note only
    } else if (c.portamentoOn() && c.lastKey >= 0) {
      glide.from_cents = lastNotePitch(ch);
    } else {
      return glide;
    }
    if (glide.from_cents != key * 100.0) glide.time_ms = c.portamentoTime_ms();
    return glide;
  }

  // [audio thread] Starts (or clears) a voice's glide towards its key.
  void startGlide(Voice& v, const Glide& glide) noexcept {
    const double samples = glide.time_ms * 0.001 * settings_.sampleRate;
    if (samples < 1.0) {  // no glide (a refresh re-reads the pitch anyway)
      v.glide_cents = 0.0f;
      v.glideRate_centsPerSample = 0.0f;
      v.gliding = false;
      return;
    }
    const double offset = glide.from_cents - v.key * 100.0;
    v.glide_cents = static_cast<float>(offset);
    v.glideRate_centsPerSample = static_cast<float>(offset / samples);
    v.gliding = true;
  }

  // [audio thread] Mono-mode legato: the channel's sounding note takes `key` without a new
  // attack (gliding there when portamento is on). False when nothing sounds or the new key
  // needs other samples (then the caller starts the note afresh).
  bool legatoTo(int ch, int key) noexcept {
    Channel& c = channels_[static_cast<size_t>(ch)];
    int sounding = 0;
    bool fits = true;
    forEachActiveVoice([&](int, Voice& v) {
      if (v.channel != ch || v.released) return;
      ++sounding;
      if (!cold(v).region.matches(key, v.velocity)) fits = false;
    });
    if (sounding == 0 || !fits) return false;
    Glide glide = glideInto(ch, key);
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel != ch || v.released) return;
      if (glide.time_ms <= 0.0) glide.from_cents = key * 100.0;
      const double from = glide.from_cents;
      v.key = static_cast<uint8_t>(key);
      const int keynum = cold(v).base[genIndex(Gen::Keynum)];
      if (keynum < 0 || keynum > 127) v.effectiveKey = static_cast<uint8_t>(key);
      startGlide(v, Glide{from, glide.time_ms});
      refreshVoice(i, v);
      c.lastNoteSerial = v.noteSerial;
    });
    c.lastKey = static_cast<int8_t>(key);
    return true;
  }

  void noteOff(int ch, int key) noexcept {  // [audio thread]
    if (!validChannel(ch) || key < 0 || key > 127) return;
    Channel& c = channels_[static_cast<size_t>(ch)];
    if (c.monoMode) {
      const int current = c.currentHeldKey();
      // Releasing the sounding key while others are still down: back to the latest of
      // them, legato (MIDI 1.0 mono mode, last-note priority).
      if (c.removeHeldKey(key) && key == current && c.heldCount > 0) {
        const int back = c.currentHeldKey();
        if (legatoTo(ch, back)) return;
        releaseKey(ch, key);
        noteOn(ch, back, c.lastVelocity);
        c.removeHeldKey(back);  // noteOn pushed it again at the top: keep the order
        c.pushHeldKey(back);
        return;
      }
    }
    releaseKey(ch, key);
  }

  void releaseKey(int ch, int key) noexcept {  // [audio thread]
    const bool pedal = channels_[static_cast<size_t>(ch)].sustainDown();
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel != ch || v.key != key || v.released || v.sustained) return;
      if (pedal) {
        v.sustained = true;
      } else {
        releaseVoice(i, v);
      }
    });
  }

  void controlChange(int ch, int cc, int value) noexcept {  // [audio thread]
    if (!validChannel(ch) || cc < 0 || cc > 127) return;
    Channel& c = channels_[static_cast<size_t>(ch)];
    value = std::clamp(value, 0, 127);
    switch (cc) {
      case 6:   // data entry MSB
      case 38:  // data entry LSB
        c.cc[cc] = static_cast<uint8_t>(value);
        if (cc == 6) c.dataMsbSinceSelect = true;
        dataEntry(ch);
        return;
      case 98:
      case 99:
        c.cc[cc] = static_cast<uint8_t>(value);
        c.nrpn = static_cast<uint16_t>((c.cc[99] << 7) | c.cc[98]);
        c.nrpnSelected = true;
        c.dataMsbSinceSelect = false;
        if (cc == 99) c.sf2NrpnBase = 0;
        if (cc == 98 && c.cc[99] == kSf2NrpnMsb) selectSf2Nrpn(c, value);
        return;
      case 100:
      case 101:
        c.cc[cc] = static_cast<uint8_t>(value);
        c.rpn = static_cast<uint16_t>((c.cc[101] << 7) | c.cc[100]);
        c.nrpnSelected = false;
        c.dataMsbSinceSelect = false;
        return;
      case 64: {
        c.cc[64] = static_cast<uint8_t>(value);
        if (value < 64) {
          forEachActiveVoice([&](int i, Voice& v) {
            if (v.channel == ch && v.sustained) {
              v.sustained = false;
              releaseVoice(i, v);
            }
          });
        }
        return;
      }
      case 84:  // portamento control: the next note glides from this key
        c.cc[84] = static_cast<uint8_t>(value);
        c.portamentoSourceKey = static_cast<int8_t>(value);
        return;
      case 120:
        allSoundOff(ch);
        return;
      case 121:
        c.resetControllers();
        refreshChannel(ch);
        return;
      case 123:
      case 124:  // omni off
      case 125:  // omni on
        allNotesOff(ch);
        return;
      case 126:  // mono on (the value, a channel count, is not needed: one channel each)
      case 127:  // poly on
        allNotesOff(ch);
        c.monoMode = cc == 126;
        c.heldCount = 0;
        return;
      default:
        break;
    }
    c.cc[cc] = static_cast<uint8_t>(value);
    if (cc == 0 || cc == 32) return;  // takes effect at the next program change
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel == ch && cold(v).modulators.uses(true, cc)) refreshVoice(i, v);
    });
  }

  void programChange(int ch, int program) noexcept {  // [audio thread]
    if (!validChannel(ch)) return;
    channels_[static_cast<size_t>(ch)].program = static_cast<uint16_t>(std::clamp(program, 0, 127));
    resolvePreset(ch);
  }

  void pitchBend(int ch, int value14) noexcept {  // [audio thread]
    if (!validChannel(ch)) return;
    channels_[static_cast<size_t>(ch)].pitchWheel = static_cast<uint16_t>(std::clamp(value14, 0, 16383));
    refreshUsers(ch, false, static_cast<int>(GeneralController::PitchWheel));
  }

  void channelPressure(int ch, int value) noexcept {  // [audio thread]
    if (!validChannel(ch)) return;
    channels_[static_cast<size_t>(ch)].channelPressure = static_cast<uint8_t>(std::clamp(value, 0, 127));
    refreshUsers(ch, false, static_cast<int>(GeneralController::ChannelPressure));
  }

  void polyPressure(int ch, int key, int value) noexcept {  // [audio thread]
    if (!validChannel(ch) || key < 0 || key > 127) return;
    channels_[static_cast<size_t>(ch)].polyPressure[key] = static_cast<uint8_t>(std::clamp(value, 0, 127));
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel == ch && v.key == key && cold(v).modulators.uses(false, static_cast<int>(GeneralController::PolyPressure))) {
        refreshVoice(i, v);
      }
    });
  }

  void sysex(const uint8_t* data, size_t length) noexcept {  // [audio thread]
    decodeSysex(data, length, *this);
  }

  // ---- SysexTarget: what the decoded system exclusive messages do -------------------------
  void systemReset(SystemMode mode) noexcept override {  // [audio thread]
    systemMode_ = mode;
    masterVolume_ = 1.0f;
    masterFineTuning_cents_ = 0.0;
    masterCoarseTuning_semitones_ = 0;
    tunings_.clear();
    resetAllChannels();
    markAllVoicesDirty();
  }
  void setMasterVolume(double gain) noexcept override {  // [audio thread]
    masterVolume_ = static_cast<float>(std::clamp(gain, 0.0, 1.0));
    markAllVoicesDirty();
  }
  void setMasterFineTuning(double cents) noexcept override {  // [audio thread]
    masterFineTuning_cents_ = std::clamp(cents, -100.0, 100.0);
    for (int c = 0; c < kMidiChannels; ++c) refreshChannel(c);
  }
  void setMasterCoarseTuning(int semitones) noexcept override {  // [audio thread]
    masterCoarseTuning_semitones_ = std::clamp(semitones, -64, 63);
    for (int c = 0; c < kMidiChannels; ++c) refreshChannel(c);
  }
  void setReverbMacro(int index) noexcept override {  // [audio thread]
    if (const auto type = reverbTypeFromIndex(index)) setReverbType(*type);
  }
  void setChorusMacro(int index) noexcept override {  // [audio thread]
    if (const auto type = chorusTypeFromIndex(index)) setChorusType(*type);
  }
  void setDrumPart(int ch, bool drum) noexcept override {  // [audio thread]
    if (!validChannel(ch)) return;
    channels_[static_cast<size_t>(ch)].drumPart = drum;
    resolvePreset(ch);
  }
  void setPitchClassTuning(int ch, int pitchClass, double cents) noexcept override {  // [audio thread]
    if (!validChannel(ch) || pitchClass < 0 || pitchClass > 11) return;
    channels_[static_cast<size_t>(ch)].octaveTuning_cents[pitchClass] = static_cast<float>(cents);
  }
  void setKeyTuning(int bank, int program, int key, double cents) noexcept override {  // [audio thread]
    const int slot = tunings_.findOrCreate(bank, program);
    if (slot < 0 || key < 0 || key > 127) return;
    tunings_.table(slot).deviation_cents[key] = static_cast<float>(cents - 100.0 * key);
    // A channel that selected this tuning before it existed finds it now.
    for (Channel& c : channels_) {
      if (c.tuningSlot < 0 && c.tuningSelected && c.tuningBank == bank && c.tuningProgram == program) c.tuningSlot = static_cast<int16_t>(slot);
    }
  }
  void retuneChannels(uint16_t channelMask, bool realtime) noexcept override {  // [audio thread]
    if (!realtime) return;  // non-real-time forms: the next notes take the new tuning
    for (int c = 0; c < kMidiChannels; ++c) {
      if ((channelMask >> c) & 1u) refreshChannel(c);
    }
  }
  void markAllVoicesDirty() noexcept {  // [audio thread]
    forEachActiveVoice([&](int, Voice& v) { v.dirty = true; });
  }

  void allNotesOff() noexcept {  // [audio thread]
    for (int c = 0; c < kMidiChannels; ++c) allNotesOff(c);
  }
  void allNotesOff(int ch) noexcept {  // [audio thread]
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel != ch) return;
      v.sustained = false;
      if (!v.released) releaseVoice(i, v);
    });
  }
  void allSoundOff() noexcept {  // [audio thread]
    for (int c = 0; c < kMidiChannels; ++c) allSoundOff(c);
  }
  void allSoundOff(int ch) noexcept {  // [audio thread]
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel == ch) fastRelease(i, v);
    });
  }

  void resetAllChannels() noexcept {  // [audio thread]
    for (int c = 0; c < kMidiChannels; ++c) {
      channels_[static_cast<size_t>(c)].reset(c == kDrumChannel);
      resolvePreset(c);
      refreshChannel(c);
    }
  }

  // ---- quality hooks ------------------------------------------------------------------
  void setReverbType(ReverbType type) noexcept {  // [audio thread]
    settings_.reverb = type;
    reverb_.setType(type);
  }
  void setChorusType(ChorusType type) noexcept {  // [audio thread]
    settings_.chorus = type;
    chorus_.setType(type);
  }
  void setEffectLevels(float reverb, float chorus) noexcept {
    reverbLevel_ = std::clamp(reverb, 0.0f, 1.0f);
    chorusLevel_ = std::clamp(chorus, 0.0f, 1.0f);
  }
  float reverbLevel() const noexcept { return reverbLevel_; }
  float chorusLevel() const noexcept { return chorusLevel_; }
  void setPersonality(Personality p) noexcept {
    personality_ = p;
    settings_.personality = p;
  }
  Personality personality() const noexcept { return personality_; }
  // Quality switches take effect behind a short fade of the whole output (one control
  // block out, one block in: under 1.5 ms) so a changed waveform never jumps.
  void setInterpolation(Interpolation m) noexcept {  // [audio thread]
    pending_.interpolation = m;
    requestSwitch();
  }
  void setFilterEnabled(bool on) noexcept {  // [audio thread]
    pending_.filterEnabled = on;
    requestSwitch();
  }
  void setEffectsEnabled(bool on) noexcept {  // [audio thread]
    pending_.effectsEnabled = on;
    requestSwitch();
  }
  void requestSwitch() noexcept {  // [audio thread]
    const bool same = pending_.interpolation == settings_.interpolation &&
                      pending_.filterEnabled == settings_.filterEnabled &&
                      pending_.effectsEnabled == settings_.effectsEnabled;
    if (same) return;
    if (fade_ == Fade::None) {
      fade_ = Fade::Out;
      fadePosition_ = 0;
    } else if (fade_ == Fade::In) {
      // Turn round from wherever the fade-in got to, without a jump.
      fade_ = Fade::Out;
      fadePosition_ = kFadeFrames - fadePosition_;
    }
  }
  void setPolyphonyLimit(int n) noexcept {  // [audio thread]
    polyphonyLimit_ = std::clamp(n, 1, settings_.polyphony);
    forEachActiveVoice([&](int i, Voice& v) {
      if (i >= polyphonyLimit_) fastRelease(i, v);
    });
  }
  int polyphonyLimit() const noexcept { return polyphonyLimit_; }  // [audio thread]

  // ---- rendering ----------------------------------------------------------------------
  void render(float* left, float* right, size_t frames) noexcept {  // [audio thread]
    AWE_SPAN(spans_, SynthStage::SynthRender);
    if (silent()) {
      // Every block would be zeros and change nothing (no voice to mix, no fade to count,
      // effect units idle on zero buses): an idle buffer costs two fills.
      std::fill_n(left, frames, 0.0f);
      std::fill_n(right, frames, 0.0f);
      return;
    }
    AWE_SPAN_LAPS_BEGIN(laps_, spans_);
    ScopedFlushDenormals ftz;
    size_t done = 0;
    while (done < frames) {
      // A quality switch's fade changes the kernels at a block boundary: block by block then.
      const size_t span = fade_ == Fade::None ? kRenderSpanFrames : kControlBlockFrames;
      const int n = static_cast<int>(std::min(span, frames - done));
      block_.gatherSounding = gatherSounding_ && done + static_cast<size_t>(n) == frames;
      renderSpan(left + done, right + done, n);
      done += static_cast<size_t>(n);
    }
    AWE_SPAN_LAPS_END(laps_);
  }

  void setRenderFanOut(RenderFanOut* fanOut) {
    const size_t threads = fanOut != nullptr ? static_cast<size_t>(fanOut->threads()) : 1;
    scratch_.resize(threads);
    for (RenderScratch& scratch : scratch_) {
      scratch.ended.resize(voices_.size());
      scratch.endedCount = 0;
    }
    const size_t chunks = (voices_.size() + kVoicesPerChunk - 1) / kVoicesPerChunk;
    chunkBuses_.resize(threads > 1 ? chunks : 1);
    fanOut_ = threads > 1 ? fanOut : nullptr;
  }

#if AWE_PROFILE_SPANS
  void setSpanRecorder(SpanRecorder* recorder) noexcept { spans_ = recorder; }
  SpanRecorder* spanRecorder() const noexcept { return spans_; }
#else
  void setSpanRecorder(SpanRecorder*) noexcept {}  // [audio thread]
  SpanRecorder* spanRecorder() const noexcept { return nullptr; }
#endif

  int activeVoices() const noexcept { return activeCount_; }  // [audio thread]
  bool effectsIdle() const noexcept { return reverb_.idle() && chorus_.idle(); }  // [audio thread]
  bool silent() const noexcept {  // [audio thread]
    return activeCount_ == 0 && fade_ == Fade::None && effectsIdle();
  }
  const SynthCounters& counters() const noexcept { return counters_; }  // [audio thread]
  const SynthSettings& settings() const noexcept { return settings_; }
  const Bank* bank() const noexcept { return bank_; }
  int voiceCount() const noexcept { return settings_.polyphony; }  // [audio thread]
  const Channel& channel(int c) const noexcept { return channels_[static_cast<size_t>(c)]; }  // [audio thread]

  // Prefetch for walks over thousands of voices (measured at 12,000): the control walk
  // asks for the next group's first two lines of each Voice (flags, gains, the volume
  // envelope; vibrato and pitch). Three or four lines (the increment fields, LFO1, the
  // filter and the modulation envelope) measured no better.
  static constexpr size_t kVoicePrefetchLines = 2;

  void gatherChannelSounding(bool on) noexcept { gatherSounding_ = on; }  // [audio thread]

  // What the last render call that gathered saw at its end: each chunk's voices summed on
  // the thread that rendered them, the chunks then in order (the same levels for any
  // thread count). With no voice, nothing sounds.
  void channelSounding(ChannelSounding& out) const noexcept {  // [audio thread]
    out = ChannelSounding{};
    if (activeCount_ == 0) return;
    const float master = settings_.masterGain * masterVolume_ / kInt16Scale;
    for (int c = 0; c < gatheredChunks_; ++c) {
      const ChannelSounding& chunk = chunkSounding_[static_cast<size_t>(c)];
      for (int ch = 0; ch < kMidiChannels; ++ch) {
        out.amplitude[ch] += chunk.amplitude[ch];
        for (int w = 0; w < 2; ++w) {
          out.heldKeys[ch][w] |= chunk.heldKeys[ch][w];
          out.releasingKeys[ch][w] |= chunk.releasingKeys[ch][w];
        }
      }
    }
    for (float& a : out.amplitude) a *= master;
  }

  // By oscillator slot: the number a voice keeps for its whole life, as on the chip,
  // whatever lane the renderer packs it into.
  VoiceInfo voiceInfo(int slot) const noexcept {  // [audio thread]
    VoiceInfo info;
    if (slot < 0 || slot >= settings_.polyphony) return info;
    const int i = slotOwner_[static_cast<size_t>(slot)];
    if (i < 0) return info;
    const Voice& v = voices_[static_cast<size_t>(i)];
    if (!v.active) return info;
    info.channel = v.channel;
    info.key = v.key;
    info.velocity = v.velocity;
    info.level = v.volumeEnvelope.value();
    info.stolen = v.stolen;
    switch (v.volumeEnvelope.stage()) {
      case EnvelopeStage::Delay: info.stage = VoiceStage::Delay; break;
      case EnvelopeStage::Attack: info.stage = VoiceStage::Attack; break;
      case EnvelopeStage::Hold: info.stage = VoiceStage::Hold; break;
      case EnvelopeStage::Decay: info.stage = VoiceStage::Decay; break;
      case EnvelopeStage::Sustain: info.stage = VoiceStage::Sustain; break;
      case EnvelopeStage::Release: info.stage = VoiceStage::Release; break;
      case EnvelopeStage::Finished: info.stage = VoiceStage::Finished; break;
    }
    return info;
  }

 private:
  // Lane-wise bus accumulators of one render span (SIMD-aligned: the kernel uses aligned
  // loads and stores on them).
  struct alignas(64) LaneAccumulator {
    float v[kBusCount * kRenderSpanFrames * kLanes] = {};
  };
  // What one render thread works in (index 0: the audio thread; 1..: RenderFanOut's workers).
  struct alignas(64) RenderScratch {
    LaneAccumulator acc;
    std::vector<int> ended;  // voices that ended in this thread's chunks, this span
    int endedCount = 0;
  };
  struct ChunkBuses {
    float bus[kBusCount][kRenderSpanFrames];
  };
  // The block the render threads work on (written by the audio thread before it hands
  // the chunks out; RenderFanOut::run publishes it).
  struct Block {
    int frames = 0;
    int groups = 0;
    // [filter off, on][send buses][plain, loop-aware] for this block's quality (filter
    // "on" is "off" when the quality turns the filter off; every send variant is
    // kSendsNone when it turns the effects off)
    const VoiceKernelFn (*kernel)[2][kSendVariants][2] = nullptr;
    // [filter off, on][send buses], likewise: two groups at once (null: not in this kernel set)
    const VoicePairKernelFn (*pair)[2][kSendVariants] = nullptr;
    // and two groups split into their plain and loop-aware parts (null: not in this kernel set)
    const VoicePairSplitKernelFn (*pairSplit)[2][kSendVariants] = nullptr;
    const int16_t* samples = nullptr;
    bool gatherSounding = false;  // the render call's last span: gather the channel sounding
  };

  static bool validChannel(int ch) noexcept { return ch >= 0 && ch < kMidiChannels; }  // [audio thread]

  // A voice's note-on part (Voice.h), by its oscillator slot.
  VoiceCold& cold(const Voice& v) noexcept { return colds_[v.slot]; }  // [audio thread]
  const VoiceCold& cold(const Voice& v) const noexcept { return colds_[v.slot]; }  // [audio thread]

  // Active voices are packed into lanes 0..activeCount_-1 (a voice that ends mid-block
  // stays there, inactive, until the block is over).
  template <class F>
  void forEachActiveVoice(F&& f) noexcept {
    for (int i = 0; i < activeCount_; ++i) {
      Voice& v = voices_[static_cast<size_t>(i)];
      if (v.active) f(i, v);
    }
  }

  void resolvePreset(int ch) noexcept {  // [audio thread]
    Channel& c = channels_[static_cast<size_t>(ch)];
    c.preset = nullptr;
    if (bank_ == nullptr) return;
    const uint16_t program = c.program;
    // A drum part (channel 10, or a GS drum part change), or XG bank MSB 127 on any
    // channel (outside GS mode, where bank 127 is a melodic variation bank).
    c.drum = c.drumPart || (c.cc[0] == kXgDrumBankMsb && systemMode_ != SystemMode::Gs);
    c.preset = presetFor(*bank_, c.bankNumber(), program, c.drum);
  }

  void dataEntry(int ch) noexcept {  // [audio thread]
    Channel& c = channels_[static_cast<size_t>(ch)];
    const int msb = c.cc[6], lsb = c.cc[38];
    if (c.nrpnSelected) {
      const int nrpnMsb = c.nrpn >> 7, nrpnLsb = c.nrpn & 0x7F;
      if (nrpnMsb == kAweNrpnMsb) aweNrpn(ch, nrpnLsb, ((msb << 7) | lsb) - 8192, c.dataMsbSinceSelect ? -1 : lsb);
      if (nrpnMsb == kSf2NrpnMsb) sf2Nrpn(ch, nrpnLsb, ((msb << 7) | lsb) - 8192);
      if (isGsNrpn(nrpnMsb)) gsNrpn(ch, nrpnMsb, nrpnLsb, msb);
      return;
    }
    switch (c.rpn) {
      case 0:  // pitch bend sensitivity: semitones + cents
        c.pitchWheelRange_semitones = static_cast<float>(msb) + static_cast<float>(lsb) / 100.0f;
        refreshUsers(ch, false, static_cast<int>(GeneralController::PitchWheelSensitivity));
        break;
      case 1:  // channel fine tuning: 8192 = 0, +-100 cents
        c.fineTuning_cents = static_cast<float>(((msb << 7) | lsb) - 8192) * (100.0f / 8192.0f);
        refreshChannel(ch);
        break;
      case 2:  // channel coarse tuning: 64 = 0, semitones
        c.coarseTuning_semitones = static_cast<float>(msb - 64);
        refreshChannel(ch);
        break;
      case 3:  // MTS tuning program select
      case 4:  // MTS tuning bank select
        (c.rpn == 3 ? c.tuningProgram : c.tuningBank) = static_cast<uint8_t>(msb);
        c.tuningSelected = true;
        c.tuningSlot = static_cast<int16_t>(tunings_.find(c.tuningBank, c.tuningProgram));
        break;  // the next notes take it (MTS: a program change of tunings)
      case 5:  // modulation depth range (GM2): semitones + 100/128 cents steps
        c.modulationDepthRange_cents = 100.0f * static_cast<float>(msb) + static_cast<float>(lsb) * (100.0f / 128.0f);
        refreshUsers(ch, true, 1);
        break;
      default:
        break;
    }
  }

  // AWE32 NRPN (MSB 127, LSB = parameter): real-time edits with the hardware's step
  // sizes (the AWE32 FAQ's NRPN table; FluidSynth and SpessaSynth read it the same way).
  // The value is the 14-bit data entry less 8192. Each edit replaces the bank's generator
  // for the channel's next notes; the real-time ones also change sounding notes at once.
  //
  // Data entry LSB alone: files written for the AWE32 (ALTITUDE.MID, Uplift.mid) select an
  // NRPN and send only CC38 for the parameters whose range is 0..127 (LFO rates, sustains,
  // LFO to volume, cutoff, Q), and Creative's later cards play them through the range.
  // Linux's awe_wave.c/emux_nrpn.c read MSB<<7|LSB - 8192 ("both MSB/LSB necessary"), which
  // leaves those files at the bottom of the range; FluidSynth reads the LSB alone for these
  // parameters always, which misreads a 14-bit value whose MSB is not 64. awe takes the
  // LSB alone (`lsbAlone` >= 0) when no CC6 has come since the NRPN was selected, else the
  // 14-bit value: both kinds of file work. Parameters with a signed or wider range still
  // need the MSB, as on the driver.
  static constexpr int kAweNrpnMsb = 127;
  static constexpr double kAweNrpnCutoffBase_cents = 4334.9958;        // 100 Hz
  static constexpr double kAweNrpnCutoffStep_cents = 7586.3137 / 127;  // 1200 log2(8000/100) / 127
  void aweNrpn(int ch, int parameter, int value, int lsbAlone) noexcept {  // [audio thread]
    Channel& c = channels_[static_cast<size_t>(ch)];
    auto clampTo = [&](int lo, int hi) { return static_cast<double>(std::clamp(value, lo, hi)); };
    // A 0..127 parameter's value: the LSB alone when no MSB came.
    auto value7 = [&] { return static_cast<double>(std::clamp(lsbAlone >= 0 ? lsbAlone : value, 0, 127)); };
    auto msToTimecents = [](double ms) {
      return ms <= 0.0 ? -32768.0 : 1200.0 * std::log2(ms / 1000.0);
    };
    Gen gen = Gen::EndOper;
    double amount = 0.0;
    bool realtime = false;
    switch (parameter) {
      case 0: gen = Gen::DelayModLfo; amount = msToTimecents(4.0 * clampTo(0, 5900)); break;
      case 1: gen = Gen::FreqModLfo; amount = hzToAbsoluteCents(std::max(0.084 * value7(), 0.001)); realtime = true; break;
      case 2: gen = Gen::DelayVibLfo; amount = msToTimecents(4.0 * clampTo(0, 5900)); break;
      case 3: gen = Gen::FreqVibLfo; amount = hzToAbsoluteCents(std::max(0.084 * value7(), 0.001)); realtime = true; break;
      case 4: gen = Gen::DelayModEnv; amount = msToTimecents(4.0 * clampTo(0, 5900)); break;
      case 5: gen = Gen::AttackModEnv; amount = msToTimecents(clampTo(0, 5940)); break;
      case 6: gen = Gen::HoldModEnv; amount = msToTimecents(clampTo(0, 8191)); break;
      case 7: gen = Gen::DecayModEnv; amount = msToTimecents(4.0 * clampTo(0, 5940)); break;
      case 8: gen = Gen::SustainModEnv; amount = 7.5 * value7(); break;
      case 9: gen = Gen::ReleaseModEnv; amount = msToTimecents(4.0 * clampTo(0, 5940)); break;
      case 10: gen = Gen::DelayVolEnv; amount = msToTimecents(4.0 * clampTo(0, 5900)); break;
      case 11: gen = Gen::AttackVolEnv; amount = msToTimecents(clampTo(0, 5940)); break;
      case 12: gen = Gen::HoldVolEnv; amount = msToTimecents(clampTo(0, 8191)); break;
      case 13: gen = Gen::DecayVolEnv; amount = msToTimecents(4.0 * clampTo(0, 5940)); break;
      case 14: gen = Gen::SustainVolEnv; amount = 7.5 * value7(); break;  // 0.75 dB steps
      case 15: gen = Gen::ReleaseVolEnv; amount = msToTimecents(4.0 * clampTo(0, 5940)); break;
      case 16:  // initial (fine) pitch of the channel, in cents
        c.nrpnPitch_cents = static_cast<float>(value);
        refreshChannel(ch);
        return;
      case 17: gen = Gen::ModLfoToPitch; amount = 9.375 * clampTo(-127, 127); realtime = true; break;
      case 18: gen = Gen::VibLfoToPitch; amount = 9.375 * clampTo(-127, 127); realtime = true; break;
      case 19: gen = Gen::ModEnvToPitch; amount = 9.375 * clampTo(-127, 127); break;
      case 20: gen = Gen::ModLfoToVolume; amount = 1.875 * value7(); realtime = true; break;
      // Cutoff 100 Hz x 80^(n/127): 100 Hz to 8 kHz in 127 steps of 59.7 cents (the AWE32
      // FAQ's 100 Hz-8 kHz range; the hardware measures about a fifth per 7 steps).
      case 21: gen = Gen::InitialFilterFc; amount = kAweNrpnCutoffBase_cents + kAweNrpnCutoffStep_cents * value7(); realtime = true; break;
      // Q 0..20 dB, where the hardware's resonance tops out (Emu8000Registers.h).
      case 22: gen = Gen::InitialFilterQ; amount = 10.0 * emu8000::kQTopResonance_dB * value7() / 127.0; realtime = true; break;
      case 23: gen = Gen::ModLfoToFilterFc; amount = 56.25 * clampTo(-64, 63); realtime = true; break;
      case 24: gen = Gen::ModEnvToFilterFc; amount = 56.25 * clampTo(-64, 63); break;
      case 25: gen = Gen::ChorusEffectsSend; amount = clampTo(0, 255) * 1000.0 / 255.0; break;
      case 26: gen = Gen::ReverbEffectsSend; amount = clampTo(0, 255) * 1000.0 / 255.0; break;
      // Not in the AWE32's table (which has no effect-type parameter): awe's extension
      // to pick the reverb and chorus type, 0-7 in the AWE/GS order.
      case 27:
        if (const auto type = reverbTypeFromIndex(value)) setReverbType(*type);
        return;
      case 28:
        if (const auto type = chorusTypeFromIndex(value)) setChorusType(*type);
        return;
      default:
        return;
    }
    const int g = genIndex(gen);
    c.generatorOverride[g] = static_cast<int16_t>(std::clamp(std::lround(amount), -32768L, 32767L));
    c.overrideMask |= uint64_t{1} << g;
    if (!realtime) return;
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel != ch) return;
      cold(v).base[g] = c.generatorOverride[g];
      refreshVoice(i, v);
    });
  }

  // SoundFont 2.01 NRPNs (section 9.6): NRPN MSB 120, LSB = generator number (LSB 100,
  // 101, 102 first add 100, 1000, 10000 to it); the data entry less 8192, times the
  // generator's NRPN scale, is added to the generator for the channel's notes, sounding
  // ones included. A new value replaces the previous one of that generator.
  static constexpr int kSf2NrpnMsb = 120;
  static int sf2NrpnScale(int g) noexcept {  // [audio thread]
    switch (static_cast<Gen>(g)) {
      // Pitch and filter depths, cutoff, LFO and envelope times: 2 units per step.
      case Gen::ModLfoToPitch: case Gen::VibLfoToPitch: case Gen::ModEnvToPitch:
      case Gen::InitialFilterFc: case Gen::ModLfoToFilterFc: case Gen::ModEnvToFilterFc:
      case Gen::DelayModLfo: case Gen::DelayVibLfo: case Gen::DelayModEnv: case Gen::AttackModEnv:
      case Gen::HoldModEnv: case Gen::DecayModEnv: case Gen::ReleaseModEnv: case Gen::DelayVolEnv:
      case Gen::AttackVolEnv: case Gen::HoldVolEnv: case Gen::DecayVolEnv: case Gen::ReleaseVolEnv:
        return 2;
      case Gen::FreqModLfo: case Gen::FreqVibLfo:  // LFO frequencies: 4 cents per step
        return 4;
      // Index generators, ranges and sample choices cannot be offset.
      case Gen::Instrument: case Gen::KeyRange: case Gen::VelRange: case Gen::Keynum: case Gen::Velocity:
      case Gen::SampleId: case Gen::SampleModes: case Gen::ExclusiveClass: case Gen::OverridingRootKey:
        return 0;
      default:
        return generatorInfo(g).allowed ? 1 : 0;
    }
  }
  // [audio thread] NRPN select LSB under MSB 120: 100/101/102 add 100/1000/10000 to the
  // generator number being built, 0-99 completes it (spec 9.6.2).
  static void selectSf2Nrpn(Channel& c, int lsb) noexcept {
    if (lsb >= 100) {
      if (lsb <= 102) c.sf2NrpnBase = static_cast<int16_t>(std::min(c.sf2NrpnBase + (lsb == 100 ? 100 : lsb == 101 ? 1000 : 10000), 30000));
      return;
    }
    c.sf2NrpnGenerator = static_cast<int16_t>(c.sf2NrpnBase + lsb);
    c.sf2NrpnBase = 0;
  }
  void sf2Nrpn(int ch, int lsb, int value) noexcept {  // [audio thread]
    Channel& c = channels_[static_cast<size_t>(ch)];
    if (lsb >= 100) return;  // selection still being built
    const int g = c.sf2NrpnGenerator;
    if (g >= kSf2GeneratorCount || sf2NrpnScale(g) == 0) return;
    setGeneratorOffset(ch, g, value * sf2NrpnScale(g));
  }

  // Roland GS part NRPNs (SC-55/88 manuals), data entry MSB, 64 = no change. The part
  // parameters are offsets on the SoundFont generators (awe's reading, in README); the drum
  // instrument ones (MSB 24..30, LSB = key) set one drum key of the part.
  static bool isGsNrpn(int msb) noexcept { return msb == 1 || (msb >= 24 && msb <= 30); }
  void gsNrpn(int ch, int msb, int lsb, int value) noexcept {  // [audio thread]
    Channel& c = channels_[static_cast<size_t>(ch)];
    const int relative = value - 64;
    if (msb == 1) {
      switch (lsb) {
        case 8: setGeneratorOffset(ch, genIndex(Gen::FreqVibLfo), relative * kGsRateStep_cents); break;
        case 9: setGeneratorOffset(ch, genIndex(Gen::VibLfoToPitch), relative * kGsVibratoDepthStep_cents); break;
        case 10: setGeneratorOffset(ch, genIndex(Gen::DelayVibLfo), relative * kGsTimeStep_timecents); break;
        case 32: setGeneratorOffset(ch, genIndex(Gen::InitialFilterFc), relative * kGsCutoffStep_cents); break;
        case 33: setGeneratorOffset(ch, genIndex(Gen::InitialFilterQ), relative * kGsResonanceStep_cB); break;
        case 99:
          setGeneratorOffset(ch, genIndex(Gen::AttackVolEnv), relative * kGsTimeStep_timecents);
          setGeneratorOffset(ch, genIndex(Gen::AttackModEnv), relative * kGsTimeStep_timecents);
          break;
        case 100:
          setGeneratorOffset(ch, genIndex(Gen::DecayVolEnv), relative * kGsTimeStep_timecents);
          setGeneratorOffset(ch, genIndex(Gen::DecayModEnv), relative * kGsTimeStep_timecents);
          break;
        case 102:
          setGeneratorOffset(ch, genIndex(Gen::ReleaseVolEnv), relative * kGsTimeStep_timecents);
          setGeneratorOffset(ch, genIndex(Gen::ReleaseModEnv), relative * kGsTimeStep_timecents);
          break;
        default:
          break;
      }
      return;
    }
    const size_t key = static_cast<size_t>(lsb);
    switch (msb) {
      case 24: c.drumPitch_semitones[key] = static_cast<int8_t>(relative); break;  // coarse pitch
      case 26: c.drumLevel[key] = static_cast<int8_t>(value); break;               // TVA level
      case 28: c.drumPan[key] = static_cast<int8_t>(value); break;                 // 0 random (kept as is)
      case 29: c.drumReverb[key] = static_cast<int8_t>(value); break;
      case 30: c.drumChorus[key] = static_cast<int8_t>(value); break;
      default: break;  // 25 (fine pitch) and 27 (level) variants are not in GS
    }
  }
  static constexpr int kGsRateStep_cents = 25;          // 63 steps: x2.5 faster vibrato
  static constexpr int kGsVibratoDepthStep_cents = 2;   // 63 steps: +126 cents of vibrato
  static constexpr int kGsTimeStep_timecents = 100;     // 63 steps: x38 longer
  static constexpr int kGsCutoffStep_cents = 50;        // 63 steps: +-2.6 octaves
  static constexpr int kGsResonanceStep_cB = 3;         // 63 steps: +19 dB

  // [audio thread] A generator offset for the channel; sounding notes follow at once.
  void setGeneratorOffset(int ch, int g, int offset) noexcept {
    Channel& c = channels_[static_cast<size_t>(ch)];
    c.generatorOffset[g] = static_cast<int16_t>(std::clamp(offset, -32768, 32767));
    if (offset != 0) {
      c.offsetMask |= uint64_t{1} << g;
    } else {
      c.offsetMask &= ~(uint64_t{1} << g);
    }
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel != ch) return;
      const int fromBank = ((c.overrideMask >> g) & 1u) ? c.generatorOverride[g] : cold(v).region.gen[g];
      cold(v).base[g] = offsetGenerator(fromBank, c, g);
      refreshVoice(i, v);
    });
  }
  static int32_t offsetGenerator(int32_t value, const Channel& c, int g) noexcept {
    return static_cast<int32_t>(value) + c.generatorOffset[g];
  }

  // [audio thread] The GS drum instrument NRPNs of this key, on a voice being started.
  void applyDrumInstrument(Voice& v, const Channel& c, int key) noexcept {
    VoiceCold& note = cold(v);
    const size_t k = static_cast<size_t>(key);
    note.base[genIndex(Gen::CoarseTune)] += c.drumPitch_semitones[k];
    if (c.drumLevel[k] >= 0) {  // level 127 as the bank has it; amplitude follows level squared
      const double level = std::max(static_cast<double>(c.drumLevel[k]), 0.5) / 127.0;
      v.extraAttenuation_cB = static_cast<float>(-400.0 * std::log10(level));
    }
    if (c.drumPan[k] > 0) note.base[genIndex(Gen::Pan)] = (c.drumPan[k] - 64) * 500 / 64;
    if (c.drumReverb[k] >= 0) note.base[genIndex(Gen::ReverbEffectsSend)] = c.drumReverb[k] * 1000 / 127;
    if (c.drumChorus[k] >= 0) note.base[genIndex(Gen::ChorusEffectsSend)] = c.drumChorus[k] * 1000 / 127;
  }

  void refreshUsers(int ch, bool isCC, int index) noexcept {  // [audio thread]
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel == ch && cold(v).modulators.uses(isCC, index)) refreshVoice(i, v);
    });
  }
  void refreshChannel(int ch) noexcept {  // [audio thread]
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel == ch) refreshVoice(i, v);
    });
  }

  ModulationInputs inputsFor(const Voice& v) const noexcept {  // [audio thread]
    const Channel& c = channels_[v.channel];
    ModulationInputs in;
    in.cc = c.cc;
    in.polyPressure = c.polyPressure;
    in.pitchWheel = c.pitchWheel;
    in.channelPressure = c.channelPressure;
    in.key = v.effectiveKey;
    in.velocity = v.effectiveVelocity;
    in.pitchWheelRange_semitones = c.pitchWheelRange_semitones;
    in.modWheelDepthScale = c.modulationDepthRange_cents / 50.0f;
    return in;
  }

  // Re-evaluates the modulators and everything derived from them (a controller moved).
  // [audio thread]
  void refreshVoice(int /*index*/, Voice& v) noexcept {
    VoiceCold& note = cold(v);
    note.modulators.evaluate(inputsFor(v), note.modulated);
    deriveParameters(v);
  }

  void deriveParameters(Voice& v) noexcept {  // [audio thread]
    namespace emu = emu8000;
    const PersonalityTraits& t = *v.traits;
    const VoiceCold& note = cold(v);
    const Channel& c = channels_[v.channel];
    const int root = note.base[genIndex(Gen::OverridingRootKey)] >= 0 ? note.base[genIndex(Gen::OverridingRootKey)]
                                                                       : note.sample->originalKey;
    // Fine tune's -99..99 range bounds the bank's value, not its modulation: the pitch
    // wheel's modulator aims at it with up to +-127 semitones.
    const float fineTune = std::clamp(static_cast<float>(note.base[genIndex(Gen::FineTune)]), -99.0f, 99.0f) +
                           note.modulated[genIndex(Gen::FineTune)];
    v.pitch_cents = static_cast<double>(note.gen(Gen::ScaleTuning)) * (v.effectiveKey - root) +
                    100.0 * note.gen(Gen::CoarseTune) + fineTune + note.sample->pitchCorrection_cents +
                    note.modulated[genIndex(Gen::Pitch)] + c.fineTuning_cents + 100.0 * c.coarseTuning_semitones +
                    c.nrpnPitch_cents + keyTuning_cents(c, v.effectiveKey, root, note.gen(Gen::ScaleTuning)) +
                    masterFineTuning_cents_ + 100.0 * masterCoarseTuning_semitones_;

    // Modulation depths: awe holds each in a signed 8-bit register.
    auto depth = [&](Gen g, double step) {
      const double value = note.gen(g);
      return static_cast<float>(t.lfoRegisters ? emu::quantizeDepth(value, step) : value);
    };
    v.modLfoToPitch_cents = depth(Gen::ModLfoToPitch, emu::kPitchDepthStep_cents);
    v.vibLfoToPitch_cents = depth(Gen::VibLfoToPitch, emu::kPitchDepthStep_cents);
    v.modEnvToPitch_cents = depth(Gen::ModEnvToPitch, emu::kPitchDepthStep_cents);
    v.modLfoToFilter_cents = depth(Gen::ModLfoToFilterFc, emu::kLfoCutoffDepthStep_cents);
    v.modEnvToFilter_cents = depth(Gen::ModEnvToFilterFc, emu::kEnvCutoffDepthStep_cents);
    v.modLfoToVolume_cB = depth(Gen::ModLfoToVolume, emu::kTremoloDepthStep_dB * 10.0);

    // Filter.
    v.filterCutoff_cents = note.gen(Gen::InitialFilterFc);
    v.filterQ_dB = note.gen(Gen::InitialFilterQ) / 10.0f;
    v.filterDcGain = static_cast<float>(resonanceCompensation(v.filterQ_dB));
    if (t.cutoffRegister) {
      int reg = emu::cutoffRegister(v.filterCutoff_cents);
      if (t.driverVelocityToCutoff && !c.drum &&
          emu::attackRegister(timecentsToSeconds(note.gen(Gen::AttackVolEnv))) < emu::kVelocityCutoffAttackLimit) {
        reg = emu::velocityScaledCutoff(reg, v.effectiveVelocity);
      }
      v.filterCutoff_cents = static_cast<float>(emu::cutoffCentsFromRegister(reg));
    }
    if (t.qRegister) {
      const int q = emu::qRegister(note.gen(Gen::InitialFilterQ));
      v.filterQ_dB = static_cast<float>(emu::qResonance_dB(q));
      v.filterDcGain = static_cast<float>(emu::qDcGain(q));
    }

    // Attenuation (cB).
    float attenuation = note.gen(Gen::InitialAttenuation);
    if (t.initialAttenuationX04) {
      // x0.4 scales the bank's value only (as FluidSynth scales it at load): NRPN offsets and
      // modulators add in their own units.
      const int g = genIndex(Gen::InitialAttenuation);
      const float fromFile = std::clamp(static_cast<float>(note.region.gen[g]), 0.0f, 1440.0f);
      const float offset = static_cast<float>(note.base[g] - note.region.gen[g]);
      attenuation = static_cast<float>(emu::kInitialAttenuationFactor) * fromFile + offset + note.modulated[g];
    }
    v.attenuation_cB = settledAttenuation_cB(attenuation + v.extraAttenuation_cB, t);

    v.pan = panGains(note.gen(Gen::Pan));
    v.reverbSend = note.gen(Gen::ReverbEffectsSend) / 1000.0f;
    v.chorusSend = note.gen(Gen::ChorusEffectsSend) / 1000.0f;
    const double rate = settings_.sampleRate;
    v.modulationLfo.setFrequency(lfoFrequency(v, Gen::FreqModLfo), rate);
    v.vibratoLfo.setFrequency(lfoFrequency(v, Gen::FreqVibLfo), rate);
    v.maxPitchRatio = t.pitchCeiling ? emu::kMaxPitchRatioAt44k * kChipRate / rate : kMaxPitchRatio;
    v.usesModEnv = v.modEnvToPitch_cents != 0.0f || v.modEnvToFilter_cents != 0.0f;
    v.usesModLfo = v.modLfoToPitch_cents != 0.0f || v.modLfoToFilter_cents != 0.0f || v.modLfoToVolume_cB != 0.0f;
    v.usesVibLfo = v.vibLfoToPitch_cents != 0.0f;
    v.pitchModulated = v.modEnvToPitch_cents != 0.0f || v.modLfoToPitch_cents != 0.0f || v.usesVibLfo;
    v.filterModulated = v.modEnvToFilter_cents != 0.0f || v.modLfoToFilter_cents != 0.0f;
    v.volumeModulated = v.modLfoToVolume_cB != 0.0f;
    v.attenuationGain = attenuationGain(v.attenuation_cB);
    v.dirty = true;
  }

  // [audio thread] What the channel's tunings (MTS tuning program, scale/octave tuning) add
  // to a key, scaled by the region's scale tuning about its root as FluidSynth does:
  // d(root) + scale/100 x (d(key) - d(root)), d = deviation from equal temperament.
  double keyTuning_cents(const Channel& c, int key, int root, float scaleTuning) const noexcept {
    auto deviation = [&](int k) {
      k = std::clamp(k, 0, 127);
      double d = c.octaveTuning_cents[k % 12];
      if (c.tuningSlot >= 0) d += tunings_.table(c.tuningSlot).deviation_cents[k];
      return d;
    };
    const double atRoot = deviation(root);
    return atRoot + static_cast<double>(scaleTuning) / 100.0 * (deviation(key) - atRoot);
  }

  double lfoFrequency(const Voice& v, Gen g) const noexcept {  // [audio thread]
    const double hz = absoluteCentsToHz(cold(v).gen(g));
    return v.traits->lfoRegisters ? emu8000::lfoFrequency_Hz(emu8000::lfoFrequencyRegister(hz)) : hz;
  }

  // Envelope and LFO-delay times in samples, on the register grids for awe.
  uint32_t delaySamples(const Voice& v, float timecents) const noexcept {  // [audio thread]
    const double seconds = timecentsToSeconds(timecents);
    if (!v.traits->envelopeRegisters) return secondsToSamples(seconds, settings_.sampleRate);
    return static_cast<uint32_t>(std::lround(emu8000::quantizeDelay_samples(seconds) * settings_.sampleRate / kChipRate));
  }
  // The release time alone (note-off), on the same grid as envelopeTimes().
  uint32_t releaseSamples(const Voice& v, bool volume) const noexcept {  // [audio thread]
    double release_s = timecentsToSeconds(cold(v).gen(volume ? Gen::ReleaseVolEnv : Gen::ReleaseModEnv));
    if (v.traits->envelopeRegisters) {
      constexpr double k96 = 96.0 / Envelope::kFullScale_dB;
      release_s = emu8000::decaySecondsFor96dB(emu8000::decayRegister(release_s * k96)) / k96;
    }
    return secondsToSamples(release_s, settings_.sampleRate);
  }

  EnvelopeTimes envelopeTimes(const Voice& v, bool volume) const noexcept {  // [audio thread]
    const VoiceCold& note = cold(v);
    namespace emu = emu8000;
    const double rate = settings_.sampleRate;
    const float fromMiddle = static_cast<float>(60 - v.effectiveKey);
    const Gen delay = volume ? Gen::DelayVolEnv : Gen::DelayModEnv;
    const Gen attack = volume ? Gen::AttackVolEnv : Gen::AttackModEnv;
    const Gen hold = volume ? Gen::HoldVolEnv : Gen::HoldModEnv;
    const Gen decay = volume ? Gen::DecayVolEnv : Gen::DecayModEnv;
    const Gen keyHold = volume ? Gen::KeynumToVolEnvHold : Gen::KeynumToModEnvHold;
    const Gen keyDecay = volume ? Gen::KeynumToVolEnvDecay : Gen::KeynumToModEnvDecay;
    double attack_s = timecentsToSeconds(note.gen(attack));
    double hold_s = timecentsToSeconds(note.gen(hold) + note.gen(keyHold) * fromMiddle);
    double decay_s = timecentsToSeconds(note.gen(decay) + note.gen(keyDecay) * fromMiddle);
    const float sustainGen = note.gen(volume ? Gen::SustainVolEnv : Gen::SustainModEnv);
    double sustain = volume ? sustainGen / 10.0 : 1.0 - sustainGen / 1000.0;
    EnvelopeTimes e;
    e.delay_samples = delaySamples(v, note.gen(delay));
    if (v.traits->envelopeRegisters) {
      // Decay and release registers count a 96 dB fall; our envelope's full scale is 100 dB.
      constexpr double k96 = 96.0 / Envelope::kFullScale_dB;
      attack_s = emu::attackSeconds(emu::attackRegister(attack_s));
      hold_s = emu::holdSamples(emu::holdRegister(hold_s)) / kChipRate;
      decay_s = emu::decaySecondsFor96dB(emu::decayRegister(decay_s * k96)) / k96;
      sustain = volume ? emu::volumeSustain_dB(emu::volumeSustainRegister(sustain))
                       : emu::modulationSustainLevel(emu::modulationSustainRegister(sustain));
    }
    e.attack_samples = secondsToSamples(attack_s, rate);
    e.hold_samples = secondsToSamples(hold_s, rate);
    e.decay_samples = secondsToSamples(decay_s, rate);
    e.release_samples = releaseSamples(v, volume);
    e.sustain = static_cast<float>(sustain);
    return e;
  }

  // ---- voice life ---------------------------------------------------------------------
  int allocateVoice(uint32_t serial, bool& stolen) noexcept {  // [audio thread]
    if (activeCount_ < polyphonyLimit_) {
      const int i = activeCount_++;
      voices_[static_cast<size_t>(i)].slot = takeSlot();
      slotOwner_[voices_[static_cast<size_t>(i)].slot] = i;
      return i;
    }
    // All busy: a released voice first (modern: the quietest; awe: the oldest, as the
    // EMU8000 drivers do), else the oldest playing; never one of this note-on.
    AWE_SPAN(spans_, SynthStage::VoiceSteal);
    const bool oldestReleased = personalityTraits(personality_).stealOldestReleased;
    int quietest = -1, oldest = -1;
    float quietestLevel = 2.0f;
    uint64_t oldestOrder = UINT64_MAX, oldestReleasedOrder = UINT64_MAX;
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.noteSerial == serial) return;
      if (v.released) {
        const float level = v.volumeEnvelope.value();
        if (oldestReleased ? v.startOrder < oldestReleasedOrder : level < quietestLevel) {
          quietestLevel = level;
          oldestReleasedOrder = v.startOrder;
          quietest = i;
        }
      } else if (v.startOrder < oldestOrder) {
        oldestOrder = v.startOrder;
        oldest = i;
      }
    });
    const int victim = quietest >= 0 ? quietest : oldest;
    if (victim < 0) return -1;
    // The new note takes the victim's lane and oscillator slot, as the chip would.
    voices_[static_cast<size_t>(victim)].active = false;
    ++counters_.steals;
    stolen = true;
    return victim;
  }

  // [audio thread]
  void startVoice(int i, const Region& region, int ch, int key, int vel, uint32_t serial, bool stolen) noexcept {
    Voice& v = voices_[static_cast<size_t>(i)];
    VoiceCold& note = cold(v);  // v.slot was set when the voice was allocated
    const Channel& c = channels_[static_cast<size_t>(ch)];
    const SampleHeader& s = bank_->samples()[region.sample];
    note.region = region;
    note.sample = &s;
    v.channel = static_cast<uint8_t>(ch);
    v.key = static_cast<uint8_t>(key);
    v.velocity = static_cast<uint8_t>(vel);
    v.noteSerial = serial;
    v.startOrder = ++startOrder_;
    v.released = v.sustained = false;
    v.stolen = stolen;
    std::memcpy(note.base, region.gen, sizeof(note.base));
    if (c.overrideMask != 0) {  // AWE32 NRPN edits of this channel
      for (int g = 0; g < kSf2GeneratorCount; ++g) {
        if ((c.overrideMask >> g) & 1u) note.base[g] = c.generatorOverride[g];
      }
    }
    if (c.offsetMask != 0) {  // SF2.01 and GS NRPN offsets
      for (int g = 0; g < kSf2GeneratorCount; ++g) {
        if ((c.offsetMask >> g) & 1u) note.base[g] = offsetGenerator(note.base[g], c, g);
      }
    }
    v.extraAttenuation_cB = 0.0f;
    if (c.drum) applyDrumInstrument(v, c, key);
    v.traits = &traits_[static_cast<size_t>(personality_)];
    const int keynum = note.base[genIndex(Gen::Keynum)];
    const int velnum = note.base[genIndex(Gen::Velocity)];
    v.effectiveKey = static_cast<uint8_t>(keynum >= 0 && keynum <= 127 ? keynum : key);
    v.effectiveVelocity = static_cast<uint8_t>(velnum > 0 && velnum <= 127 ? velnum : vel);
    v.exclusiveClass = note.base[genIndex(Gen::ExclusiveClass)];

    // Modulators: the defaults, then the instrument's (identical ones replace), then the
    // preset's (identical ones add).
    note.modulators.clear();
    const DefaultModulators defaults =
        personality_ == Personality::Awe ? aweDefaultModulators() : sf204DefaultModulators();
    for (size_t m = 0; m < defaults.count; ++m) note.modulators.override(defaults.list[m]);
    const ModulatorSpec* mods = bank_->modulators().data();
    for (uint32_t m = 0; m < region.instModCount; ++m) note.modulators.override(mods[region.instModBegin + m]);
    for (uint32_t m = 0; m < region.presetModCount; ++m) note.modulators.add(mods[region.presetModBegin + m]);
    note.modulators.evaluate(inputsFor(v), note.modulated);

    setupSampleAddressing(v, s);
    startGlide(v, noteGlide_);
    deriveParameters(v);

    // Envelopes and LFOs take their times at note-on.
    v.volumeEnvelope.start(envelopeTimes(v, true));
    v.modulationEnvelope.start(envelopeTimes(v, false));
    v.modulationLfo.start(lfoFrequency(v, Gen::FreqModLfo), delaySamples(v, note.gen(Gen::DelayModLfo)), settings_.sampleRate);
    v.vibratoLfo.start(lfoFrequency(v, Gen::FreqVibLfo), delaySamples(v, note.gen(Gen::DelayVibLfo)), settings_.sampleRate);

    v.age_samples = v.modEnvClock = v.modLfoClock = v.vibLfoClock = 0;
    v.lastGain = 0.0f;
    v.designedCutoff_cents = -1.0f;
    v.designedQ_dB = -1.0f;
    v.designedPitch_cents = 1e30f;
    v.steady = false;
    v.active = true;

    LaneGroup& g = groups_[static_cast<size_t>(i / kLanes)];
    const int l = i % kLanes;
    g.pos[l] = v.start;
    setLaneLoop(g, l, v.looping, v.loopStart, v.loopEnd, v.end);
    g.frac[l] = 0.0f;
    g.z1[l] = g.z2[l] = 0.0f;
    g.gain[l] = 0.0f;
    g.gainStep[l] = 0.0f;
    ++counters_.voicesStarted;
  }

  void setupSampleAddressing(Voice& v, const SampleHeader& s) noexcept {  // [audio thread]
    const VoiceCold& note = cold(v);
    auto offset = [&](Gen fine, Gen coarse) {
      return static_cast<int64_t>(note.base[genIndex(fine)]) + 32768 * static_cast<int64_t>(note.base[genIndex(coarse)]);
    };
    const int64_t lo = s.start, hi = s.end;
    int64_t start = std::clamp<int64_t>(s.start + offset(Gen::StartAddrsOffset, Gen::StartAddrsCoarseOffset), lo, hi - 1);
    int64_t end = std::clamp<int64_t>(s.end + offset(Gen::EndAddrsOffset, Gen::EndAddrsCoarseOffset), start + 1, hi);
    int64_t loopStart = std::clamp<int64_t>(
        s.loopStart + offset(Gen::StartloopAddrsOffset, Gen::StartloopAddrsCoarseOffset), start, end);
    int64_t loopEnd = std::clamp<int64_t>(
        s.loopEnd + offset(Gen::EndloopAddrsOffset, Gen::EndloopAddrsCoarseOffset), start, end);
    v.start = static_cast<int32_t>(start);
    v.end = static_cast<int32_t>(end);
    v.loopStart = static_cast<int32_t>(loopStart);
    v.loopEnd = static_cast<int32_t>(loopEnd);
    int mode = note.base[genIndex(Gen::SampleModes)] & 3;
    if (mode == static_cast<int>(LoopMode::Unused)) mode = 0;  // SF2: 2 means no loop
    v.loopMode = static_cast<LoopMode>(mode);
    v.looping = v.loopMode != LoopMode::NoLoop && v.loopEnd - v.loopStart >= 2 && v.start < v.loopEnd;
    v.sampleRateRatio = static_cast<double>(s.sampleRate) / settings_.sampleRate;
  }

  // [audio thread]
  void releaseVoice(int /*index*/, Voice& v) noexcept {
    v.released = true;
    v.sustained = false;
    v.volumeEnvelope.release(releaseSamples(v, true));
    v.modulationEnvelopeNow();  // catch up before the release starts
    v.modulationEnvelope.release(releaseSamples(v, false));
    if (v.loopMode == LoopMode::UntilRelease) v.looping = false;  // play on to the sample end
  }

  // [audio thread]
  void fastRelease(int /*index*/, Voice& v) noexcept {
    v.released = true;
    v.sustained = false;
    const uint32_t n = secondsToSamples(kFastReleaseSeconds, settings_.sampleRate);
    v.volumeEnvelope.release(n);
    v.modulationEnvelopeNow();
    v.modulationEnvelope.release(n);
    // An already released voice may have a long tail: force the fast rate.
    v.volumeEnvelope.release(n);
  }

  void cutExclusiveClass(int ch, int exclusiveClass, uint32_t serial) noexcept {  // [audio thread]
    forEachActiveVoice([&](int i, Voice& v) {
      if (v.channel == ch && v.exclusiveClass == exclusiveClass && v.noteSerial != serial) fastRelease(i, v);
    });
  }

  // Ends voice i and keeps the active voices packed: the last one moves into its lane.
  // Only between blocks (the renderer defers voices that end mid-block).
  void removeVoice(int i) noexcept {  // [audio thread]
    Voice& v = voices_[static_cast<size_t>(i)];
    v.active = false;
    releaseSlot(v.slot);
    const int last = activeCount_ - 1;
    if (i != last) {
      Voice& moving = voices_[static_cast<size_t>(last)];
      // Its steady copy stays with the lane it leaves.
      if (moving.steady) leaveSteady(moving, steadyLanes_[static_cast<size_t>(last / kLanes)], last % kLanes);
      v = moving;
      slotOwner_[v.slot] = i;
      copyLane(groups_[static_cast<size_t>(i / kLanes)], i % kLanes, groups_[static_cast<size_t>(last / kLanes)],
               last % kLanes);
      voices_[static_cast<size_t>(last)].active = false;
    }
    parkLane(groups_[static_cast<size_t>(last / kLanes)], last % kLanes);
    --activeCount_;
  }

  // Oscillator slots: the lowest free number, as the chip's voice allocation shows it.
  uint16_t takeSlot() noexcept {  // [audio thread]
    for (size_t w = 0; w < freeSlots_.size(); ++w) {
      if (freeSlots_[w] != 0) {
        const int bit = __builtin_ctzll(freeSlots_[w]);
        freeSlots_[w] &= freeSlots_[w] - 1;
        return static_cast<uint16_t>(w * 64 + static_cast<size_t>(bit));
      }
    }
    return 0;  // not reached: there are as many slots as voices
  }
  void releaseSlot(uint16_t slot) noexcept {  // [audio thread]
    slotOwner_[slot] = -1;
    freeSlots_[slot / 64] |= uint64_t{1} << (slot % 64);
  }

  static void copyLane(LaneGroup& d, int dl, const LaneGroup& s, int sl) noexcept {  // [audio thread]
    d.pos[dl] = s.pos[sl];
    d.frac[dl] = s.frac[sl];
    d.inc[dl] = s.inc[sl];
    d.limit[dl] = s.limit[sl];
    d.wrap[dl] = s.wrap[sl];
    d.floor[dl] = s.floor[sl];
    d.endClamp[dl] = s.endClamp[sl];
    d.gain[dl] = s.gain[sl];
    d.gainStep[dl] = s.gainStep[sl];
    d.panLeft[dl] = s.panLeft[sl];
    d.panRight[dl] = s.panRight[sl];
    d.sendReverb[dl] = s.sendReverb[sl];
    d.sendChorus[dl] = s.sendChorus[sl];
    d.b0[dl] = s.b0[sl];
    d.b1[dl] = s.b1[sl];
    d.b2[dl] = s.b2[sl];
    d.a1[dl] = s.a1[sl];
    d.a2[dl] = s.a2[sl];
    d.z1[dl] = s.z1[sl];
    d.z2[dl] = s.z2[sl];
    d.sampleRateRatio[dl] = s.sampleRateRatio[sl];
    d.maxPitchRatio[dl] = s.maxPitchRatio[sl];
    copyLaneBit(d.filteredLanes, dl, s.filteredLanes, sl);
    copyLaneBit(d.filteredLanesBefore, dl, s.filteredLanesBefore, sl);
    copyLaneBit(d.reverbLanes, dl, s.reverbLanes, sl);
    copyLaneBit(d.chorusLanes, dl, s.chorusLanes, sl);
  }
  static void setLaneBit(uint32_t& mask, int l, bool on) noexcept {  // [audio thread]
    mask = on ? mask | (1u << l) : mask & ~(1u << l);
  }
  static void copyLaneBit(uint32_t& d, int dl, uint32_t s, int sl) noexcept {  // [audio thread]
    setLaneBit(d, dl, ((s >> sl) & 1u) != 0);
  }

  // An idle lane reads a valid position, advances by nothing and outputs nothing.
  static void parkLane(LaneGroup& g, int l) noexcept {  // [audio thread]
    g.pos[l] = kSampleGuardFront;
    g.frac[l] = 0.0f;
    g.inc[l] = 0.0f;
    g.limit[l] = kNoLimit;
    g.wrap[l] = 0;
    g.floor[l] = kNoFloor;
    g.endClamp[l] = kNoLimit;
    g.gain[l] = g.gainStep[l] = 0.0f;
    g.panLeft[l] = g.panRight[l] = g.sendReverb[l] = g.sendChorus[l] = 0.0f;
    g.b0[l] = 1.0f;
    g.b1[l] = g.b2[l] = g.a1[l] = g.a2[l] = 0.0f;
    g.z1[l] = g.z2[l] = 0.0f;
    for (uint32_t* mask : {&g.filteredLanes, &g.filteredLanesBefore, &g.reverbLanes, &g.chorusLanes}) {
      setLaneBit(*mask, l, false);
    }
  }

  // The lane's pitch now (note, modulators, glide), in octaves. Returns whether it moved
  // since the lane's increment was computed; the exponentials of the group's moved lanes
  // are then taken together (setIncrements). Inline: without the exponential it is a few
  // multiply-adds, less than a call. The other redesigns below are out of line: a voice
  // that nothing modulates skips them, and the common path stays small enough to keep its
  // values in registers.
  inline __attribute__((always_inline)) static bool designPitch(Voice& v, float modEnv, float lfo1, float lfo2,
                                                                int n, float& octaves) noexcept {  // [audio thread]
    // In float: 0.001 cents near the top of the range, where the exponential is float anyway.
    const float cents = static_cast<float>(v.pitch_cents) + modEnv * v.modEnvToPitch_cents +
                        lfo1 * v.modLfoToPitch_cents + lfo2 * v.vibLfoToPitch_cents + v.glide_cents;
    const bool moved = cents != v.designedPitch_cents;
    if (moved) {
      v.designedPitch_cents = cents;
      octaves = cents * (1.0f / 1200.0f);
    }
    if (v.gliding) {  // portamento: linear in cents, updated once per control block
      if (v.glide_cents == 0.0f) {
        v.gliding = false;  // this block played the note's own pitch
      } else {
        const float next = v.glide_cents - v.glideRate_centsPerSample * static_cast<float>(n);
        v.glide_cents = (next > 0.0f) == (v.glide_cents > 0.0f) ? next : 0.0f;
      }
    }
    return moved;
  }

  // The increments of the lanes in `moved` from their pitch exponents (octaves), under
  // their ceilings, four lanes at a time; the other lanes keep theirs, and four with none
  // moved are left alone. A moved pitch's exponential is a long chain of dependent
  // multiplies: four lanes' chains run side by side in a SIMD register (each lane gets the
  // same bits as fastExp2 alone).
  static void setIncrements(LaneGroup& g, const float (&octaves)[kLanes], uint32_t moved) noexcept {  // [audio thread]
    static_assert(kLanes % 4 == 0);
    for (int h = 0; h < kLanes; h += 4) {
      if (((moved >> h) & 0xFu) == 0) continue;
      const Float4 inc = scaledUnder(fastExp2(load4(octaves + h)), g.sampleRateRatio + h, g.maxPitchRatio + h);
      store4(g.inc + h, laneMask(moved >> h) ? inc : load4(g.inc + h));
    }
  }

  // The lane's copies of what turns its voice's pitch ratio into an increment.
  static void setIncrementFactors(const Voice& v, LaneGroup& g, int l) noexcept {  // [audio thread]
    g.sampleRateRatio[l] = v.sampleRateRatio;
    g.maxPitchRatio[l] = v.maxPitchRatio;
  }

  // The lane's low-pass for the cutoff now; redesigned only when the cutoff (in the chip's
  // register steps, for awe) or the resonance moved.
  [[gnu::noinline]] void designFilter(Voice& v, LaneGroup& g, int l, float modEnv,
                                      float lfo1) noexcept {  // [audio thread]
    float cutoff = v.filterCutoff_cents + modEnv * v.modEnvToFilter_cents + lfo1 * v.modLfoToFilter_cents;
    bool open = false;
    if (v.traits->cutoffRegister) {
      // The chip adds the modulation to the 8-bit register: same steps, open at 0xFF.
      const int reg = emu8000::cutoffRegister(cutoff);
      open = reg >= emu8000::kCutoffOpen;
      cutoff = open ? 1e9f : static_cast<float>(emu8000::cutoffCentsFromRegister(reg));
    } else {
      cutoff = std::clamp(cutoff, 1500.0f, 13500.0f);
    }
    if (cutoff == v.designedCutoff_cents && v.filterQ_dB == v.designedQ_dB) return;
    if (v.filterQ_dB != v.designedQ_dB) {
      v.designedQ_dB = v.filterQ_dB;
      v.filterQ = resonanceToQ(v.filterQ_dB);
    }
    v.designedCutoff_cents = cutoff;
    const BiquadCoefficients filter =
        open ? BiquadCoefficients{}
             : designLowpassQ(absoluteCentsToHz(cutoff), v.filterQ, settings_.sampleRate, v.filterDcGain);
    g.b0[l] = filter.b0;
    g.b1[l] = filter.b1;
    g.b2[l] = filter.b2;
    g.a1[l] = filter.a1;
    g.a2[l] = filter.a2;
    setLaneBit(g.filteredLanes, l, !open);
  }

  // The lane's bus weights: pan and sends under the master gain.
  [[gnu::noinline]] void setBusWeights(Voice& v, LaneGroup& g, int l) noexcept {  // [audio thread]
    const float gain = settings_.masterGain * masterVolume_;
    g.panLeft[l] = v.pan.left * gain;
    g.panRight[l] = v.pan.right * gain;
    g.sendReverb[l] = v.reverbSend * gain;
    g.sendChorus[l] = v.chorusSend * gain;
    setLaneBit(g.reverbLanes, l, g.sendReverb[l] != 0.0f);
    setLaneBit(g.chorusLanes, l, g.sendChorus[l] != 0.0f);
    v.dirty = false;
  }

  // An attenuation (cB) as the personality plays it: awe never gains above unity (so
  // tremolo only cuts) and has the chip's register steps.
  static float settledAttenuation_cB(float attenuation_cB, const PersonalityTraits& t) noexcept {  // [audio thread]
    if (t.noGainAboveUnity) attenuation_cB = std::max(attenuation_cB, 0.0f);
    if (t.attenuationSteps) {
      attenuation_cB = static_cast<float>(10.0 * emu8000::attenuationFromRegister(emu8000::attenuationRegister(attenuation_cB / 10.0)));
    }
    return attenuation_cB;
  }
  // A voice's gain for an attenuation: 10^(-cB/200), with the int16 scale.
  static float attenuationGain(float attenuation_cB) noexcept {  // [audio thread]
    return fastExp2(attenuation_cB * (-3.32192809f / 200.0f)) * kInt16Scale;
  }

  // Attenuation with LFO1's tremolo at the block's end, as a gain.
  [[gnu::noinline]] float tremoloGain(Voice& v, int n) noexcept {  // [audio thread]
    const float lfoEnd = v.modulationLfoAt(v.age_samples + static_cast<uint32_t>(n));
    return attenuationGain(settledAttenuation_cB(v.attenuation_cB + lfoEnd * v.modLfoToVolume_cB, *v.traits));
  }

  // Sets the lane's parameters for the next n samples (perSample = 1/n), all but its
  // increment: when the pitch moved, its exponent goes to `octaves` and the lane's bit to
  // `pitchMoved`, and setIncrements follows once the group's ratios are taken. Work that
  // does not change from block to block (unmodulated pitch and cutoff, pan, sends) is
  // redone only when dirty.
  inline __attribute__((always_inline)) void controlVoice(Voice& v, LaneGroup& g, SteadyLanes& s, int l, int n,
                                                          float perSample, float& octaves,
                                                          uint32_t& pitchMoved) noexcept {  // [audio thread]
    const float modEnv = v.usesModEnv ? v.modulationEnvelopeNow() : 0.0f;
    const float lfo1 = v.usesModLfo ? v.modulationLfoAt(v.age_samples) : 0.0f;
    const float lfo2 = v.usesVibLfo ? v.vibratoLfoNow() : 0.0f;
    if ((v.pitchModulated || v.dirty || v.gliding) && designPitch(v, modEnv, lfo1, lfo2, n, octaves)) {
      pitchMoved |= 1u << l;
    }
    if (v.filterModulated || v.dirty) designFilter(v, g, l, modEnv, lfo1);
    if (v.dirty) {
      setIncrementFactors(v, g, l);
      setBusWeights(v, g, l);
    }

    // Gain at the end of the block: envelope x attenuation (with LFO1 tremolo).
    const float env = v.volumeEnvelope.advance(static_cast<uint32_t>(n));
    const float target = env * (v.volumeModulated ? tremoloGain(v, n) : v.attenuationGain);
    // A released voice whose output has fallen below the 16-bit floor (96 dB under full
    // scale, envelope and attenuation together) is done: nothing audible remains.
    if (v.released && target < kReleaseFloorGain) v.volumeEnvelope.finish();
    const bool gainSettled = target == v.lastGain;
    g.gain[l] = v.lastGain;
    g.gainStep[l] = (target - v.lastGain) * perSample;
    v.lastGain = target;
    if (gainSettled) enterSteady(v, s, l, n, modEnv);
    v.age_samples += static_cast<uint32_t>(n);
    // A loop-until-release voice let go plays on to its sample end (a steady voice is never released).
    if (!v.looping && g.wrap[l] != 0) setLaneLoop(g, l, false, v.loopStart, v.loopEnd, v.end);
  }

  // A voice whose gain has settled becomes steady (see Voice::steady) when it sustains and
  // nothing but vibrato moves: its lane takes a copy of what stepSteadyLanes needs, vibrato
  // at the next block's start. A modulation envelope that sustains (at `modEnv`, read at
  // this block's start) moves nothing any more: its pitch term goes into the copy, and the
  // cutoff it set stays (LFO1, the only other cutoff term, keeps a voice from being steady).
  static void enterSteady(Voice& v, SteadyLanes& s, int l, int n, float modEnv) noexcept {  // [audio thread]
    const bool vibrato = v.vibLfoToPitch_cents != 0.0f;
    if (v.released || v.gliding || v.dirty || v.usesModLfo || v.volumeModulated ||
        (v.usesModEnv && v.modulationEnvelope.stage() != EnvelopeStage::Sustain) ||
        v.volumeEnvelope.stage() != EnvelopeStage::Sustain || (vibrato && v.vibratoLfo.delaying())) {
      return;
    }
    v.steady = true;
    setLaneBit(s.vibratoLanes, l, vibrato);
    setLaneBit(s.loopingLanes, l, v.looping);
    setLaneBit(s.currentLanes, l, true);
    s.vibPhase[l] = vibrato ? v.vibratoLfo.phase() + v.vibratoLfo.step() * static_cast<uint32_t>(n) : 0u;
    s.vibStep[l] = vibrato ? v.vibratoLfo.step() : 0u;
    s.vibLfoToPitch_cents[l] = v.vibLfoToPitch_cents;
    // designPitch's first two terms, as it adds them (the LFO1 and glide terms are 0)
    s.pitch_cents[l] = static_cast<float>(v.pitch_cents) + modEnv * v.modEnvToPitch_cents;
    s.designedPitch_cents[l] = v.designedPitch_cents;
  }

  // The voice stops being steady: it takes back its designed pitch and its vibrato as
  // vibratoLfoNow would have left them at the last step's start (so a new LFO rate applies
  // from there, as it does for any voice).
  static void leaveSteady(Voice& v, const SteadyLanes& s, int l) noexcept {  // [audio thread]
    v.steady = false;
    if ((s.currentLanes >> l) & 1u) return;
    v.designedPitch_cents = s.designedPitch_cents[l];
    if ((s.vibratoLanes >> l) & 1u) {
      v.vibratoLfo.setPhase(s.vibPhaseBefore[l]);
      v.vibLfoClock = v.age_samples - static_cast<uint32_t>(s.lastStep_samples);
    }
  }

  // The control work of a group's steady lanes (bits in `steady`) for their next n samples,
  // four lanes at a time: vibrato and pitch as designPitch has them (the other pitch terms
  // are 0). Their gains stay where they settled (step 0). Returns the lanes whose pitch
  // moved, with their exponents in `octaves`. Four lanes without vibrato are left alone:
  // their pitch stays the one they were designed for.
  static uint32_t stepSteadyLanes(SteadyLanes& s, uint32_t steady, int n,
                                  float (&octaves)[kLanes]) noexcept {  // [audio thread]
    uint32_t moved = 0;
    for (int h = 0; h < kLanes; h += 4) {
      if (((steady & s.vibratoLanes) >> h & 0xFu) == 0) continue;
      // Only the steady lanes move on: a lane that became steady in this block holds the
      // state for the next one already.
      const Int4 isSteady = laneMask(steady >> h);
      const UInt4 phase = load4(s.vibPhase + h);
      const Float4 designed = load4(s.designedPitch_cents + h);
      const Float4 cents = load4(s.pitch_cents + h) + Lfo::valueAt(phase) * load4(s.vibLfoToPitch_cents + h);
      moved |= laneBits((cents != designed) & isSteady) << h;
      store4(s.designedPitch_cents + h, isSteady ? cents : designed);
      store4(octaves + h, isSteady ? cents * (1.0f / 1200.0f) : load4(octaves + h));
      store4(s.vibPhaseBefore + h, isSteady ? phase : load4(s.vibPhaseBefore + h));
      store4(s.vibPhase + h, isSteady ? phase + load4(s.vibStep + h) * static_cast<uint32_t>(n) : phase);
    }
    s.currentLanes &= ~steady;
    s.lastStep_samples = n;
    return moved;
  }

  // plainSamplesOfLane out of line: only lanes near a loop or sample end come here, and
  // the control walk stays small.
  [[gnu::noinline]] static int plainSamples(const LaneGroup& g, int l, int n) noexcept {  // [audio thread]
    return plainSamplesOfLane(g, l, n);
  }

  // plainSamples for every lane of the group (lanes from `lanes` on are parked), four at a
  // time: most lanes, most blocks, are far from their loop's ends and take the whole block
  // on a few vector comparisons (the verdict plainSamples gives them); the others are
  // looked at one by one. A looping lane short of its loop start takes its floor first,
  // once it gets there.
  int plainSamplesOfGroup(LaneGroup& g, const Voice* voices, int lanes, int n) const noexcept {  // [audio thread]
    static_assert(kLanes % 4 == 0);
    int plain = n;
    const uint32_t playing = lanesUpTo(lanes);
    for (int h = 0; h < kLanes && (playing >> h) != 0; h += 4) {
      const uint32_t here = (playing >> h) & 0xFu;
      for (uint32_t entering = laneBits((load4(g.floor + h) == kNoFloor) & (load4(g.wrap + h) != 0)) & here;
           entering != 0; entering &= entering - 1) {
        const int l = h + __builtin_ctz(entering);
        setLaneLoop(g, l, true, voices[l].loopStart, voices[l].loopEnd, voices[l].end);
      }
      const Int4 pos = load4(g.pos + h);
      const Int4 stride = __builtin_convertvector(load4(g.inc + h) * static_cast<float>(n), Int4);
      const Int4 room = load4(g.limit + h) - pos;  // reach < limit: stride + 3 < room
      const uint32_t whole = laneBits((pos > load4(g.floor + h)) & (room > stride + 3)) & here;
      for (uint32_t rest = here & ~whole; rest != 0; rest &= rest - 1) {
        plain = std::min(plain, plainSamples(g, h + __builtin_ctz(rest), n));
      }
    }
    return plain;
  }

  // A lane group as a block renders it: its lanes' state, its voices, how many lanes it has.
  struct GroupAt {
    int index;
    LaneGroup& g;
    Voice* voices;
    int lanes;
  };
  GroupAt groupAt(int gi) noexcept {  // [audio thread]
    return {gi, groups_[static_cast<size_t>(gi)], &voices_[static_cast<size_t>(gi) * kLanes],
            std::min(kLanes, activeCount_ - gi * kLanes)};
  }

  // Thousands of voices outgrow this core's cache between blocks, and the control walk
  // would wait on each voice's first lines: asked for a group or two before it gets there.
  void prefetchGroupVoices(int gi, int endGroup) const noexcept {  // [audio thread]
    if (gi >= endGroup) return;
    const int lanes = std::min(kLanes, activeCount_ - gi * kLanes);
    for (int l = 0; l < lanes; ++l) {
      const char* voice = reinterpret_cast<const char*>(&voices_[static_cast<size_t>(gi * kLanes + l)]);
      for (size_t line = 0; line < kVoicePrefetchLines; ++line) __builtin_prefetch(voice + 64 * line);
    }
  }

  // A group's sounding voices into its chunk's channel sounding (gains before the master
  // gain), while they are in this core's cache.
  static void gatherGroupSounding(const GroupAt& at, ChannelSounding& out) noexcept {  // [audio thread]
    for (int l = 0; l < at.lanes; ++l) {
      const Voice& v = at.voices[l];
      if (!v.active || v.channel >= kMidiChannels) continue;
      out.amplitude[v.channel] += v.lastGain;
      uint64_t(&keys)[2] = v.released ? out.releasingKeys[v.channel] : out.heldKeys[v.channel];
      keys[(v.key >> 6) & 1] |= uint64_t{1} << (v.key & 63);
    }
  }

  // A group's block is cut where one of its voices' volume envelopes turns a corner (delay
  // end, attack end, hold end), so onsets and peaks land on their sample: the samples to
  // the nearest such corner. `any`: whether any voice in it plays. `quiet`: lanes known to
  // play on with no corner (SteadyLanes::quietLanes), not looked at.
  static uint32_t nextCorner(const GroupAt& at, uint32_t quiet, bool& any) noexcept {  // [audio thread]
    uint32_t corner = Envelope::kNoCorner;
    any = quiet != 0;
    for (uint32_t rest = lanesUpTo(at.lanes) & ~quiet; rest != 0; rest &= rest - 1) {
      const Voice& v = at.voices[__builtin_ctz(rest)];
      if (!v.active) continue;
      any = true;
      corner = std::min(corner, v.volumeEnvelope.samplesToCorner());
    }
    return corner;
  }

  // The lanes of a group nextCorner need not look at in the block from `start` of the span:
  // the quiet ones of the group's last block, which no event can have reached since (there
  // is none within a span; a block that set none up leaves none quiet, as it found none
  // playing). The span's first block has none.
  uint32_t quietLanes(const GroupAt& at, int start) const noexcept {  // [audio thread]
    return start > 0 ? steadyLanes_[static_cast<size_t>(at.index)].quietLanes : 0u;
  }

  // Bits 0 .. lanes - 1.
  static uint32_t lanesUpTo(int lanes) noexcept {  // [audio thread]
    static_assert(kLanes < 32);
    return (1u << lanes) - 1u;
  }

  // The control work of a group's voices for their next m samples. Returns how many of them
  // every lane can take on the plain kernel path.
  int controlGroup(const GroupAt& at, int m) noexcept {  // [audio thread]
    // In locals: the voices' stores and the out-of-line redesigns could alias `at` for all
    // the compiler knows, and it would reload its fields for every voice.
    LaneGroup& g = at.g;
    Voice* const voices = at.voices;
    const int lanes = at.lanes;
    const float perSample = 1.0f / static_cast<float>(m);
    SteadyLanes& s = steadyLanes_[static_cast<size_t>(at.index)];
    float octaves[kLanes] = {};  // pitch exponents of the lanes in pitchMoved
    uint32_t pitchMoved = 0;
    uint32_t steady = 0;   // lanes steady before this block
    uint32_t entered = 0;  // lanes that became steady in it
    for (int l = 0; l < lanes; ++l) {
      Voice& v = voices[l];
      if (!v.active) continue;
      if (v.steady) {
        if (!v.dirty && !v.released && !v.gliding) {
          v.age_samples += static_cast<uint32_t>(m);
          steady |= 1u << l;
          continue;
        }
        leaveSteady(v, s, l);
      }
      controlVoice(v, g, s, l, m, perSample, octaves[l], pitchMoved);
      if (v.steady) entered |= 1u << l;
    }
    s.quietLanes = (steady | entered) & s.loopingLanes;
    if (steady != 0) pitchMoved |= stepSteadyLanes(s, steady, m, octaves);
    if (pitchMoved != 0) setIncrements(g, octaves, pitchMoved);
    return plainSamplesOfGroup(g, voices, lanes, m);
  }

  // The kernel variant a group needs: its filter (on while a lane filters or its state runs
  // out) and the send buses its lanes feed.
  static int filterVariant(const LaneGroup& g) noexcept {  // [audio thread]
    return (g.filteredLanes | g.filteredLanesBefore) != 0 ? 1 : 0;
  }
  static int sendsVariant(const LaneGroup& g) noexcept {  // [audio thread]
    return g.chorusLanes != 0 ? kSendsBoth : (g.reverbLanes != 0 ? kSendsReverb : kSendsNone);
  }

  // After a group's m samples: its filter history, and the voices that ended (parked, and
  // listed in `scratch.ended`). Returns the next corner of those that play on; `any`: some do.
  uint32_t endSubBlock(const GroupAt& at, int m, RenderScratch& scratch, bool& any) noexcept {  // [audio thread]
    LaneGroup& g = at.g;
    // A lane's filter state runs out to zeros within two samples of the identity.
    g.filteredLanesBefore = m >= 2 ? g.filteredLanes : g.filteredLanesBefore | g.filteredLanes;
    uint32_t corner = Envelope::kNoCorner;
    // Quiet lanes play on with no corner: only the others are looked at.
    const uint32_t quiet = steadyLanes_[static_cast<size_t>(at.index)].quietLanes;
    any = quiet != 0;
    for (uint32_t rest = lanesUpTo(at.lanes) & ~quiet; rest != 0; rest &= rest - 1) {
      const int l = __builtin_ctz(rest);
      Voice& v = at.voices[l];
      if (!v.active) continue;
      const bool sampleOver = !v.looping && g.pos[l] >= v.end;
      if (sampleOver || v.volumeEnvelope.finished()) {
        v.active = false;  // silent for the rest of the span, removed after it
        parkLane(g, l);
        scratch.ended[static_cast<size_t>(scratch.endedCount++)] = at.index * kLanes + l;
        continue;
      }
      any = true;
      corner = std::min(corner, v.volumeEnvelope.samplesToCorner());
    }
    return corner;
  }

  // Frames [start, start + frames) of a group, within one control block of the span, cut
  // at its envelope corners (`corner`, `any`: nextCorner's).
  void renderGroup(const GroupAt& at, uint32_t corner, bool any, int start, int frames, RenderScratch& scratch,
                   bool laps) noexcept {  // [audio thread]
    const int span = block_.frames;
    float* const acc = scratch.acc.v;
    const int end = start + frames;
    for (int done = start; any && done < end;) {
      const int m = static_cast<int>(std::min(static_cast<uint32_t>(end - done), corner));
      const int plain = controlGroup(at, m);
      if (laps) AWE_SPAN_LAP(laps_, Control);
      const auto& pass = (*block_.kernel)[filterVariant(at.g)][sendsVariant(at.g)];
      if (plain > 0) pass[0](at.g, block_.samples, plain, acc + done * kLanes, span);
      if (plain < m) pass[1](at.g, block_.samples, m - plain, acc + (done + plain) * kLanes, span);
      if (laps) AWE_SPAN_LAP(laps_, VoiceRender);
      done += m;
      corner = endSubBlock(at, m, scratch, any);
    }
  }

  // Frames [start, start + frames) of two groups, neither of which has a corner in them.
  void renderPair(const GroupAt& first, const GroupAt& second, int start, int frames, RenderScratch& scratch,
                  bool laps) noexcept {  // [audio thread]
    const int span = block_.frames;
    float* const acc = scratch.acc.v + start * kLanes;
    const int firstPlain = controlGroup(first, frames);
    const int secondPlain = controlGroup(second, frames);
    if (laps) AWE_SPAN_LAP(laps_, Control);
    // The wider variant serves both: an open filter with its state at zero passes x
    // through exactly, and a send of 0 adds nothing to a bus.
    const int filter = std::max(filterVariant(first.g), filterVariant(second.g));
    const int sends = std::max(sendsVariant(first.g), sendsVariant(second.g));
    const VoicePairSplitKernelFn split = (*block_.pairSplit)[filter][sends];
    if (firstPlain == frames && secondPlain == frames) {
      (*block_.pair)[filter][sends](first.g, second.g, block_.samples, frames, acc, span);
    } else if (split != nullptr) {
      split(first.g, firstPlain, second.g, secondPlain, block_.samples, frames, acc, span);
    } else {
      for (const GroupAt* at : {&first, &second}) {
        const int plain = at == &first ? firstPlain : secondPlain;
        const auto& pass = (*block_.kernel)[filterVariant(at->g)][sendsVariant(at->g)];
        if (plain > 0) pass[0](at->g, block_.samples, plain, acc, span);
        if (plain < frames) pass[1](at->g, block_.samples, frames - plain, acc + plain * kLanes, span);
      }
    }
    if (laps) AWE_SPAN_LAP(laps_, VoiceRender);
    bool any = false;
    endSubBlock(first, frames, scratch, any);
    endSubBlock(second, frames, scratch, any);
  }

  // [audio thread, or a voice worker inside RenderFanOut::run] Control and kernel work of
  // chunk `c`'s lane groups for the span in block_, summed into `scratch.acc` (all zeros
  // on entry: every fold clears it); voices that end go to `scratch.ended`. Touches only
  // the chunk's own voices and groups, and reads the synth's settings and channels.
  //
  // Each group (or pair) renders the span's control blocks one after another while its
  // voices are in cache; every bus sample still sums the groups in group order. Two
  // neighbouring groups with no envelope corner in a block go through a two-group kernel
  // where the kernel set has one (their filters' recursions overlap), the split one where a
  // lane nears its loop's end; their buses get the same sums in the same order as one group
  // after the other.
  void renderChunk(int c, RenderScratch& scratch, bool laps) noexcept {
    const int span = block_.frames;
    const int firstGroup = c * kGroupsPerChunk;
    const int endGroup = std::min(firstGroup + kGroupsPerChunk, block_.groups);
    const bool pairs = (*block_.pair)[0][0] != nullptr;
    ChannelSounding& sounding = chunkSounding_[static_cast<size_t>(c)];
    if (block_.gatherSounding) sounding = ChannelSounding{};
    for (int gi = firstGroup; gi < endGroup;) {
      const GroupAt first = groupAt(gi);
      const bool pair = pairs && gi + 1 < endGroup;
      if (pair) {
        prefetchGroupVoices(gi + 2, endGroup);
        prefetchGroupVoices(gi + 3, endGroup);
      } else {
        prefetchGroupVoices(gi + 1, endGroup);
      }
      const GroupAt second = groupAt(pair ? gi + 1 : gi);
      for (int start = 0; start < span; start += kControlBlockFrames) {
        const int frames = std::min(kControlBlockFrames, span - start);
        bool any = false, secondAny = false;
        // The first block of a span looks at every lane: events come between spans.
        const uint32_t corner = nextCorner(first, quietLanes(first, start), any);
        if (!pair) {
          renderGroup(first, corner, any, start, frames, scratch, laps);
          continue;
        }
        const uint32_t secondCorner = nextCorner(second, quietLanes(second, start), secondAny);
        const auto whole = static_cast<uint32_t>(frames);
        if (any && secondAny && corner >= whole && secondCorner >= whole) {
          renderPair(first, second, start, frames, scratch, laps);
        } else {
          renderGroup(first, corner, any, start, frames, scratch, laps);
          renderGroup(second, secondCorner, secondAny, start, frames, scratch, laps);
        }
      }
      if (block_.gatherSounding) {
        gatherGroupSounding(first, sounding);
        if (pair) gatherGroupSounding(second, sounding);
      }
      gi += pair ? 2 : 1;
    }
  }

  // The kernels a block may take, by what its groups need (filter, sends) and path, under
  // the quality settings: set at the start and when the settings change.
  void chooseBlockKernels() noexcept {  // [audio thread]
    const auto& kernels = kernels_->fn[static_cast<int>(settings_.interpolation)];
    const auto& pairs = kernels_->pair[static_cast<int>(settings_.interpolation)];
    const auto& pairSplits = kernels_->pairSplit[static_cast<int>(settings_.interpolation)];
    for (int filter = 0; filter < 2; ++filter) {
      for (int sends = 0; sends < kSendVariants; ++sends) {
        const int filterUsed = settings_.filterEnabled ? filter : 0;
        const int sendsUsed = settings_.effectsEnabled ? sends : kSendsNone;
        for (int path = 0; path < 2; ++path) blockKernels_[filter][sends][path] = kernels[filterUsed][sendsUsed][path];
        blockPairKernels_[filter][sends] = pairs[filterUsed][sendsUsed];
        blockPairSplitKernels_[filter][sends] = pairSplits[filterUsed][sendsUsed];
      }
    }
    block_.kernel = &blockKernels_;
    block_.pair = &blockPairKernels_;
    block_.pairSplit = &blockPairSplitKernels_;
  }

  // [audio thread, or a voice worker] RenderFanOut's task: chunk `task` on render thread
  // `worker`, folded into the chunk's own buses.
  static void renderChunkTask(void* context, int task, int worker) noexcept {
    SynthImpl& self = *static_cast<SynthImpl*>(context);
    ScopedFlushDenormals ftz;  // as on the audio thread: the same sums to the bit
    RenderScratch& scratch = self.scratch_[static_cast<size_t>(worker)];
    self.renderChunk(task, scratch, false);
    ChunkBuses& out = self.chunkBuses_[static_cast<size_t>(task)];
    self.kernels_->fold(scratch.acc.v, self.block_.frames, out.bus[0], out.bus[1], out.bus[2], out.bus[3]);
  }

  static void addChunkBuses(const ChunkBuses& chunk, float* const (&outs)[kBusCount], int n) noexcept {  // [audio thread]
    for (int b = 0; b < kBusCount; ++b) {
      for (int i = 0; i < n; ++i) outs[b][i] += chunk.bus[b][i];
    }
  }

  // Up to kRenderSpanFrames of every active voice, summed to the four buses, then the
  // effects block by block. The voices are cut into chunks of kVoicesPerChunk lanes; each
  // chunk sums into an accumulator of its own and is folded to four buses alone, and the
  // chunks' buses are added in chunk order. So the mix is the same sum in the same order
  // whether one thread renders every chunk or a RenderFanOut hands them to several: the
  // output is byte-identical for any thread count.
  void renderSpan(float* left, float* right, int n) noexcept {  // [audio thread]
    const int groupCount = (activeCount_ + kLanes - 1) / kLanes;
    const int chunkCount = (groupCount + kGroupsPerChunk - 1) / kGroupsPerChunk;
    block_.frames = n;
    block_.groups = groupCount;
    block_.samples = bank_ != nullptr ? bank_->sampleData() : nullptr;
    if (block_.gatherSounding) gatheredChunks_ = chunkCount;
    float* const outs[kBusCount] = {left, right, reverbBus_, chorusBus_};
    if (chunkCount == 0) {  // no voice: nothing to sum
      for (float* out : outs) std::fill_n(out, n, 0.0f);
    } else if (fanOut_ != nullptr && chunkCount > 1) {
      fanOut_->run(chunkCount, &SynthImpl::renderChunkTask, this);
      AWE_SPAN_LAP(laps_, VoiceRender);
      for (int b = 0; b < kBusCount; ++b) std::copy_n(chunkBuses_[0].bus[b], n, outs[b]);
      for (int c = 1; c < chunkCount; ++c) addChunkBuses(chunkBuses_[static_cast<size_t>(c)], outs, n);
    } else {
      RenderScratch& scratch = scratch_[0];
      for (int c = 0; c < chunkCount; ++c) {
        renderChunk(c, scratch, true);
        if (c == 0) {
          kernels_->fold(scratch.acc.v, n, left, right, reverbBus_, chorusBus_);
        } else {
          ChunkBuses& sum = chunkBuses_[0];
          kernels_->fold(scratch.acc.v, n, sum.bus[0], sum.bus[1], sum.bus[2], sum.bus[3]);
          addChunkBuses(sum, outs, n);
        }
      }
    }
    // Remove the ended voices from the highest lane down, so each move keeps the others'
    // lanes where they are.
    size_t ending = 0;
    for (RenderScratch& scratch : scratch_) {
      std::copy_n(scratch.ended.begin(), scratch.endedCount, pendingFree_.begin() + static_cast<std::ptrdiff_t>(ending));
      ending += static_cast<size_t>(scratch.endedCount);
      scratch.endedCount = 0;
    }
    std::sort(pendingFree_.begin(), pendingFree_.begin() + static_cast<std::ptrdiff_t>(ending), std::greater<int>());
    for (size_t k = 0; k < ending; ++k) removeVoice(pendingFree_[k]);
    AWE_SPAN_LAP(laps_, Control);  // the voice freeing
    for (int start = 0; start < n; start += kControlBlockFrames) {
      mixBlock(left + start, right + start, start, std::min(kControlBlockFrames, n - start));
    }
  }

  // The buses' frames [start, start + n) (one control block) through the fade, the effect
  // levels and the effect units, as each block went before spans.
  void mixBlock(float* left, float* right, int start, int n) noexcept {  // [audio thread]
    float* const reverbBus = reverbBus_ + start;
    float* const chorusBus = chorusBus_ + start;
    const bool effects = settings_.effectsEnabled;
    applyFade(left, right, reverbBus, chorusBus, n);
    // With effects off the sends are not mixed (the buses hold zeros): the units ring out
    // and then idle at almost no cost.
    if (!effects) {
      std::fill(reverbBus, reverbBus + n, 0.0f);
      std::fill(chorusBus, chorusBus + n, 0.0f);
    }
    if (reverbLevel_ != 1.0f) {
      for (int i = 0; i < n; ++i) reverbBus[i] *= reverbLevel_;
    }
    if (chorusLevel_ != 1.0f) {
      for (int i = 0; i < n; ++i) chorusBus[i] *= chorusLevel_;
    }
    AWE_SPAN_LAP(laps_, Mix);
    reverb_.process(reverbBus, left, right, static_cast<size_t>(n));
    chorus_.process(chorusBus, left, right, static_cast<size_t>(n));
    AWE_SPAN_LAP(laps_, Effects);
  }

  // [audio thread] The output fade around a quality switch: kFadeFrames down to silence on
  // the old settings, the switch at the next block boundary, kFadeFrames back up. It
  // counts samples, not blocks, so tiny render calls fade just as smoothly.
  static constexpr int kFadeFrames = kControlBlockFrames;
  void applyFade(float* left, float* right, float* reverbBus, float* chorusBus, int n) noexcept {
    if (fade_ == Fade::None) return;
    const bool out = fade_ == Fade::Out;
    for (int i = 0; i < n; ++i) {
      const int p = std::min(fadePosition_ + i + 1, kFadeFrames);
      const float ramp = static_cast<float>(p) / static_cast<float>(kFadeFrames);
      const float g = out ? 1.0f - ramp : ramp;
      left[i] *= g;
      right[i] *= g;
      reverbBus[i] *= g;
      chorusBus[i] *= g;
    }
    fadePosition_ = std::min(fadePosition_ + n, kFadeFrames);
    if (fadePosition_ < kFadeFrames) return;
    fadePosition_ = 0;
    if (out) {
      settings_.interpolation = pending_.interpolation;
      settings_.filterEnabled = pending_.filterEnabled;
      settings_.effectsEnabled = pending_.effectsEnabled;
      chooseBlockKernels();
      fade_ = Fade::In;
    } else {
      fade_ = Fade::None;
    }
  }

  SynthSettings settings_;
  const VoiceKernelTable* kernels_;
  std::shared_ptr<const Bank> ownedBank_;
  const Bank* bank_ = nullptr;
  std::vector<Voice> voices_;         // by lane: the active ones packed at the front
  std::vector<VoiceCold> colds_;      // by oscillator slot: each voice's note-on part
  std::vector<LaneGroup> groups_;
  std::vector<SteadyLanes> steadyLanes_;  // by group
  std::vector<int32_t> slotOwner_;     // oscillator slot -> lane index of its voice, or -1
  std::vector<uint64_t> freeSlots_;    // bit set: slot free
  std::vector<int> pendingFree_;       // scratch: voices that ended during a block
  std::vector<RenderScratch> scratch_;
  std::vector<ChunkBuses> chunkBuses_;  // by chunk with a fan-out, else one: a chunk's sum
  std::vector<ChannelSounding> chunkSounding_;  // by chunk: what the last gathering saw
  int gatheredChunks_ = 0;
  bool gatherSounding_ = false;  // gatherChannelSounding
  Block block_;
  VoiceKernelFn blockKernels_[2][kSendVariants][2] = {};  // block_.kernel points here
  VoicePairKernelFn blockPairKernels_[2][kSendVariants] = {};  // block_.pair points here
  VoicePairSplitKernelFn blockPairSplitKernels_[2][kSendVariants] = {};  // block_.pairSplit points here
  RenderFanOut* fanOut_ = nullptr;
  float reverbBus_[kRenderSpanFrames] = {};
  float chorusBus_[kRenderSpanFrames] = {};
  AweReverb reverb_;
  AweChorus chorus_;
  Channel channels_[kMidiChannels];
  TuningStore tunings_;          // MTS tuning programs
  SystemMode systemMode_ = SystemMode::Gm;
  float masterVolume_ = 1.0f;    // GM2 / GS master volume, linear
  float reverbLevel_ = 1.0f;     // the player's effect levels (setEffectLevels)
  float chorusLevel_ = 1.0f;
  double masterFineTuning_cents_ = 0.0;
  int masterCoarseTuning_semitones_ = 0;
  Glide noteGlide_;              // the glide of the note being started
  SynthCounters counters_;
  Personality personality_ = Personality::Awe;
  PersonalityTraits traits_[2] = {};  // by personality, with the settings' attenuation reading
  enum class Fade : uint8_t { None, Out, In };
  Fade fade_ = Fade::None;
  int fadePosition_ = 0;
  SynthSettings pending_;  // quality settings waiting for the fade
  int polyphonyLimit_ = kDefaultPolyphony;
  int activeCount_ = 0;
  uint32_t noteSerial_ = 0;
  uint64_t startOrder_ = 0;
#if AWE_PROFILE_SPANS
  SpanRecorder* spans_ = nullptr;  // stage spans, when switched on
  SpanLaps laps_;
#endif
};

// ---- Synth: the public face --------------------------------------------------------------
Synth::Synth(const SynthSettings& settings) : impl_(std::make_unique<SynthImpl>(settings)) {}
Synth::~Synth() = default;
void Synth::setBank(std::shared_ptr<const Bank> bank) { impl_->setBank(std::move(bank)); }
const Bank* Synth::exchangeBank(const Bank* bank) noexcept { return impl_->exchangeBank(bank); }  // [audio thread]
const Bank* Synth::bank() const noexcept { return impl_->bank(); }
const SynthSettings& Synth::settings() const noexcept { return impl_->settings(); }
void Synth::handle(const MidiMessage& message) noexcept { impl_->handle(message); }  // [audio thread]
void Synth::midiMessage(uint8_t status, uint8_t d1, uint8_t d2) noexcept {
  impl_->handle(MidiMessage::channelMessage(status, d1, d2));
}
void Synth::noteOn(int channel, int key, int velocity) noexcept { impl_->noteOn(channel, key, velocity); }
void Synth::noteOff(int channel, int key) noexcept { impl_->noteOff(channel, key); }
// [audio thread]
void Synth::controlChange(int channel, int controller, int value) noexcept { impl_->controlChange(channel, controller, value); }
void Synth::programChange(int channel, int program) noexcept { impl_->programChange(channel, program); }
void Synth::pitchBend(int channel, int value14) noexcept { impl_->pitchBend(channel, value14); }
void Synth::channelPressure(int channel, int value) noexcept { impl_->channelPressure(channel, value); }
void Synth::polyPressure(int channel, int key, int value) noexcept { impl_->polyPressure(channel, key, value); }
void Synth::sysex(const uint8_t* data, size_t length) noexcept { impl_->sysex(data, length); }
void Synth::allNotesOff() noexcept { impl_->allNotesOff(); }  // [audio thread]
void Synth::allSoundOff() noexcept { impl_->allSoundOff(); }  // [audio thread]
void Synth::resetAllChannels() noexcept { impl_->resetAllChannels(); }
void Synth::setPersonality(Personality personality) noexcept { impl_->setPersonality(personality); }
void Synth::setReverbType(ReverbType type) noexcept { impl_->setReverbType(type); }
void Synth::setChorusType(ChorusType type) noexcept { impl_->setChorusType(type); }
void Synth::setEffectLevels(float reverbLevel, float chorusLevel) noexcept {  // [audio thread]
  impl_->setEffectLevels(reverbLevel, chorusLevel);
}
float Synth::reverbLevel() const noexcept { return impl_->reverbLevel(); }
float Synth::chorusLevel() const noexcept { return impl_->chorusLevel(); }
ReverbType Synth::reverbType() const noexcept { return impl_->settings().reverb; }
ChorusType Synth::chorusType() const noexcept { return impl_->settings().chorus; }
Personality Synth::personality() const noexcept { return impl_->personality(); }
void Synth::setInterpolation(Interpolation mode) noexcept { impl_->setInterpolation(mode); }  // [audio thread]
void Synth::setFilterEnabled(bool enabled) noexcept { impl_->setFilterEnabled(enabled); }  // [audio thread]
void Synth::setEffectsEnabled(bool enabled) noexcept { impl_->setEffectsEnabled(enabled); }  // [audio thread]
void Synth::setPolyphonyLimit(int voices) noexcept { impl_->setPolyphonyLimit(voices); }  // [audio thread]
int Synth::polyphonyLimit() const noexcept { return impl_->polyphonyLimit(); }  // [audio thread]
// [audio thread]
void Synth::render(float* left, float* right, size_t frames) noexcept { impl_->render(left, right, frames); }
void Synth::setRenderFanOut(RenderFanOut* fanOut) { impl_->setRenderFanOut(fanOut); }
void Synth::setSpanRecorder(SpanRecorder* recorder) noexcept { impl_->setSpanRecorder(recorder); }  // [audio thread]
SpanRecorder* Synth::spanRecorder() const noexcept { return impl_->spanRecorder(); }
int Synth::activeVoices() const noexcept { return impl_->activeVoices(); }  // [audio thread]
bool Synth::effectsIdle() const noexcept { return impl_->effectsIdle(); }  // [audio thread]
bool Synth::silent() const noexcept { return impl_->silent(); }  // [audio thread]
const SynthCounters& Synth::counters() const noexcept { return impl_->counters(); }  // [audio thread]
int Synth::voiceCount() const noexcept { return impl_->voiceCount(); }  // [audio thread]
VoiceInfo Synth::voiceInfo(int index) const noexcept { return impl_->voiceInfo(index); }  // [audio thread]
void Synth::gatherChannelSounding(bool on) noexcept { impl_->gatherChannelSounding(on); }  // [audio thread]
void Synth::channelSounding(ChannelSounding& out) const noexcept { impl_->channelSounding(out); }  // [audio thread]
int Synth::channelProgram(int channel) const noexcept {  // [audio thread]
  return channel >= 0 && channel < kMidiChannels ? impl_->channel(channel).program : 0;
}
int Synth::channelController(int channel, int controller) const noexcept {  // [audio thread]
  if (channel < 0 || channel >= kMidiChannels || controller < 0 || controller > 127) return 0;
  return impl_->channel(channel).cc[controller];
}
int Synth::channelBank(int channel) const noexcept {  // [audio thread]
  if (channel < 0 || channel >= kMidiChannels) return 0;
  const Channel& c = impl_->channel(channel);
  return c.drum ? kDrumBank : c.bankNumber();
}

}  // namespace awe
