#include "emu8000/Sysex.h"

#include "emu8000/Tuning.h"

namespace awe {
namespace {

constexpr uint8_t kUniversalNonRealtime = 0x7E;
constexpr uint8_t kUniversalRealtime = 0x7F;
constexpr uint8_t kRoland = 0x41;
constexpr uint8_t kYamaha = 0x43;
constexpr uint16_t kAllChannels = 0xFFFF;

// MTS channel bitmap ff gg hh: ff bits 0-1 = channels 15-16, gg = 8-14, hh = 1-7.
uint16_t mtsChannelMask(const uint8_t* b) noexcept {  // [audio thread]
  return static_cast<uint16_t>(((b[0] & 0x03) << 14) | ((b[1] & 0x7F) << 7) | (b[2] & 0x7F));
}

// [audio thread] Universal sysex: F0 7E|7F <device> <sub-id 1> <sub-id 2> ... F7.
bool decodeUniversal(const uint8_t* d, size_t n, SysexTarget& t) noexcept {
  const bool realtime = d[1] == kUniversalRealtime;
  const uint8_t id1 = d[3], id2 = d[4];
  if (!realtime && id1 == 0x09) {  // General MIDI: 01 GM1 on, 02 GM off, 03 GM2 on
    if (id2 < 0x01 || id2 > 0x03) return false;
    t.systemReset(SystemMode::Gm);
    return true;
  }
  if (realtime && id1 == 0x04 && n >= 8) {  // device control
    const int value14 = (d[5] & 0x7F) | ((d[6] & 0x7F) << 7);
    switch (id2) {
      case 0x01: t.setMasterVolume(value14 / 16383.0); return true;
      case 0x03: t.setMasterFineTuning((value14 - 8192) * (100.0 / 8192.0)); return true;
      case 0x04: t.setMasterCoarseTuning((d[6] & 0x7F) - 64); return true;
      default: return false;
    }
  }
  if (id1 != 0x08) return false;  // MIDI Tuning Standard below
  switch (id2) {
    case 0x01:    // bulk dump: tt, 16-byte name, 128 x (xx yy zz), checksum
    case 0x04: {  // key-based dump with bank: bb tt, name, 128 x 3, checksum
      const bool banked = id2 == 0x04;
      const size_t first = banked ? 6 : 5;
      if (realtime || n < first + 1 + 16 + 128 * 3 + 1) return false;
      const int bank = banked ? d[5] & 0x7F : 0;
      const int program = d[first] & 0x7F;
      const uint8_t* words = d + first + 1 + 16;
      for (int key = 0; key < 128; ++key) {
        double cents = 0.0;
        if (mtsFrequencyCents(words + key * 3, cents)) t.setKeyTuning(bank, program, key, cents);
      }
      t.retuneChannels(kAllChannels, false);
      return true;
    }
    case 0x02:    // single-note change (real-time): tt ll [kk xx yy zz] x ll
    case 0x07: {  // with bank, real-time or not: bb tt ll [...]
      const bool banked = id2 == 0x07;
      if (!banked && !realtime) return false;
      const size_t first = banked ? 6 : 5;
      if (n < first + 3) return false;
      const int bank = banked ? d[5] & 0x7F : 0;
      const int program = d[first] & 0x7F;
      const int count = d[first + 1] & 0x7F;
      const uint8_t* change = d + first + 2;
      for (int i = 0; i < count && change + 4 < d + n; ++i, change += 4) {
        double cents = 0.0;
        if (mtsFrequencyCents(change + 1, cents)) t.setKeyTuning(bank, program, change[0] & 0x7F, cents);
      }
      t.retuneChannels(kAllChannels, realtime);
      return true;
    }
    case 0x08:    // scale/octave, 1 byte per class: ff gg hh [ss] x 12, 64 = 0, in cents
    case 0x09: {  // 2 bytes per class: [ss tt] x 12, 14 bits, 8192 = 0, +-100 cents
      const bool twoByte = id2 == 0x09;
      if (n < 8 + (twoByte ? 24u : 12u) + 1) return false;
      const uint16_t mask = mtsChannelMask(d + 5);
      for (int pc = 0; pc < 12; ++pc) {
        double cents = 0.0;
        if (twoByte) {
          const int v = ((d[8 + pc * 2] & 0x7F) << 7) | (d[9 + pc * 2] & 0x7F);
          cents = (v - 8192) * (100.0 / 8192.0);
        } else {
          cents = (d[8 + pc] & 0x7F) - 64;
        }
        for (int c = 0; c < 16; ++c) {
          if ((mask >> c) & 1u) t.setPitchClassTuning(c, pc, cents);
        }
      }
      t.retuneChannels(mask, realtime);
      return true;
    }
    default:
      return false;
  }
}

// [audio thread] Roland GS data set: F0 41 <dev> 42 12 a1 a2 a3 <data...> <sum> F7. A
// message may carry several consecutive addresses.
bool decodeRoland(const uint8_t* d, size_t n, SysexTarget& t) noexcept {
  if (n < 10 || d[3] != 0x42 || d[4] != 0x12) return false;
  const uint8_t a1 = d[5], a2 = d[6], a3 = d[7];
  const size_t dataCount = n - 10;  // less header, address, checksum and F7
  if (dataCount == 0) return false;
  if (a1 != 0x40) return false;
  bool known = false;
  uint16_t tuned = 0;
  for (size_t i = 0; i < dataCount; ++i) {
    const int value = d[8 + i] & 0x7F;
    const int address = a3 + static_cast<int>(i);
    if (a2 == 0x00) {
      if (address == 0x7F) {  // GS reset (value 0)
        t.systemReset(SystemMode::Gs);
        return true;
      }
      if (address == 0x04) t.setMasterVolume(value / 127.0), known = true;
      if (address == 0x05) t.setMasterCoarseTuning(value - 0x40), known = true;  // key shift
    } else if (a2 == 0x01) {
      if (address == 0x30) t.setReverbMacro(value), known = true;
      if (address == 0x38) t.setChorusMacro(value), known = true;
    } else if ((a2 & 0xF0) == 0x10) {
      const int channel = gsPartChannel(a2 & 0x0F);
      if (address == 0x15) {  // use for rhythm part: 0 off, 1 and 2 the drum maps
        t.setDrumPart(channel, value != 0);
        known = true;
      } else if (address >= 0x40 && address <= 0x4B) {  // scale tuning, 64 = 0, in cents
        t.setPitchClassTuning(channel, address - 0x40, value - 64);
        tuned = static_cast<uint16_t>(tuned | (1u << channel));
        known = true;
      }
    }
  }
  if (tuned != 0) t.retuneChannels(tuned, true);
  return known;
}

}  // namespace

int gsPartChannel(int part) noexcept {  // [audio thread]
  if (part == 0) return 9;
  return part <= 9 ? part - 1 : part;
}

bool decodeSysex(const uint8_t* d, size_t n, SysexTarget& t) noexcept {  // [audio thread]
  // Every decoder reads bytes 0 .. n-2 only (n-1 is the closing F7).
  if (d == nullptr || n < 5 || d[0] != 0xF0 || d[n - 1] != 0xF7) return false;
  switch (d[1]) {
    case kUniversalNonRealtime:
    case kUniversalRealtime:
      return n >= 6 && decodeUniversal(d, n, t);
    case kRoland:
      return decodeRoland(d, n, t);
    case kYamaha:
      // XG system on: F0 43 1n 4C 00 00 7E 00 F7
      if (n >= 9 && (d[2] & 0xF0) == 0x10 && d[3] == 0x4C && d[4] == 0x00 && d[5] == 0x00 && d[6] == 0x7E) {
        t.systemReset(SystemMode::Xg);
        return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace awe
