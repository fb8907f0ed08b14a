#include "emu8000/Modulation.h"

#include <cmath>
#include <iterator>

#include "emu8000/Conversions.h"

namespace awe {
namespace {

constexpr uint16_t kFineTuneDest = static_cast<uint16_t>(Gen::FineTune);
constexpr uint16_t kCutoffDest = static_cast<uint16_t>(Gen::InitialFilterFc);
constexpr uint16_t kVelocitySource = 0x0102;  // velocity, negative unipolar linear
constexpr uint16_t kModLfoToPitchDest = static_cast<uint16_t>(Gen::ModLfoToPitch);
constexpr uint16_t kVibLfoToPitchDest = static_cast<uint16_t>(Gen::VibLfoToPitch);

// SF2.04 section 8.4, with two readings every other player shares:
// - CC10 to pan, amount 500: the spec's 1000 is a known erratum (it covers the pan range
//   twice, so CC10 16 is already hard left); FluidSynth and BASSMIDI use 500, which makes
//   CC10 step with the bank's own pan values.
// - Pitch wheel x wheel sensitivity aimed at fine tune, where editors (Polyphone, Viena,
//   Vienna) write their own, so a bank's replaces it (2.04 names "initial pitch", which has
//   no generator). Fine tune's -99..99 range does not clamp modulation (see Synth.cpp).
// - Velocity to cutoff as 2.04 writes it: no amount source. (2.01's version had a velocity
//   switch as amount source; isVelocityToCutoff() lets a bank cancel either.)
const ModulatorSpec kSf204Defaults[] = {
    {0x0502, static_cast<uint16_t>(Gen::InitialAttenuation), 960, 0, 0},  // velocity -> attenuation
    {kVelocitySource, kCutoffDest, -2400, 0, 0},                           // velocity -> cutoff
    {0x000D, static_cast<uint16_t>(Gen::VibLfoToPitch), 50, 0, 0},        // channel pressure -> vibrato
    {0x0081, static_cast<uint16_t>(Gen::VibLfoToPitch), 50, 0, 0},        // CC1 -> vibrato
    {0x0587, static_cast<uint16_t>(Gen::InitialAttenuation), 960, 0, 0},  // CC7 volume
    {0x028A, static_cast<uint16_t>(Gen::Pan), 500, 0, 0},                 // CC10 pan
    {0x058B, static_cast<uint16_t>(Gen::InitialAttenuation), 960, 0, 0},  // CC11 expression
    {0x00DB, static_cast<uint16_t>(Gen::ReverbEffectsSend), 200, 0, 0},   // CC91 reverb
    {0x00DD, static_cast<uint16_t>(Gen::ChorusEffectsSend), 200, 0, 0},   // CC93 chorus
    {0x020E, kFineTuneDest, 12700, 0x0010, 0},                            // wheel x RPN0 -> pitch
};

const ModulatorSpec kAweDefaults[] = {
    {0x0502, static_cast<uint16_t>(Gen::InitialAttenuation), 960, 0, 0},
    {0x000D, static_cast<uint16_t>(Gen::ModLfoToPitch), 50, 0, 0},
    {0x0081, static_cast<uint16_t>(Gen::ModLfoToPitch), 50, 0, 0},
    {0x0587, static_cast<uint16_t>(Gen::InitialAttenuation), 960, 0, 0},
    {0x028A, static_cast<uint16_t>(Gen::Pan), 500, 0, 0},
    {0x058B, static_cast<uint16_t>(Gen::InitialAttenuation), 960, 0, 0},
    {0x00DB, static_cast<uint16_t>(Gen::ReverbEffectsSend), 447, 0, 0},
    {0x00DD, static_cast<uint16_t>(Gen::ChorusEffectsSend), 447, 0, 0},
    {0x020E, kFineTuneDest, 12700, 0x0010, 0},
};

// The concave curve of a 7-bit source value (convex is its mirror): log10 once per value,
// at start-up, not on every note-on.
struct CurveTable {
  float concave[128];
  CurveTable() {  // [audio thread]
    for (int v = 0; v < 128; ++v) concave[v] = concaveCurve(static_cast<float>(v) / 127.0f);
  }
};
// Built when the program loads, not on first use: a function-local static would be built
// (behind a guard that can take a lock) by whichever thread asked first, the audio thread too.
const CurveTable kCurves;
const CurveTable& curves() { return kCurves; }  // [audio thread]
float concave7(int v) { return curves().concave[v & 127]; }  // [audio thread]
float convex7(int v) { return 1.0f - curves().concave[127 - (v & 127)]; }  // [audio thread]

// 7-bit value to a signed -1..1 with 64 exactly at 0: 2v/128 - 1, so every step is the same
// size and 127 gives 63/64 (SF2 8.2.1 normalises by the controller's range, 128; FluidSynth
// does the same). CC10 127 is +49.2 %, as a bank pan of 492 would be.
inline float bipolar7(int v) { return static_cast<float>(v - 64) / 64.0f; }  // [audio thread]

// The velocity-to-cutoff default in either version's form (2.04: no amount source; 2.01:
// a velocity switch as amount source, positive as FluidSynth reads it for Kingston Piano
// or negative as 2.01 prints it). A bank's modulator in any of these forms replaces it.
bool isVelocityToCutoff(const ModulatorSpec& m) {  // [audio thread]
  return m.src == kVelocitySource && m.dest == kCutoffDest && m.transform == 0 &&
         (m.amtSrc == 0 || m.amtSrc == 0x0C02 || m.amtSrc == 0x0D02);
}
bool replaces(const ModulatorSpec& a, const ModulatorSpec& b) {  // [audio thread]
  return a.sameKind(b) || (isVelocityToCutoff(a) && isVelocityToCutoff(b));
}

}  // namespace

DefaultModulators sf204DefaultModulators() { return {kSf204Defaults, std::size(kSf204Defaults)}; }  // [audio thread]
DefaultModulators aweDefaultModulators() { return {kAweDefaults, std::size(kAweDefaults)}; }  // [audio thread]

void VoiceModulators::override(const ModulatorSpec& m) noexcept {  // [audio thread]
  for (int i = 0; i < count; ++i) {
    if (replaces(mods[i], m)) {
      mods[i] = m;
      return;
    }
  }
  if (count < kMaxModulatorsPerVoice) mods[count++] = m;
}

void VoiceModulators::add(const ModulatorSpec& m) noexcept {  // [audio thread]
  for (int i = 0; i < count; ++i) {
    if (mods[i].sameKind(m)) {
      const int sum = mods[i].amount + m.amount;
      mods[i].amount = static_cast<int16_t>(sum > 32767 ? 32767 : (sum < -32768 ? -32768 : sum));
      return;
    }
  }
  if (count < kMaxModulatorsPerVoice) mods[count++] = m;
}

bool VoiceModulators::uses(bool isCC, int index) const noexcept {  // [audio thread]
  for (int i = 0; i < count; ++i) {
    for (uint16_t raw : {mods[i].src, mods[i].amtSrc}) {
      const ModSource s = ModSource::decode(raw);
      if (s.isCC == isCC && s.index == index) return true;
    }
  }
  return false;
}

float modulatorSourceValue(uint16_t rawSource, const ModulationInputs& in) noexcept {  // [audio thread]
  const ModSource s = ModSource::decode(rawSource);
  // t: bipolar position -1..1 (used when the source is bipolar); x: unipolar 0..1.
  float x = 0.0f;
  float t = 0.0f;
  int v7 = -1;  // the raw value when the source is a 7-bit one (curve tables apply)
  if (s.isCC) {
    v7 = in.cc[s.index & 0x7F];
    x = static_cast<float>(v7) / 127.0f;
    t = bipolar7(v7);
  } else {
    switch (static_cast<GeneralController>(s.index)) {
      case GeneralController::NoController:
        return 1.0f;  // SF2 8.2.1: treated as the value 1
      case GeneralController::NoteOnVelocity:
        v7 = in.velocity;
        x = static_cast<float>(in.velocity) / 127.0f;
        t = bipolar7(in.velocity);
        break;
      case GeneralController::NoteOnKey:
        v7 = in.key;
        x = static_cast<float>(in.key) / 127.0f;
        t = bipolar7(in.key);
        break;
      case GeneralController::PolyPressure: {
        const int v = in.polyPressure != nullptr ? in.polyPressure[in.key & 0x7F] : 0;
        v7 = v;
        x = static_cast<float>(v) / 127.0f;
        t = bipolar7(v);
        break;
      }
      case GeneralController::ChannelPressure:
        v7 = in.channelPressure;
        x = static_cast<float>(in.channelPressure) / 127.0f;
        t = bipolar7(in.channelPressure);
        break;
      case GeneralController::PitchWheel: {
        const int v = in.pitchWheel;
        x = static_cast<float>(v) / 16383.0f;
        t = v >= 8192 ? static_cast<float>(v - 8192) / 8191.0f : static_cast<float>(v - 8192) / 8192.0f;
        break;
      }
      case GeneralController::PitchWheelSensitivity:
        // The RPN 0 value as a 7-bit controller: 127 semitones would be full scale, so the
        // default wheel modulator (12700 cents) gives exactly the range in semitones.
        x = in.pitchWheelRange_semitones / 127.0f;
        t = 2.0f * x - 1.0f;
        break;
      default:
        return 0.0f;  // links and unknown controllers contribute nothing
    }
  }
  if (!s.bipolar) {
    if (s.negative) x = 1.0f - x;
    const int index = v7 < 0 ? -1 : (s.negative ? 127 - (v7 & 127) : (v7 & 127));
    switch (s.type) {
      case ModSourceType::Linear:
        return x;
      case ModSourceType::Concave:
        return index >= 0 ? concave7(index) : concaveCurve(x);
      case ModSourceType::Convex:
        return index >= 0 ? convex7(index) : convexCurve(x);
      case ModSourceType::Switch:
        return x >= 0.5f ? 1.0f : 0.0f;
    }
    return 0.0f;
  }
  if (s.negative) t = -t;
  const float sign = t < 0.0f ? -1.0f : 1.0f;
  const float m = std::fabs(t);
  switch (s.type) {
    case ModSourceType::Linear:
      return t;
    case ModSourceType::Concave:
      return sign * concaveCurve(m);
    case ModSourceType::Convex:
      return sign * convexCurve(m);
    case ModSourceType::Switch:
      return t >= 0.0f ? 1.0f : -1.0f;
  }
  return 0.0f;
}

void VoiceModulators::evaluate(const ModulationInputs& in, float out[kGenSlots]) const noexcept {  // [audio thread]
  for (int g = 0; g < kGenSlots; ++g) out[g] = 0.0f;
  for (int i = 0; i < count; ++i) {
    const ModulatorSpec& m = mods[i];
    if (m.dest >= kGenSlots) continue;  // links (bit 15) are not supported
    float v = static_cast<float>(m.amount) * modulatorSourceValue(m.src, in) * modulatorSourceValue(m.amtSrc, in);
    if (m.transform == 2) v = std::fabs(v);
    // RPN 5 (modulation depth range) scales what the mod wheel does to an LFO's pitch depth.
    if ((m.src & 0xFF) == 0x81 && (m.dest == kModLfoToPitchDest || m.dest == kVibLfoToPitchDest)) v *= in.modWheelDepthScale;
    out[m.dest] += v;
  }
}

}  // namespace awe
