#include "support/Sf2TestBanks.h"

#include <cmath>
#include <functional>
#include <stdexcept>

namespace awe::test {
namespace {

std::vector<int16_t> sine(uint32_t frames, double period, double amplitude) {
  std::vector<int16_t> v(frames);
  for (uint32_t i = 0; i < frames; ++i)
    v[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2.0 * M_PI * i / period)));
  return v;
}

std::vector<int16_t> saw(uint32_t frames, uint32_t period) {
  std::vector<int16_t> v(frames);
  for (uint32_t i = 0; i < frames; ++i) v[i] = static_cast<int16_t>(static_cast<int>(i % period) * 600 - 15000);
  return v;
}

ModulatorSpec mod(uint16_t src, Gen dest, int16_t amount) {
  ModulatorSpec m;
  m.src = src;
  m.dest = static_cast<uint16_t>(dest);
  m.amount = amount;
  return m;
}

Sf2Description::Zone zone(std::vector<GenEntry> gens, std::vector<ModulatorSpec> mods = {}) {
  Sf2Description::Zone z;
  z.gens = std::move(gens);
  z.mods = std::move(mods);
  return z;
}

Sf2Description::Preset preset(const std::string& name, uint16_t bank, uint16_t program,
                              std::vector<Sf2Description::Zone> zones) {
  Sf2Description::Preset p;
  p.name = name;
  p.bank = bank;
  p.program = program;
  p.zones = std::move(zones);
  return p;
}

std::vector<uint8_t> text(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

}  // namespace

ModulatorSpec modVelocityToFilter(int16_t amount) { return mod(0x0102, Gen::InitialFilterFc, amount); }
ModulatorSpec modCc1ToVibrato(int16_t amount) { return mod(0x0081, Gen::VibLfoToPitch, amount); }
ModulatorSpec modCc2ToAttenuation(int16_t amount) { return mod(0x0082, Gen::InitialAttenuation, amount); }
ModulatorSpec modPressureToVibrato(int16_t amount) { return mod(0x000D, Gen::VibLfoToPitch, amount); }

Sf2Description minimalBank() {
  Sf2Description d;
  d.name = "Minimal";
  std::vector<int16_t> wave = sine(64, 16.0, 12000.0);
  uint16_t s = d.addSample("sine", wave.data(), 64, 44100, 69, 8, 56);
  d.instruments.push_back({"Sine", {zone({GenEntry::value(Gen::SampleModes, 1), GenEntry::value(Gen::SampleId, s)})}});
  d.presets.push_back(preset("Sine", 0, 0, {zone({GenEntry::value(Gen::Instrument, 0)})}));
  d.presets.push_back(preset("Sine 2", 0, 1, {zone({GenEntry::value(Gen::Instrument, 0)})}));
  return d;
}

Sf2Description richBank() {
  Sf2Description d;
  d.name = "Rich";
  d.software = "awe tests";
  d.copyright = "none";
  d.comment = "round trip";
  std::vector<int16_t> wave = sine(200, 40.0, 16000.0);
  uint16_t s0 = d.addSample("sine", wave.data(), 200, 22050, 60, 20, 180, -7);
  std::vector<int16_t> left = saw(100, 25), right = saw(100, 20);
  uint16_t sl = d.addSample("saw L", left.data(), 100, 44100, 57, 10, 90);
  uint16_t sr = d.addSample("saw R", right.data(), 100, 44100, 57, 10, 90);
  d.samples[sl].type = 4;
  d.samples[sl].link = sr;
  d.samples[sr].type = 2;
  d.samples[sr].link = sl;

  // Instrument 0: a global zone and two local zones, the second overriding a generator
  // and one of the global modulators.
  d.instruments.push_back(
      {"Sine",
       {zone({GenEntry::value(Gen::AttackVolEnv, -2000), GenEntry::value(Gen::Pan, 100),
              GenEntry::value(Gen::ExclusiveClass, 3)},
             {modVelocityToFilter(100), modCc1ToVibrato(50)}),
        zone({GenEntry::range(Gen::KeyRange, 0, 59), GenEntry::value(Gen::SampleModes, 1),
              GenEntry::value(Gen::SampleId, s0)}),
        zone({GenEntry::range(Gen::KeyRange, 60, 127), GenEntry::value(Gen::AttackVolEnv, -1000),
              GenEntry::value(Gen::SampleId, s0)},
             {modVelocityToFilter(500), modCc2ToAttenuation(200)})}});
  // Instrument 1: a stereo pair.
  d.instruments.push_back({"Saw",
                           {zone({GenEntry::value(Gen::Pan, -500), GenEntry::value(Gen::SampleId, sl)}),
                            zone({GenEntry::value(Gen::Pan, 500), GenEntry::value(Gen::SampleId, sr)})}});

  // Preset 0:5: global zone with an offset and a modulator; a local zone with an
  // instrument-only generator that must be ignored.
  d.presets.push_back(preset("Lead", 0, 5,
                             {zone({GenEntry::value(Gen::CoarseTune, 2)}, {modPressureToVibrato(30)}),
                              zone({GenEntry::range(Gen::KeyRange, 36, 84), GenEntry::value(Gen::FineTune, 5),
                                    GenEntry::value(Gen::SampleModes, 3), GenEntry::value(Gen::Instrument, 0)})}));
  d.presets.push_back(
      preset("Kit", 128, 0, {zone({GenEntry::value(Gen::AttackVolEnv, 500), GenEntry::value(Gen::Instrument, 1)})}));
  d.presets.push_back(
      preset("Saw", 0, 1, {zone({GenEntry::range(Gen::VelRange, 0, 63), GenEntry::value(Gen::Instrument, 1)})}));
  return d;
}

Sf2Description bank24() {
  Sf2Description d = minimalBank();
  d.name = "24 bit";
  d.versionMinor = 4;
  const size_t frames = d.sampleData.size();
  d.sample24.resize(frames + (frames & 1));
  for (size_t i = 0; i < frames; ++i) d.sample24[i] = static_cast<uint8_t>((i * 7) & 0xFF);
  return d;
}

// ---- RiffEditor -------------------------------------------------------------------------

uint32_t RiffEditor::get32(size_t at) const {
  return static_cast<uint32_t>(bytes_[at]) | (static_cast<uint32_t>(bytes_[at + 1]) << 8) |
         (static_cast<uint32_t>(bytes_[at + 2]) << 16) | (static_cast<uint32_t>(bytes_[at + 3]) << 24);
}
void RiffEditor::put16(size_t at, uint16_t v) {
  bytes_[at] = static_cast<uint8_t>(v & 0xFF);
  bytes_[at + 1] = static_cast<uint8_t>(v >> 8);
}
void RiffEditor::put32(size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) bytes_[at + i] = static_cast<uint8_t>((v >> (8 * i)) & 0xFF);
}

size_t RiffEditor::header(const std::string& id) const {
  const size_t riffEnd = 8 + size_t{get32(4)};
  for (size_t pos = 12; pos + 8 <= riffEnd;) {
    const uint32_t size = get32(pos + 4);
    const std::string chunkId(bytes_.begin() + static_cast<long>(pos), bytes_.begin() + static_cast<long>(pos) + 4);
    if (chunkId == "LIST") {
      const std::string type(bytes_.begin() + static_cast<long>(pos) + 8, bytes_.begin() + static_cast<long>(pos) + 12);
      if (type == id) return pos;
      for (size_t sub = pos + 12; sub + 8 <= pos + 8 + size;) {
        const uint32_t subSize = get32(sub + 4);
        if (std::string(bytes_.begin() + static_cast<long>(sub), bytes_.begin() + static_cast<long>(sub) + 4) == id)
          return sub;
        sub += 8 + subSize + (subSize & 1);
      }
    } else if (chunkId == id) {
      return pos;
    }
    pos += 8 + size + (size & 1);
  }
  throw std::runtime_error("RiffEditor: no chunk '" + id + "'");
}

size_t RiffEditor::parentOf(size_t chunkHeader) const {
  const size_t riffEnd = 8 + size_t{get32(4)};
  for (size_t pos = 12; pos + 8 <= riffEnd;) {
    const uint32_t size = get32(pos + 4);
    if (chunkHeader > pos && chunkHeader < pos + 8 + size) return pos;
    pos += 8 + size + (size & 1);
  }
  return 0;
}

void RiffEditor::adjustSizes(size_t chunkHeader, long delta) {
  size_t parent = parentOf(chunkHeader);
  if (parent != 0) put32(parent + 4, static_cast<uint32_t>(static_cast<long>(get32(parent + 4)) + delta));
  put32(4, static_cast<uint32_t>(static_cast<long>(get32(4)) + delta));
}

void RiffEditor::resizeData(const std::string& id, size_t newSize) {
  const size_t at = header(id);
  const size_t oldSize = get32(at + 4);
  const size_t oldPadded = oldSize + (oldSize & 1), newPadded = newSize + (newSize & 1);
  const size_t data = at + 8;
  const long delta = static_cast<long>(newPadded) - static_cast<long>(oldPadded);
  adjustSizes(at, delta);  // before the edit: parentOf needs the old layout
  if (newPadded < oldPadded)
    bytes_.erase(bytes_.begin() + static_cast<long>(data + newPadded), bytes_.begin() + static_cast<long>(data + oldPadded));
  else
    bytes_.insert(bytes_.begin() + static_cast<long>(data + oldPadded), newPadded - oldPadded, uint8_t{0});
  if (newSize & 1) bytes_[data + newSize] = 0;
  put32(at + 4, static_cast<uint32_t>(newSize));
}

void RiffEditor::remove(const std::string& id) {
  const size_t at = header(id);
  const size_t size = get32(at + 4);
  const size_t total = 8 + size + (size & 1);
  adjustSizes(at, -static_cast<long>(total));
  bytes_.erase(bytes_.begin() + static_cast<long>(at), bytes_.begin() + static_cast<long>(at + total));
}

void RiffEditor::insertBefore(const std::string& before, const std::string& id, const std::vector<uint8_t>& data) {
  const size_t at = header(before);
  std::vector<uint8_t> chunk(id.begin(), id.end());
  chunk.resize(8);
  const uint32_t size = static_cast<uint32_t>(data.size());
  for (size_t i = 0; i < 4; ++i) chunk[4 + i] = static_cast<uint8_t>((size >> (8 * i)) & 0xFF);
  chunk.insert(chunk.end(), data.begin(), data.end());
  if (size & 1) chunk.push_back(0);
  adjustSizes(at, static_cast<long>(chunk.size()));
  bytes_.insert(bytes_.begin() + static_cast<long>(at), chunk.begin(), chunk.end());
}

// ---- the broken corpus -------------------------------------------------------------------

std::vector<BrokenCase> brokenCases() {
  std::vector<BrokenCase> cases;
  const std::vector<uint8_t> good = writeSf2(minimalBank());
  // A case made by editing the minimal bank's bytes.
  auto edited = [&](std::string file, bool fatal, std::string chunk, std::string message,
                    const std::function<void(RiffEditor&)>& edit) {
    RiffEditor e(good);
    edit(e);
    cases.push_back({std::move(file), fatal, std::move(chunk), std::move(message), std::move(e.bytes())});
  };
  // A case made by describing a different bank.
  auto described = [&](std::string file, bool fatal, std::string chunk, std::string message,
                       const std::function<void(Sf2Description&)>& change) {
    Sf2Description d = minimalBank();
    change(d);
    cases.push_back({std::move(file), fatal, std::move(chunk), std::move(message), writeSf2(d)});
  };
  auto instZone = [](Sf2Description& d) -> Sf2Description::Zone& { return d.instruments[0].zones[0]; };
  auto presetZone = [](Sf2Description& d) -> Sf2Description::Zone& { return d.presets[0].zones[0]; };
  const std::vector<int16_t> wave = sine(32, 8.0, 8000.0);

  // -- the container
  cases.push_back({"empty.sf2", true, "RIFF", "too short", {}});
  cases.push_back({"not_riff.sf2", true, "RIFF", "not a RIFF file", text(std::string("MThd\0\0\0\6\0\1\0\1\0\x60", 14))});
  edited("rifx.sf2", true, "RIFF", "RIFX", [](RiffEditor& e) { e.bytes()[3] = 'X'; });
  edited("wrong_form_type.sf2", true, "RIFF", "not 'sfbk'", [](RiffEditor& e) {
    for (size_t i = 0; i < 4; ++i) e.bytes()[8 + i] = static_cast<uint8_t>("WAVE"[i]);
  });
  cases.push_back({"header_only.sf2", true, "INFO", "no LIST INFO", text(std::string("RIFF\4\0\0\0sfbk", 12))});
  edited("truncated_in_pdta.sf2", true, "pdta", "truncated",
         [](RiffEditor& e) { e.bytes().resize(e.header("pdta") + 100); });
  edited("truncated_in_samples.sf2", true, "sdta", "truncated",
         [](RiffEditor& e) { e.bytes().resize(e.data("smpl") + 50); });
  edited("truncated_in_header.sf2", true, "RIFF", "too short", [](RiffEditor& e) { e.bytes().resize(10); });
  edited("riff_size_too_big.sf2", false, "RIFF", "RIFF size says", [](RiffEditor& e) { e.put32(4, e.get32(4) + 100); });
  edited("riff_size_too_small.sf2", true, "pdta", "no LIST pdta",
         [](RiffEditor& e) { e.put32(4, static_cast<uint32_t>(e.header("pdta") - 8)); });
  edited("trailing_garbage.sf2", false, "RIFF", "after the RIFF form",
         [](RiffEditor& e) { e.bytes().insert(e.bytes().end(), 16, uint8_t{0xAB}); });
  edited("list_without_type.sf2", true, "LIST", "no list type",
         [](RiffEditor& e) { e.insertBefore("pdta", "LIST", {0, 0}); });
  edited("unknown_top_level_chunk.sf2", false, "JUNK", "unknown top-level chunk",
         [](RiffEditor& e) { e.insertBefore("pdta", "JUNK", {1, 2, 3, 4, 5}); });
  edited("odd_chunk_without_pad.sf2", false, "ISFT", "without the RIFF pad byte", [](RiffEditor& e) {
    // "abcd" + NUL is 5 bytes: a correct writer adds a pad byte; this file does not.
    e.insertBefore("INAM", "ISFT", text(std::string("abcd\0", 5)));
    size_t pad = e.data("ISFT") + 5;
    e.bytes().erase(e.bytes().begin() + static_cast<long>(pad));
    e.put32(e.header("INFO") + 4, e.get32(e.header("INFO") + 4) - 1);
    e.put32(4, e.get32(4) - 1);
  });

  // -- INFO
  edited("missing_ifil.sf2", true, "ifil", "no ifil", [](RiffEditor& e) { e.remove("ifil"); });
  edited("ifil_wrong_size.sf2", true, "ifil", "expected 4", [](RiffEditor& e) { e.resizeData("ifil", 2); });
  edited("version_3.sf2", false, "ifil", "without compressed samples", [](RiffEditor& e) { e.put16(e.data("ifil"), 3); });
  edited("version_1.sf2", true, "ifil", "not SoundFont 2", [](RiffEditor& e) { e.put16(e.data("ifil"), 1); });
  edited("missing_inam.sf2", false, "INAM", "no INAM", [](RiffEditor& e) { e.remove("INAM"); });
  edited("duplicate_inam.sf2", false, "INAM", "second 'INAM'",
         [](RiffEditor& e) { e.insertBefore("INAM", "INAM", text(std::string("Twice\0", 6))); });
  edited("unknown_info_chunk.sf2", false, "IXYZ", "unknown INFO sub-chunk",
         [](RiffEditor& e) { e.insertBefore("INAM", "IXYZ", {'h', 'i', 0, 0}); });

  // -- sdta
  edited("missing_sdta.sf2", true, "sdta", "no LIST sdta", [](RiffEditor& e) { e.remove("sdta"); });
  edited("missing_smpl.sf2", true, "smpl", "no smpl", [](RiffEditor& e) { e.remove("smpl"); });
  edited("smpl_size_huge.sf2", true, "smpl", "runs past the end of sdta",
         [](RiffEditor& e) { e.setSizeField("smpl", 0xFFFFFFF0u); });
  edited("smpl_overruns_sdta.sf2", true, "smpl", "runs past the end of sdta",
         [](RiffEditor& e) { e.setSizeField("smpl", e.size("smpl") + 1000); });
  edited("smpl_odd_size.sf2", false, "smpl", "odd size",
         [](RiffEditor& e) { e.resizeData("smpl", e.size("smpl") - 1); });
  described("sm24_in_version_201.sf2", false, "sm24", "needs 2.04", [](Sf2Description& d) {
    d.sample24.assign(d.sampleData.size(), 1);
  });
  described("sm24_wrong_size.sf2", false, "sm24", "does not match", [](Sf2Description& d) {
    d.versionMinor = 4;
    d.sample24.assign(10, 1);
  });
  edited("unknown_sdta_chunk.sf2", false, "smp2", "unknown sdta sub-chunk",
         [](RiffEditor& e) { e.insertBefore("smpl", "smp2", {0, 0}); });

  // -- pdta structure
  edited("missing_pdta.sf2", true, "pdta", "no LIST pdta", [](RiffEditor& e) { e.remove("pdta"); });
  edited("missing_shdr.sf2", true, "shdr", "has no 'shdr'", [](RiffEditor& e) { e.remove("shdr"); });
  edited("missing_imod.sf2", true, "imod", "has no 'imod'", [](RiffEditor& e) { e.remove("imod"); });
  edited("phdr_not_record_multiple.sf2", true, "phdr", "not a multiple",
         [](RiffEditor& e) { e.resizeData("phdr", e.size("phdr") - 1); });
  edited("shdr_not_record_multiple.sf2", true, "shdr", "not a multiple",
         [](RiffEditor& e) { e.resizeData("shdr", e.size("shdr") + 2); });
  edited("pgen_size_huge.sf2", true, "pgen", "runs past the end of pdta",
         [](RiffEditor& e) { e.setSizeField("pgen", 0x7FFFFFF0u); });
  edited("pdta_size_huge.sf2", true, "pdta", "runs past the end of RIFF",
         [](RiffEditor& e) { e.setSizeField("pdta", 0xFFFFFFF0u); });
  edited("pmod_empty.sf2", true, "pmod", "terminal record", [](RiffEditor& e) { e.resizeData("pmod", 0); });
  edited("pdta_stray_bytes.sf2", false, "pdta", "stray bytes",
         [](RiffEditor& e) { e.resizeData("pdta", e.size("pdta") + 3); });
  edited("unknown_pdta_chunk.sf2", false, "xtra", "unknown pdta sub-chunk",
         [](RiffEditor& e) { e.insertBefore("shdr", "xtra", {0, 0, 0, 0}); });
  edited("duplicate_pdta_chunk.sf2", false, "imod", "second 'imod'",
         [](RiffEditor& e) { e.insertBefore("shdr", "imod", std::vector<uint8_t>(10, 0)); });

  // -- hydra indices and terminal records
  described("no_presets.sf2", true, "phdr", "no presets", [](Sf2Description& d) { d.presets.clear(); });
  edited("phdr_bag_decreasing.sf2", true, "phdr", "less than the previous",
         [](RiffEditor& e) { e.put16(e.record("phdr", 38, 0) + 24, 2); });
  edited("phdr_terminal_bag_wrong.sf2", true, "phdr", "terminal record's bag index",
         [](RiffEditor& e) { e.put16(e.record("phdr", 38, 2) + 24, 7); });
  edited("pbag_gen_decreasing.sf2", true, "pbag", "less than the previous",
         [](RiffEditor& e) { e.put16(e.record("pbag", 4, 0), 2); });
  edited("ibag_terminal_mod_wrong.sf2", true, "ibag", "terminal record's modulator index",
         [](RiffEditor& e) { e.put16(e.record("ibag", 4, 1) + 2, 5); });
  edited("inst_bag_huge.sf2", true, "inst", "terminal record's bag index",
         [](RiffEditor& e) { e.put16(e.record("inst", 22, 1) + 20, 0xFFFF); });
  edited("missing_eop.sf2", true, "phdr", "missing terminal record",
         [](RiffEditor& e) { e.resizeData("phdr", e.size("phdr") - 38); });
  edited("missing_pbag_terminal.sf2", true, "phdr", "missing terminal record",
         [](RiffEditor& e) { e.resizeData("pbag", e.size("pbag") - 4); });
  edited("missing_igen_terminal.sf2", true, "ibag", "terminal record's generator index",
         [](RiffEditor& e) { e.resizeData("igen", e.size("igen") - 4); });
  edited("missing_eoi.sf2", true, "inst", "missing terminal record",
         [](RiffEditor& e) { e.resizeData("inst", e.size("inst") - 22); });
  edited("missing_eos.sf2", true, "igen", "refers to sample 0",
         [](RiffEditor& e) { e.resizeData("shdr", e.size("shdr") - 46); });
  edited("bad_instrument_index.sf2", true, "pgen", "refers to instrument 99",
         [](RiffEditor& e) { e.put16(e.record("pgen", 4, 0) + 2, 99); });
  edited("bad_sample_index.sf2", true, "igen", "refers to sample 999",
         [](RiffEditor& e) { e.put16(e.record("igen", 4, 1) + 2, 999); });
  described("no_samples.sf2", true, "igen", "only 0", [](Sf2Description& d) {
    d.samples.clear();
    d.sampleData.clear();
  });

  // -- sample headers
  edited("sample_end_beyond_smpl.sf2", true, "shdr", "beyond",
         [](RiffEditor& e) { e.put32(e.record("shdr", 46, 0) + 24, 10000); });
  edited("sample_start_after_end.sf2", true, "shdr", "is after end",
         [](RiffEditor& e) { e.put32(e.record("shdr", 46, 0) + 20, 60); e.put32(e.record("shdr", 46, 0) + 24, 50); });
  edited("loop_outside_sample.sf2", false, "shdr", "clamped",
         [](RiffEditor& e) { e.put32(e.record("shdr", 46, 0) + 32, 80); });
  edited("loop_inverted.sf2", false, "shdr", "unlooped", [](RiffEditor& e) {
    e.put32(e.record("shdr", 46, 0) + 28, 50);
    e.put32(e.record("shdr", 46, 0) + 32, 10);
  });
  edited("sample_rate_zero.sf2", false, "shdr", "rate 0", [](RiffEditor& e) { e.put32(e.record("shdr", 46, 0) + 36, 0); });
  edited("original_key_200.sf2", false, "shdr", "original key 200",
         [](RiffEditor& e) { e.bytes()[e.record("shdr", 46, 0) + 40] = 200; });
  edited("unknown_sample_type.sf2", false, "shdr", "unknown type 3",
         [](RiffEditor& e) { e.put16(e.record("shdr", 46, 0) + 44, 3); });
  edited("stereo_link_out_of_range.sf2", false, "shdr", "links to sample 50", [](RiffEditor& e) {
    e.put16(e.record("shdr", 46, 0) + 42, 50);
    e.put16(e.record("shdr", 46, 0) + 44, 4);
  });
  described("rom_sample.sf2", false, "shdr", "ROM sample", [&](Sf2Description& d) {
    uint16_t s = d.addSample("rom", wave.data(), 32, 44100, 60, 0, 0);
    d.samples[s].type = 0x8001;
    d.instruments[0].zones.push_back(zone({GenEntry::value(Gen::SampleId, s)}));
  });
  described("only_rom_samples.sf2", true, "pdta", "no preset has a playable region",
            [](Sf2Description& d) { d.samples[0].type = 0x8001; });
  described("empty_sample.sf2", false, "shdr", "is empty", [&](Sf2Description& d) {
    uint16_t s = d.addSample("empty", wave.data(), 0, 44100, 60, 0, 0);
    d.instruments[0].zones.push_back(zone({GenEntry::value(Gen::SampleId, s)}));
  });
  {
    Sf2Description d = minimalBank();
    d.addSample("last", wave.data(), 32, 44100, 60, 0, 0);
    RiffEditor e(writeSf2(d));
    e.resizeData("shdr", e.size("shdr") - 46);
    cases.push_back({"missing_eos_unreferenced.sf2", false, "shdr", "EOS record missing", std::move(e.bytes())});
  }

  // -- generators
  described("value_out_of_range.sf2", false, "igen", "clamped to 13500", [&](Sf2Description& d) {
    instZone(d).gens.insert(instZone(d).gens.begin(), GenEntry::value(Gen::InitialFilterFc, 20000));
  });
  described("preset_offset_out_of_range.sf2", false, "pgen", "clamped to 12000", [&](Sf2Description& d) {
    presetZone(d).gens.insert(presetZone(d).gens.begin(), GenEntry::value(Gen::InitialFilterFc, 30000));
  });
  described("instrument_only_at_preset.sf2", false, "pgen", "instrument-only generator sampleModes", [&](Sf2Description& d) {
    presetZone(d).gens.insert(presetZone(d).gens.begin(), GenEntry::value(Gen::SampleModes, 0));
  });
  described("instrument_generator_in_instrument.sf2", false, "igen", "instrument generator in an instrument zone",
            [&](Sf2Description& d) {
              instZone(d).gens.insert(instZone(d).gens.begin(), GenEntry::value(Gen::Instrument, 0));
            });
  described("instrument_zone_without_sample.sf2", false, "ibag", "not the first", [](Sf2Description& d) {
    d.instruments[0].zones.push_back(zone({GenEntry::value(Gen::Pan, 200)}));
  });
  described("preset_zone_without_instrument.sf2", false, "pbag", "not the first", [](Sf2Description& d) {
    d.presets[0].zones.push_back(zone({GenEntry::value(Gen::CoarseTune, 1)}));
  });
  described("generators_after_sample_id.sf2", false, "igen", "after the zone's sampleID",
            [&](Sf2Description& d) { instZone(d).gens.push_back(GenEntry::value(Gen::Pan, 100)); });
  described("unknown_generator.sf2", false, "igen", "unknown or unused generator 99", [&](Sf2Description& d) {
    instZone(d).gens.insert(instZone(d).gens.begin(), Sf2Description::GenEntry{99, 1});
  });
  described("unused_generator.sf2", false, "pgen", "unknown or unused generator 14", [&](Sf2Description& d) {
    presetZone(d).gens.insert(presetZone(d).gens.begin(), GenEntry::value(Gen::Unused1, 1));
  });
  described("key_range_not_first.sf2", false, "igen", "not at the start", [&](Sf2Description& d) {
    instZone(d).gens.insert(instZone(d).gens.begin() + 1, GenEntry::range(Gen::KeyRange, 10, 20));
  });
  described("key_range_above_127.sf2", false, "igen", "clamped to 0-127", [&](Sf2Description& d) {
    instZone(d).gens.insert(instZone(d).gens.begin(), GenEntry::range(Gen::KeyRange, 0, 200));
  });
  described("key_range_reversed.sf2", false, "pgen", "is empty (low above high)", [&](Sf2Description& d) {
    // Found by the fuzzer: a preset zone's keyRange 249-84 (lo clamped to 127, still above hi).
    presetZone(d).gens.insert(presetZone(d).gens.begin(), GenEntry::range(Gen::KeyRange, 249, 84));
  });
  described("generator_twice.sf2", false, "igen", "given twice", [&](Sf2Description& d) {
    instZone(d).gens.insert(instZone(d).gens.begin(), GenEntry::value(Gen::Pan, 100));
    instZone(d).gens.insert(instZone(d).gens.begin() + 1, GenEntry::value(Gen::Pan, -100));
  });
  described("empty_key_intersection.sf2", false, "pbag", "outside their preset zone's key/velocity range",
            [&](Sf2Description& d) {
              presetZone(d).gens.insert(presetZone(d).gens.begin(), GenEntry::range(Gen::KeyRange, 0, 40));
              instZone(d).gens.insert(instZone(d).gens.begin(), GenEntry::range(Gen::KeyRange, 60, 80));
            });
  described("region_explosion.sf2", false, "phdr", "a note-on examines the first 4096", [](Sf2Description& d) {
    // 600 instrument zones times 500 preset zones: 300000 regions from 9 KB. The bank keeps
    // the 1100 zones, not their products; a note-on is bounded instead.
    d.instruments[0].zones.assign(600, zone({GenEntry::value(Gen::SampleId, 0)}));
    d.presets[0].zones.assign(500, zone({GenEntry::value(Gen::Instrument, 0)}));
  });
  described("zone_pair_explosion.sf2", true, "pdta", "preset zones times instrument zones", [](Sf2Description& d) {
    // 4100 x 4100 zone pairs, none of which overlap (the global zones' key ranges are
    // disjoint): no regions, but too many pairs to check.
    d.instruments[0].zones.assign(4100, zone({GenEntry::value(Gen::SampleId, 0)}));
    d.instruments[0].zones.insert(d.instruments[0].zones.begin(), zone({GenEntry::range(Gen::KeyRange, 100, 127)}));
    d.presets[0].zones.assign(4100, zone({GenEntry::value(Gen::Instrument, 0)}));
    d.presets[0].zones.insert(d.presets[0].zones.begin(), zone({GenEntry::range(Gen::KeyRange, 0, 10)}));
  });
  described("duplicate_preset.sf2", false, "phdr", "same bank and program",
            [](Sf2Description& d) { d.presets[1].program = 0; });

  // -- modulators
  auto withInstMod = [&](std::string file, std::string message, ModulatorSpec m) {
    described(std::move(file), false, "imod", std::move(message), [&](Sf2Description& d) { instZone(d).mods.push_back(m); });
  };
  ModulatorSpec linked = modCc1ToVibrato(10);
  linked.dest = 0x8000;
  withInstMod("linked_modulator.sf2", "linked modulator", linked);
  ModulatorSpec cc0 = modCc1ToVibrato(10);
  cc0.src = 0x0080;
  withInstMod("modulator_source_cc0.sf2", "MIDI controller SF2 does not allow", cc0);
  ModulatorSpec badCurve = modCc1ToVibrato(10);
  badCurve.src = static_cast<uint16_t>(0x0081 | (7 << 10));
  withInstMod("modulator_source_bad_curve.sf2", "unknown source curve type", badCurve);
  ModulatorSpec badGeneral = modCc1ToVibrato(10);
  badGeneral.amtSrc = 0x0005;
  withInstMod("modulator_amount_source_unknown.sf2", "unknown general controller", badGeneral);
  ModulatorSpec badTransform = modCc1ToVibrato(10);
  badTransform.transform = 5;
  withInstMod("modulator_bad_transform.sf2", "unknown transform 5", badTransform);
  ModulatorSpec badDest = modCc1ToVibrato(10);
  badDest.dest = 99;
  withInstMod("modulator_bad_destination.sf2", "destination 99", badDest);
  described("modulator_twice_in_zone.sf2", false, "pmod", "identical modulator", [&](Sf2Description& d) {
    presetZone(d).mods = {modCc1ToVibrato(10), modCc1ToVibrato(20)};
  });
  described("too_many_modulators.sf2", false, "imod", "more than 64 modulators", [&](Sf2Description& d) {
    for (uint16_t cc = 1; cc < 120; ++cc) {
      if (cc == 6 || (cc >= 32 && cc <= 63) || (cc >= 98 && cc <= 101)) continue;
      ModulatorSpec m = modCc1ToVibrato(10);
      m.src = static_cast<uint16_t>(0x80 | cc);
      instZone(d).mods.push_back(m);
    }
  });
  return cases;
}

std::vector<SeedBank> seedBanks() {
  return {{"minimal.sf2", writeSf2(minimalBank())}, {"rich.sf2", writeSf2(richBank())}, {"bank24.sf2", writeSf2(bank24())}};
}

}  // namespace awe::test
