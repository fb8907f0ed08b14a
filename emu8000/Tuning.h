#pragma once
// MIDI Tuning Standard tuning programs (MMA CA-020/021): a fixed store of key tables that
// bulk dumps and single-note changes write and RPN 3/4 select. Sized before start, used on
// the audio thread without allocation.
#include <cstdint>
#include <cstring>

namespace awe {

constexpr int kTuningSlots = 32;  // distinct (bank, program) tunings a song can define

struct TuningTable {
  bool used = false;
  uint8_t bank = 0, program = 0;
  float deviation_cents[128] = {};  // key's pitch minus equal temperament (key x 100 cents)
};

class TuningStore {
 public:
  void clear() noexcept {  // [audio thread]
    for (TuningTable& t : tables_) t.used = false;
  }
  int find(int bank, int program) const noexcept {  // [audio thread]
    for (int i = 0; i < kTuningSlots; ++i) {
      const TuningTable& t = tables_[i];
      if (t.used && t.bank == bank && t.program == program) return i;
    }
    return -1;
  }
  // The slot of (bank, program), made in equal temperament if new; -1 when the store is
  // full (the change is ignored).
  int findOrCreate(int bank, int program) noexcept {  // [audio thread]
    const int found = find(bank, program);
    if (found >= 0) return found;
    for (int i = 0; i < kTuningSlots; ++i) {
      TuningTable& t = tables_[i];
      if (t.used) continue;
      t.used = true;
      t.bank = static_cast<uint8_t>(bank);
      t.program = static_cast<uint8_t>(program);
      std::memset(t.deviation_cents, 0, sizeof(t.deviation_cents));
      return i;
    }
    return -1;
  }
  const TuningTable& table(int slot) const noexcept { return tables_[slot]; }
  TuningTable& table(int slot) noexcept { return tables_[slot]; }

 private:
  TuningTable tables_[kTuningSlots];
};

// An MTS frequency word (xx yy zz: semitone, then 14 bits of 1/16384 semitone) as cents
// above MIDI key 0; false for the "no change" word 7F 7F 7F.
inline bool mtsFrequencyCents(const uint8_t* word, double& cents) noexcept {  // [audio thread]
  if (word[0] == 0x7F && word[1] == 0x7F && word[2] == 0x7F) return false;
  const int fraction = ((word[1] & 0x7F) << 7) | (word[2] & 0x7F);
  cents = 100.0 * (word[0] & 0x7F) + 100.0 * fraction / 16384.0;
  return true;
}

}  // namespace awe
