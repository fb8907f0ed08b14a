#include "engine/Sequencer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace awe {

namespace {

using Sink = void (*)(void* context, const SequencerMessage& message);

constexpr uint8_t kBankSelectMsb = 0;
constexpr uint8_t kDataEntryMsb = 6;
constexpr uint8_t kVolume = 7;
constexpr uint8_t kPan = 10;
constexpr uint8_t kBankSelectLsb = 32;
constexpr uint8_t kDataEntryLsb = 38;
constexpr uint8_t kSustain = 64;
constexpr uint8_t kDataIncrement = 96;
constexpr uint8_t kNrpnLsb = 98;
constexpr uint8_t kNrpnMsb = 99;
constexpr uint8_t kRpnLsb = 100;
constexpr uint8_t kRpnMsb = 101;
constexpr uint8_t kResetAllControllers = 121;
constexpr uint8_t kAllNotesOff = 123;
constexpr uint8_t kFirstModeMessage = 120;

// Controllers kept as plain values when chasing: not bank select (sent before the program),
// not the RPN/NRPN machinery (chased as parameter values), not data increment/decrement,
// not channel mode messages.
bool isPlainController(uint8_t controller) noexcept {  // [audio thread]
  return controller != kBankSelectMsb && controller != kBankSelectLsb && controller != kDataEntryMsb &&
         controller != kDataEntryLsb && !(controller >= kDataIncrement && controller <= kRpnMsb) &&
         controller < kFirstModeMessage;
}

// General MIDI defaults of what CC121 leaves alone.
int controllerDefault(uint8_t controller) noexcept {  // [audio thread]
  switch (controller) {
    case kVolume:
      return 100;
    case kPan:
      return 64;
    default:
      return 0;
  }
}
bool needsDefault(uint8_t controller) noexcept {  // [audio thread]
  return controller == kBankSelectMsb || controller == kBankSelectLsb || controller == kVolume || controller == kPan;
}
// RPN 0 pitch-bend range 2 semitones, RPN 1 fine tuning centre, RPN 2 coarse tuning centre.
constexpr uint8_t kDefaultRpnMsb[3] = {2, 64, 64};

// Universal GM on/off/GM2 on, Roland GS reset, Yamaha XG system on: each resets every channel.
bool isResetSysex(const uint8_t* data, size_t length) noexcept {  // [audio thread]
  if (length == 6 && data[1] == 0x7E && data[3] == 0x09 && (data[4] == 0x01 || data[4] == 0x03)) return true;
  if (length == 11 && data[1] == 0x41 && data[3] == 0x42 && data[4] == 0x12 && data[5] == 0x40 && data[6] == 0x00 &&
      data[7] == 0x7F) {
    return true;
  }
  return length == 9 && data[1] == 0x43 && (data[2] & 0xF0) == 0x10 && data[3] == 0x4C && data[4] == 0x00 &&
         data[5] == 0x00 && data[6] == 0x7E;
}

void send(Sink sink, void* context, size_t offset, uint8_t status, uint8_t data1, uint8_t data2) noexcept;

// A file can put events absurdly late (2^28-tick deltas at 16 s per quarter note): such
// positions are held at 2^53 samples (thousands of years) so no sum can overflow.
constexpr double kMaxSongSamples = 9007199254740992.0;
uint64_t toSample(double samples) noexcept {
  return static_cast<uint64_t>(std::llround(std::min(samples, kMaxSongSamples)));
}

}  // namespace

void Sequencer::ChannelState::clear() noexcept {  // [audio thread]
  controller.fill(-1);
  program = -1;
  pitchBend = -1;
  pressure = -1;
  rpnMsb = rpnLsb = nrpnMsb = nrpnLsb = -1;
  nrpnSelected = false;
  paramCount = 0;
}

Sequencer::Sequencer(double sampleRate) : sampleRate_(sampleRate) {
  if (!(sampleRate > 0.0) || !std::isfinite(sampleRate)) {
    throw std::invalid_argument("Sequencer: sample rate must be positive and finite");
  }
  minLoopSamples_ = std::max<uint64_t>(1, toSample(kMinLoop_s * sampleRate));
}

void Sequencer::load(std::shared_ptr<const MidiFile> file) {
  std::vector<uint64_t> samples;
  uint64_t length = 0;
  uint16_t songChannels = 0;
  uint16_t programUsed = 0;
  std::array<std::bitset<128>, 16> controllerUsed{};
  std::array<uint8_t, 16> defaultRpnUsed{};

  if (file) {
    samples.reserve(file->events().size());
    std::array<ChannelState, 16> selection{};  // only the RPN selection is used here
    for (ChannelState& state : selection) state.clear();
    for (const MidiEvent& event : file->events()) {
      samples.push_back(toSample(event.time_s * sampleRate_));
      if (event.isSysex()) continue;
      const int channel = event.channel();
      songChannels = static_cast<uint16_t>(songChannels | (1u << channel));
      if (event.type() == 0xC0) programUsed = static_cast<uint16_t>(programUsed | (1u << channel));
      if (event.type() != 0xB0) continue;
      controllerUsed[static_cast<size_t>(channel)].set(event.data1);
      ChannelState& state = selection[static_cast<size_t>(channel)];
      trackController(state, event.data1, event.data2);
      if ((event.data1 == kDataEntryMsb || event.data1 == kDataEntryLsb) && !state.nrpnSelected && state.rpnMsb == 0 &&
          state.rpnLsb >= 0 && state.rpnLsb <= 2) {
        defaultRpnUsed[static_cast<size_t>(channel)] |= static_cast<uint8_t>(1u << state.rpnLsb);
      }
    }
    length = toSample(file->duration_s() * sampleRate_);
    if (!samples.empty()) length = std::max(length, samples.back());
  }

  file_ = std::move(file);
  eventSamples_ = std::move(samples);
  length_ = length;
  songChannels_ = songChannels;
  programUsed_ = programUsed;
  controllerUsed_ = controllerUsed;
  defaultRpnUsed_ = defaultRpnUsed;
  position_ = 0;
  playing_ = false;
  finished_ = false;
  releasePending_ = false;
  chasePending_ = file_ ? Chase::Seek : Chase::None;
}

void Sequencer::play() noexcept {  // [audio thread]
  if (!file_ || playing_) return;
  if (finished_) seekSamples(0);
  // After a pause the release turned sustain off: give the channels their state back.
  if (chasePending_ == Chase::None && position_ > 0) chasePending_ = Chase::Resume;
  playing_ = true;
}

void Sequencer::pause() noexcept {  // [audio thread]
  if (!playing_) return;
  playing_ = false;
  releasePending_ = true;
}

void Sequencer::seekSamples(uint64_t position) noexcept {  // [audio thread]
  if (!file_) return;
  position_ = std::min(position, length_);
  finished_ = false;
  chasePending_ = Chase::Seek;
}

void Sequencer::seekSeconds(double position_s) noexcept {  // [audio thread]
  if (!(position_s > 0.0)) {  // also NaN
    seekSamples(0);
  } else if (position_s * sampleRate_ >= static_cast<double>(length_)) {
    seekSamples(length_);
  } else {
    seekSamples(static_cast<uint64_t>(std::llround(position_s * sampleRate_)));
  }
}

double Sequencer::clampTempoScale(double scale) noexcept {  // [audio thread]
  return scale > 0.0 ? std::clamp(scale, kMinTempoScale, kMaxTempoScale) : 1.0;  // NaN too: 1
}

void Sequencer::setTempoScale(double scale) noexcept {  // [audio thread]
  tempoScale_ = clampTempoScale(scale);
  tempoCarry_ = 0.0;
}

void Sequencer::processWith(size_t frames, Sink sink, void* context) noexcept {  // [audio thread]
  emitPending(sink, context);
  if (!playing_) return;
  if (tempoScale_ == 1.0) {
    advance(frames, sink, context);
    return;
  }
  // Another tempo: play the song samples these output frames cover, each message moved
  // from its song offset to the output offset it maps to (monotonic, so order is kept).
  const double songSpan = static_cast<double>(frames) * tempoScale_ + tempoCarry_;
  const auto songFrames = static_cast<size_t>(songSpan);
  tempoCarry_ = songSpan - static_cast<double>(songFrames);
  struct Scaled {
    Sink sink;
    void* context;
    double scale;
    size_t lastOffset;
  } scaled{sink, context, tempoScale_, frames == 0 ? 0 : frames - 1};
  advance(
      songFrames,
      [](void* c, const SequencerMessage& message) {
        const auto* s = static_cast<const Scaled*>(c);
        SequencerMessage moved = message;
        moved.offset = std::min(s->lastOffset, static_cast<size_t>(static_cast<double>(message.offset) / s->scale));
        s->sink(s->context, moved);
      },
      &scaled);
}

void Sequencer::advance(size_t frames, Sink sink, void* context) noexcept {  // [audio thread]
  size_t done = 0;
  while (done < frames) {
    const size_t remaining = frames - done;
    if (length_ >= position_ + remaining) {  // the end sample is not in this piece
      dispatchEvents(position_, remaining, done, sink, context);
      position_ += remaining;
      return;
    }
    // The end sample L lies in this piece: its events play, then stop or wrap right there.
    const auto toEnd = static_cast<size_t>(length_ - position_);
    dispatchEvents(position_, toEnd + 1, done, sink, context);
    done += toEnd;
    position_ = length_;
    if (!loop_ || length_ < minLoopSamples_) {
      playing_ = false;
      finished_ = true;
      return;
    }
    position_ = 0;
    emitChase(Chase::Seek, 0, done, sink, context);
  }
}

void Sequencer::dispatchEvents(uint64_t blockStart, size_t frames, size_t offsetBase, Sink sink,  // [audio thread]
                               void* context) const noexcept {
  const std::vector<uint8_t>& sysexData = file_->sysexData();
  forEachEventInBlock(blockStart, frames, [&](size_t offset, const MidiEvent& event) {
    SequencerMessage message;
    message.midi = event.isSysex() ? MidiMessage::sysexMessage(sysexData.data() + event.sysexOffset, event.sysexLength)
                                   : MidiMessage::channelMessage(event.status, event.data1, event.data2);
    message.offset = offsetBase + offset;
    message.event = &event;
    sink(context, message);
  });
}

void Sequencer::emitPending(Sink sink, void* context) noexcept {  // [audio thread]
  if (releasePending_) {
    emitRelease(0, sink, context);
    releasePending_ = false;
  }
  if (chasePending_ != Chase::None && file_) emitChase(chasePending_, position_, 0, sink, context);
  chasePending_ = Chase::None;
}

void Sequencer::emitRelease(size_t offset, Sink sink, void* context) const noexcept {  // [audio thread]
  for (int channel = 0; channel < 16; ++channel) {
    if ((songChannels_ & (1u << channel)) == 0) continue;
    const auto status = static_cast<uint8_t>(0xB0 | channel);
    send(sink, context, offset, status, kSustain, 0);
    send(sink, context, offset, status, kAllNotesOff, 0);
  }
}

void Sequencer::trackController(ChannelState& state, uint8_t controller, uint8_t value) noexcept {  // [audio thread]
  const auto data = static_cast<int8_t>(value);
  switch (controller) {
    case kRpnMsb:
      state.rpnMsb = data;
      state.nrpnSelected = false;
      return;
    case kRpnLsb:
      state.rpnLsb = data;
      state.nrpnSelected = false;
      return;
    case kNrpnMsb:
      state.nrpnMsb = data;
      state.nrpnSelected = true;
      return;
    case kNrpnLsb:
      state.nrpnLsb = data;
      state.nrpnSelected = true;
      return;
    case kDataEntryMsb:
    case kDataEntryLsb: {
      const int8_t msb = state.nrpnSelected ? state.nrpnMsb : state.rpnMsb;
      const int8_t lsb = state.nrpnSelected ? state.nrpnLsb : state.rpnLsb;
      if (msb < 0 || lsb < 0 || (msb == 127 && lsb == 127)) return;  // nothing selected (or the null number)
      const auto number = static_cast<uint16_t>((msb << 7) | lsb);
      int index = 0;
      while (index < state.paramCount &&
             !(state.params[static_cast<size_t>(index)].number == number &&
               state.params[static_cast<size_t>(index)].nrpn == state.nrpnSelected)) {
        ++index;
      }
      if (index == state.paramCount) {
        if (state.paramCount == kMaxChasedParams) return;  // table full: not chased (documented)
        state.params[static_cast<size_t>(index)] = ParamValue{number, state.nrpnSelected, -1, -1};
        ++state.paramCount;
      }
      ParamValue& param = state.params[static_cast<size_t>(index)];
      (controller == kDataEntryMsb ? param.msb : param.lsb) = data;
      return;
    }
    default:
      if (isPlainController(controller) || controller == kBankSelectMsb || controller == kBankSelectLsb) {
        state.controller[controller] = data;
      }
      return;
  }
}

void Sequencer::scanChase(uint64_t target) noexcept {  // [audio thread]
  for (ChannelState& state : chase_) state.clear();
  const auto end = std::lower_bound(eventSamples_.begin(), eventSamples_.end(), target);
  const auto count = static_cast<size_t>(end - eventSamples_.begin());
  const std::vector<MidiEvent>& events = file_->events();
  const uint8_t* sysexData = file_->sysexData().data();
  for (size_t i = 0; i < count; ++i) {
    const MidiEvent& event = events[i];
    if (event.isSysex()) {
      if (isResetSysex(sysexData + event.sysexOffset, event.sysexLength)) {
        for (ChannelState& state : chase_) state.clear();
      }
      continue;
    }
    ChannelState& state = chase_[event.channel()];
    switch (event.type()) {
      case 0xB0:
        trackController(state, event.data1, event.data2);
        break;
      case 0xC0:
        state.program = static_cast<int8_t>(event.data1);
        break;
      case 0xD0:
        state.pressure = static_cast<int8_t>(event.data1);
        break;
      case 0xE0:
        state.pitchBend = static_cast<int16_t>(event.data1 | (event.data2 << 7));
        break;
      default:
        break;  // notes and key pressure are not chased
    }
  }
}

// [audio thread]
void Sequencer::emitChase(Chase mode, uint64_t target, size_t offset, Sink sink, void* context) noexcept {
  scanChase(target);
  const bool seek = mode == Chase::Seek;
  if (seek) {
    for (int channel = 0; channel < 16; ++channel) {
      if ((songChannels_ & (1u << channel)) == 0) continue;
      const auto status = static_cast<uint8_t>(0xB0 | channel);
      send(sink, context, offset, status, kAllNotesOff, 0);
      send(sink, context, offset, status, kResetAllControllers, 0);
    }
    // Sysex before the target, in order (a reset among them already cleared the tables).
    const auto end = std::lower_bound(eventSamples_.begin(), eventSamples_.end(), target);
    const auto count = static_cast<size_t>(end - eventSamples_.begin());
    for (size_t i = 0; i < count; ++i) {
      const MidiEvent& event = file_->events()[i];
      if (!event.isSysex()) continue;
      SequencerMessage message;
      message.midi = MidiMessage::sysexMessage(file_->sysexData().data() + event.sysexOffset, event.sysexLength);
      message.offset = offset;
      sink(context, message);
    }
  }
  for (int channel = 0; channel < 16; ++channel) {
    if ((songChannels_ & (1u << channel)) != 0) emitChannelState(channel, seek, offset, sink, context);
  }
}

void Sequencer::emitChannelState(int channel, bool withDefaults, size_t offset, Sink sink,  // [audio thread]
                                 void* context) const noexcept {
  const ChannelState& state = chase_[static_cast<size_t>(channel)];
  const std::bitset<128>& used = controllerUsed_[static_cast<size_t>(channel)];
  const auto control = static_cast<uint8_t>(0xB0 | channel);
  auto sendController = [&](uint8_t controller) {
    const int8_t value = state.controller[controller];
    if (value >= 0) {
      send(sink, context, offset, control, controller, static_cast<uint8_t>(value));
    } else if (withDefaults && used.test(controller) && needsDefault(controller)) {
      send(sink, context, offset, control, controller, static_cast<uint8_t>(controllerDefault(controller)));
    }
  };

  sendController(kBankSelectMsb);
  sendController(kBankSelectLsb);
  if (state.program >= 0) {
    send(sink, context, offset, static_cast<uint8_t>(0xC0 | channel), static_cast<uint8_t>(state.program), 0);
  } else if (withDefaults && (programUsed_ & (1u << channel)) != 0) {
    send(sink, context, offset, static_cast<uint8_t>(0xC0 | channel), 0, 0);
  }
  for (int controller = 0; controller < 128; ++controller) {
    if (isPlainController(static_cast<uint8_t>(controller))) sendController(static_cast<uint8_t>(controller));
  }

  bool rpnSent[3] = {false, false, false};
  for (int i = 0; i < state.paramCount; ++i) {
    const ParamValue& param = state.params[static_cast<size_t>(i)];
    const auto msb = static_cast<uint8_t>(param.number >> 7);
    const auto lsb = static_cast<uint8_t>(param.number & 0x7F);
    send(sink, context, offset, control, param.nrpn ? kNrpnMsb : kRpnMsb, msb);
    send(sink, context, offset, control, param.nrpn ? kNrpnLsb : kRpnLsb, lsb);
    if (param.msb >= 0) send(sink, context, offset, control, kDataEntryMsb, static_cast<uint8_t>(param.msb));
    if (param.lsb >= 0) send(sink, context, offset, control, kDataEntryLsb, static_cast<uint8_t>(param.lsb));
    if (!param.nrpn && param.number <= 2) rpnSent[param.number] = true;
  }
  bool selectionChanged = state.paramCount > 0;
  if (withDefaults) {
    for (uint8_t rpn = 0; rpn < 3; ++rpn) {
      if (rpnSent[rpn] || (defaultRpnUsed_[static_cast<size_t>(channel)] & (1u << rpn)) == 0) continue;
      send(sink, context, offset, control, kRpnMsb, 0);
      send(sink, context, offset, control, kRpnLsb, rpn);
      send(sink, context, offset, control, kDataEntryMsb, kDefaultRpnMsb[rpn]);
      send(sink, context, offset, control, kDataEntryLsb, 0);
      selectionChanged = true;
    }
  }
  if (selectionChanged) {  // put back the selection the song had at the target (127: none)
    const auto selected = [](int8_t value) { return static_cast<uint8_t>(value >= 0 ? value : 127); };
    if (state.nrpnSelected) {
      send(sink, context, offset, control, kNrpnMsb, selected(state.nrpnMsb));
      send(sink, context, offset, control, kNrpnLsb, selected(state.nrpnLsb));
    } else {
      send(sink, context, offset, control, kRpnMsb, selected(state.rpnMsb));
      send(sink, context, offset, control, kRpnLsb, selected(state.rpnLsb));
    }
  }

  if (state.pitchBend >= 0) {
    send(sink, context, offset, static_cast<uint8_t>(0xE0 | channel), static_cast<uint8_t>(state.pitchBend & 0x7F),
         static_cast<uint8_t>(state.pitchBend >> 7));
  }
  if (state.pressure >= 0) {
    send(sink, context, offset, static_cast<uint8_t>(0xD0 | channel), static_cast<uint8_t>(state.pressure), 0);
  }
}

namespace {

// [audio thread]
void send(Sink sink, void* context, size_t offset, uint8_t status, uint8_t data1, uint8_t data2) noexcept {
  SequencerMessage message;
  message.midi = MidiMessage::channelMessage(status, data1, data2);
  message.offset = offset;
  sink(context, message);
}

}  // namespace

}  // namespace awe
