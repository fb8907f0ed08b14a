#pragma once
// Sample-accurate playback of a loaded MidiFile inside the audio thread.
//
// Timing: the event at time t (seconds) happens at song sample llround(t × rate), whatever
// the buffer size. The song spans samples 0..L with L = lengthSamples() =
// llround(duration_s × rate); events on sample L (usually the last note-offs, at the
// end-of-track) still play, then playback stops or, looping, continues from sample 0 at
// the same output sample, so a loop lasts exactly L samples. A song shorter than
// kMinLoop_s plays once even with looping on: wrapping it many times per buffer, with a
// chase at each wrap, would swamp the audio thread.
//
// Threads: construct and load() on a control thread while no audio thread uses the
// sequencer. Everything marked [audio thread] is real-time safe (no allocation, no locks,
// no I/O, no exceptions, loops bounded by the event count) and must be called from one
// thread at a time: the engine routes transport commands to the audio thread.
//
// Chasing: a seek (and a loop wrap, and load) first releases the song's channels
// (CC123 all notes off, CC121 reset controllers), then replays the sysex messages before
// the target in order, then sends each song channel's state at the target: bank select,
// program, controllers, RPN/NRPN values (re-selected, then the selection at the target
// restored), pitch bend, channel pressure. Notes are never chased. Program, bank select,
// volume (CC7), pan (CC10) and RPNs 0–2 that the song sets only after the target get
// their General MIDI defaults, as CC121 does not reset them. A GM/GM2/GS/XG reset sysex
// before the target clears what came before it. Not chased: data increment/decrement
// (CC96/97), and RPN/NRPN numbers beyond kMaxChasedParams per channel.
// pause() sends sustain off and all notes off on the song's channels; play() after a pause
// re-sends the channel state at the position (sustain included), without resetting.
#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "emu8000/MidiMessage.h"
#include "engine/MidiFile.h"

namespace awe {

// One message for the synth, at a frame offset within the block being processed.
struct SequencerMessage {
  MidiMessage midi;                  // decoded once, here (emu8000/MidiMessage.h)
  size_t offset = 0;                 // frames from the start of the block
  const MidiEvent* event = nullptr;  // the file's event; null for chase and release messages
};

class Sequencer {
 public:
  static constexpr int kMaxChasedParams = 32;  // RPN/NRPN numbers remembered per channel
  static constexpr double kMinLoop_s = 0.01;    // shorter songs do not loop

  // [control thread] Throws std::invalid_argument unless the rate is positive and finite.
  explicit Sequencer(double sampleRate);

  // [control thread, while no audio thread uses this sequencer] Takes the song, places
  // each event on its sample, rewinds to 0, paused; the first block resets the song's
  // channels (see Chasing). A null file unloads.
  void load(std::shared_ptr<const MidiFile> file);
  const MidiFile* file() const noexcept { return file_.get(); }  // [audio thread]
  double sampleRate() const noexcept { return sampleRate_; }  // [audio thread]
  // The sample of each event of file()->events(), same order (non-decreasing).
  const std::vector<uint64_t>& eventSamples() const noexcept { return eventSamples_; }

  // [audio thread] Transport. play() after the end starts again from 0.
  void play() noexcept;
  void pause() noexcept;
  void seekSamples(uint64_t position) noexcept;  // clamped to lengthSamples()
  void seekSeconds(double position_s) noexcept;
  void setLoop(bool loop) noexcept { loop_ = loop; }
  bool loop() const noexcept { return loop_; }
  uint64_t positionSamples() const noexcept { return position_; }  // the next sample to play
  double positionSeconds() const noexcept { return static_cast<double>(position_) / sampleRate_; }
  uint64_t lengthSamples() const noexcept { return length_; }
  // [audio thread] Playback speed: each output sample advances the song by `scale` song
  // samples (2 = twice as fast, the song lasts half as long). Positions and lengths stay
  // in song samples; events keep their order and land on the output sample their song
  // sample maps to. Clamped to [kMinTempoScale, kMaxTempoScale]; 1 is the exact path.
  static constexpr double kMinTempoScale = 0.25;
  static constexpr double kMaxTempoScale = 4.0;
  void setTempoScale(double scale) noexcept;
  // [any thread] The scale setTempoScale takes for `scale` (<= 0 or NaN: 1).
  static double clampTempoScale(double scale) noexcept;
  double tempoScale() const noexcept { return tempoScale_; }
  bool finished() const noexcept { return finished_; }
  bool playing() const noexcept { return playing_; }

  // [any thread; pure] The scheduling core: calls onEvent(size_t offset, const MidiEvent&)
  // for every event whose sample s lies in [blockStart, blockStart + frames), in order,
  // with offset = s - blockStart. Touches no state.
  template <class F>
  void forEachEventInBlock(uint64_t blockStart, size_t frames, F&& onEvent) const {
    if (!file_) return;
    const uint64_t blockEnd = blockStart + std::min<uint64_t>(frames, UINT64_MAX - blockStart);
    auto it = std::lower_bound(eventSamples_.begin(), eventSamples_.end(), blockStart);
    for (; it != eventSamples_.end() && *it < blockEnd; ++it) {
      const auto index = static_cast<size_t>(it - eventSamples_.begin());
      onEvent(static_cast<size_t>(*it - blockStart), file_->events()[index]);
    }
  }

  // [audio thread] Advances the song by `frames` output samples (when playing) and calls
  // onMessage(const SequencerMessage&) for every message due in them, in offset order:
  // pending release/chase messages first at offset 0, then the file's events, with a
  // loop wrap's chase at the wrap's offset. onMessage must not throw.
  template <class F>
  void process(size_t frames, F&& onMessage) noexcept {
    using Callback = std::remove_reference_t<F>;
    processWith(frames, [](void* context, const SequencerMessage& message) { (*static_cast<Callback*>(context))(message); },
                const_cast<void*>(static_cast<const void*>(&onMessage)));
  }

 private:
  using Sink = void (*)(void* context, const SequencerMessage& message);
  enum class Chase : uint8_t { None, Resume, Seek };

  struct ParamValue {
    uint16_t number = 0;  // 14-bit parameter number
    bool nrpn = false;
    int8_t msb = -1;      // -1: not set
    int8_t lsb = -1;
  };
  struct ChannelState {
    std::array<int8_t, 128> controller;  // -1: not set before the target
    int8_t program = -1;
    int16_t pitchBend = -1;
    int8_t pressure = -1;
    int8_t rpnMsb = -1, rpnLsb = -1, nrpnMsb = -1, nrpnLsb = -1;  // parameter selection
    bool nrpnSelected = false;  // the last selection was an NRPN
    int paramCount = 0;
    std::array<ParamValue, kMaxChasedParams> params;
    void clear() noexcept;
  };

  void processWith(size_t frames, Sink sink, void* context) noexcept;
  void advance(size_t songFrames, Sink sink, void* context) noexcept;
  void emitPending(Sink sink, void* context) noexcept;
  void emitRelease(size_t offset, Sink sink, void* context) const noexcept;
  void emitChase(Chase mode, uint64_t target, size_t offset, Sink sink, void* context) noexcept;
  void emitChannelState(int channel, bool withDefaults, size_t offset, Sink sink, void* context) const noexcept;
  void dispatchEvents(uint64_t blockStart, size_t frames, size_t offsetBase, Sink sink, void* context) const noexcept;
  void scanChase(uint64_t target) noexcept;
  static void trackController(ChannelState& state, uint8_t controller, uint8_t value) noexcept;

  double sampleRate_;
  uint64_t minLoopSamples_ = 1;
  std::shared_ptr<const MidiFile> file_;
  std::vector<uint64_t> eventSamples_;
  uint64_t length_ = 0;

  // What the song touches anywhere, found at load: which channels it uses, and which
  // programs/controllers/RPNs 0–2 it sets (so a seek knows what needs a default).
  uint16_t songChannels_ = 0;
  uint16_t programUsed_ = 0;
  std::array<std::bitset<128>, 16> controllerUsed_{};
  std::array<uint8_t, 16> defaultRpnUsed_{};  // bit n: RPN n (0..2) set somewhere

  // Transport state (audio thread).
  uint64_t position_ = 0;
  bool playing_ = false;
  bool finished_ = false;
  bool loop_ = false;
  bool releasePending_ = false;
  Chase chasePending_ = Chase::None;
  double tempoScale_ = 1.0;
  double tempoCarry_ = 0.0;  // the fraction of a song sample not yet played at tempoScale_

  // Scratch for chasing, sized once.
  std::array<ChannelState, 16> chase_{};
};

}  // namespace awe
