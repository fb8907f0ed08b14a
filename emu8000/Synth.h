#pragma once
// The EMU8000-style synthesizer: MIDI in, stereo float out.
//
// Threads: construct, setBank() and configure on a control thread while nothing renders.
// Everything tagged [audio thread] is real-time safe: no allocation, no locks, no I/O,
// no exceptions, bounded loops. Only one thread may call those at a time.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "emu8000/Bank.h"
#include "emu8000/Config.h"
#include "emu8000/Effects.h"
#include "emu8000/MidiMessage.h"
#include "emu8000/Personality.h"

namespace awe {

enum class Interpolation : uint8_t { None = 0, Linear = 1, Cubic = 2 };

struct SynthSettings {
  Personality personality = Personality::Awe;  // see emu8000/Personality.h
  AttenuationReading attenuation = AttenuationReading::Hardware;  // x0.4, or literal
  double sampleRate = kDefaultSampleRate;
  int polyphony = kDefaultPolyphony;       // voices allocated at construction
  Interpolation interpolation = Interpolation::Cubic;
  bool filterEnabled = true;
  bool effectsEnabled = true;
  ReverbType reverb = kDefaultReverbType;  // Hall 1, as the AWE control panel sets it
  ChorusType chorus = kDefaultChorusType;  // Chorus 1
  // Linear gain on the stereo mix. -10 dB: General MIDI songs on full banks (FluidR3_GM,
  // TimGM6mb) then peak between about -30 and -2 dBFS.
  float masterGain = 0.31622777f;
};

// What one voice slot is doing, for the dashboard's voice map.
enum class VoiceStage : uint8_t { Free, Delay, Attack, Hold, Decay, Sustain, Release, Finished };
struct VoiceInfo {
  VoiceStage stage = VoiceStage::Free;
  uint8_t channel = 0;
  uint8_t key = 0;
  uint8_t velocity = 0;
  float level = 0.0f;      // current envelope amplitude, 0..1
  bool stolen = false;     // this slot's previous note was stolen for the current one
};

// What each channel sounds right now, for level meters and keyboards.
struct ChannelSounding {
  // Sum of the channel's voice gains (envelope x attenuation x master gain, 1 = a
  // full-scale sample at full scale; before pan, filter and effects): a level that follows
  // volume, expression, velocity and envelopes, at the cost of one add per voice.
  float amplitude[kMidiChannels] = {};
  uint64_t heldKeys[kMidiChannels][2] = {};       // bit k: key k is down (or held by the pedal)
  uint64_t releasingKeys[kMidiChannels][2] = {};  // bit k: key k was let go and still sounds
};

// Counters the synth keeps about itself; read them on the audio thread or after it stops.
struct SynthCounters {
  uint64_t notesOn = 0;
  uint64_t voicesStarted = 0;
  uint64_t steals = 0;
  uint64_t notesDropped = 0;   // a note-on that found no region or no voice
};

class SynthImpl;
class SpanRecorder;

// Renders the synth's voice chunks on several threads; the engine's VoiceWorkers implement
// it (the synth itself starts no thread). The synth calls run() once per render span
// (kRenderSpanFrames) that has more than one chunk (kVoicesPerChunk voices each).
class RenderFanOut {
 public:
  using Task = void (*)(void* context, int task, int thread) noexcept;
  // [audio thread] Runs task(context, t, thread) once for every t in 0..tasks-1, on the
  // calling thread (thread 0) and on the workers (1..threads()-1), and returns when all
  // are done. What the caller wrote before the call is visible to every task, and what
  // the tasks wrote is visible to the caller after it.
  virtual void run(int tasks, Task task, void* context) noexcept = 0;
  // [any thread] Render threads, the caller included: 1..kMaxRenderThreads.
  virtual int threads() const noexcept = 0;

 protected:
  ~RenderFanOut() = default;
};

class Synth {
 public:
  explicit Synth(const SynthSettings& settings = {});  // [control thread] allocates everything
  ~Synth();
  Synth(const Synth&) = delete;
  Synth& operator=(const Synth&) = delete;

  // [control thread, not while rendering] Keeps the bank alive; resets all voices.
  void setBank(std::shared_ptr<const Bank> bank);
  // [audio thread] Switches to a bank the caller keeps alive; stops all voices of the old
  // one at once. Returns the previous bank so the caller can free it elsewhere.
  const Bank* exchangeBank(const Bank* bank) noexcept;
  const Bank* bank() const noexcept;

  const SynthSettings& settings() const noexcept;

  // [audio thread] MIDI input: routes one decoded message (emu8000/MidiMessage.h) to the
  // functions below.
  void handle(const MidiMessage& message) noexcept;
  // A channel message as raw bytes (status 0x80..0xEF), decoded into a MidiMessage.
  void midiMessage(uint8_t status, uint8_t data1, uint8_t data2) noexcept;
  void noteOn(int channel, int key, int velocity) noexcept;
  void noteOff(int channel, int key) noexcept;
  void controlChange(int channel, int controller, int value) noexcept;
  void programChange(int channel, int program) noexcept;
  void pitchBend(int channel, int value14) noexcept;  // 0..16383, 8192 = centre
  void channelPressure(int channel, int value) noexcept;
  void polyPressure(int channel, int key, int value) noexcept;
  // System exclusive, F0 ... F7 included. Understands GM on/off, GS and XG reset, and the
  // GS reverb and chorus macros (the AWE32's eight types each, in the same order).
  void sysex(const uint8_t* data, size_t length) noexcept;
  void allNotesOff() noexcept;   // release every voice (sustain ignored)
  void allSoundOff() noexcept;   // fast fade of every voice
  void resetAllChannels() noexcept;  // GM reset: controllers, programs, RPNs

  // [audio thread] Notes started from now on play in this personality.
  void setPersonality(Personality personality) noexcept;
  Personality personality() const noexcept;

  // [audio thread] Effect types (also set by GS reverb/chorus macro sysex and the AWE32
  // NRPN extension, see README). Switching glides without clicks.
  void setReverbType(ReverbType type) noexcept;
  void setChorusType(ChorusType type) noexcept;
  ReverbType reverbType() const noexcept;
  ChorusType chorusType() const noexcept;
  // [audio thread] How much of the voices' reverb and chorus sends reach the units, 0..1
  // (1, the default, is what the song and bank ask for): the player's effect levels.
  void setEffectLevels(float reverbLevel, float chorusLevel) noexcept;
  float reverbLevel() const noexcept;
  float chorusLevel() const noexcept;

  // [audio thread] Quality hooks, safe while playing.
  void setInterpolation(Interpolation mode) noexcept;
  void setFilterEnabled(bool enabled) noexcept;
  void setEffectsEnabled(bool enabled) noexcept;
  void setPolyphonyLimit(int voices) noexcept;  // <= constructed polyphony
  int polyphonyLimit() const noexcept;

  // [audio thread] Renders `frames` stereo samples, overwriting the outputs.
  void render(float* left, float* right, size_t frames) noexcept;
  // [control thread, not while rendering] From now on render() hands its voice chunks to
  // `fanOut` (kept alive by the caller); null renders them all on the calling thread.
  // Allocates each render thread's scratch. The output is the same to the bit either way.
  void setRenderFanOut(RenderFanOut* fanOut);

  // [audio thread] Stage spans (emu8000/StageSpans.h): from now on the synth records its
  // stages into `recorder` (kept by the caller); null switches them off. With spans
  // compiled out (AWE_PROFILE_SPANS=0) nothing is recorded and spanRecorder() is null.
  void setSpanRecorder(SpanRecorder* recorder) noexcept;
  SpanRecorder* spanRecorder() const noexcept;

  // [audio thread] State for monitors and tests.
  int activeVoices() const noexcept;
  // Reverb and chorus hold nothing (state exactly zero): no tail can follow.
  bool effectsIdle() const noexcept;
  // Nothing can sound: no voice, no quality-switch fade running, effects idle. Until a
  // message starts a voice, render() writes exact zeros (+0.0f) and changes no state.
  bool silent() const noexcept;
  const SynthCounters& counters() const noexcept;
  int voiceCount() const noexcept;  // constructed polyphony
  // By oscillator slot; a free slot (every slot while activeVoices() is 0) reads VoiceInfo{}.
  VoiceInfo voiceInfo(int index) const noexcept;
  // Whether render calls gather the channels' keys and levels at their end, group by group
  // while the voices are in cache, on the thread that renders them (off at the start).
  void gatherChannelSounding(bool on) noexcept;
  // What the last render call that gathered saw at its end; with no voice, all zeros.
  void channelSounding(ChannelSounding& out) const noexcept;
  int channelProgram(int channel) const noexcept;
  int channelBank(int channel) const noexcept;
  int channelController(int channel, int controller) const noexcept;  // CC value as last set (0..127)

 private:
  std::unique_ptr<SynthImpl> impl_;
};

}  // namespace awe
