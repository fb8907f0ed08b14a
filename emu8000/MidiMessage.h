#pragma once
// One MIDI message in the one form every part of awe passes around: decoded once, where
// the bytes come in (a song's event in the sequencer, a live event's bytes in the engine),
// and routed in one place (Synth::handle). The raw bytes stay alongside for whoever shows
// or logs them.
#include <cstddef>
#include <cstdint>

namespace awe {

enum class MidiKind : uint8_t {
  None = 0,         // nothing the synth acts on (system common/real-time, an empty message)
  NoteOff,          // 0x8n, and 0x9n with velocity 0
  NoteOn,           // 0x9n with velocity > 0
  PolyPressure,     // 0xAn
  ControlChange,    // 0xBn
  ProgramChange,    // 0xCn
  ChannelPressure,  // 0xDn
  PitchBend,        // 0xEn
  Sysex,            // F0 ... F7, in sysex/sysexLength
};

struct MidiMessage {
  MidiKind kind = MidiKind::None;
  uint8_t channel = 0;               // 0..15 for channel messages
  uint8_t status = 0;                // the status byte as received: 0x80..0xEF, 0xF0 for sysex
  uint8_t data1 = 0;                 // 0..127
  uint8_t data2 = 0;                 // 0..127
  const uint8_t* sysex = nullptr;    // Sysex: F0 ... F7 (not owned)
  size_t sysexLength = 0;

  // [any thread] A channel message from its status and data bytes (data masked to 7 bits).
  static constexpr MidiMessage channelMessage(uint8_t status, uint8_t data1, uint8_t data2) noexcept {
    MidiMessage m;
    m.status = status;
    m.channel = static_cast<uint8_t>(status & 0x0F);
    m.data1 = static_cast<uint8_t>(data1 & 0x7F);
    m.data2 = static_cast<uint8_t>(data2 & 0x7F);
    switch (status & 0xF0) {
      case 0x80: m.kind = MidiKind::NoteOff; break;
      case 0x90: m.kind = m.data2 == 0 ? MidiKind::NoteOff : MidiKind::NoteOn; break;
      case 0xA0: m.kind = MidiKind::PolyPressure; break;
      case 0xB0: m.kind = MidiKind::ControlChange; break;
      case 0xC0: m.kind = MidiKind::ProgramChange; break;
      case 0xD0: m.kind = MidiKind::ChannelPressure; break;
      case 0xE0: m.kind = MidiKind::PitchBend; break;
      default: m.kind = MidiKind::None; break;
    }
    return m;
  }
  // [any thread] A system exclusive message, F0 ... F7 included (the bytes stay the caller's).
  static constexpr MidiMessage sysexMessage(const uint8_t* data, size_t length) noexcept {
    MidiMessage m;
    m.kind = MidiKind::Sysex;
    m.status = 0xF0;
    m.sysex = data;
    m.sysexLength = length;
    return m;
  }
  // [any thread] Whatever `size` bytes hold, status byte first (a live event): a sysex when
  // it starts with F0, else a channel message with missing data bytes read as 0.
  static constexpr MidiMessage fromBytes(const uint8_t* bytes, size_t size) noexcept {
    if (size == 0) return MidiMessage{};
    if (bytes[0] == 0xF0) return sysexMessage(bytes, size);
    return channelMessage(bytes[0], size > 1 ? bytes[1] : 0, size > 2 ? bytes[2] : 0);
  }
};

}  // namespace awe
