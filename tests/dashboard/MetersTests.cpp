// The UI side of the meters: the spectrum (FFT on the UI thread) finds a tone at its
// frequency and level, CPU use is read from the kernel's per-thread lines, and the CPU
// temperature is found in a hwmon or thermal tree or reported as not available.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <filesystem>
#include <fstream>
#include <vector>

#include "dashboard/ProcessStats.h"
#include "dashboard/Spectrum.h"
#include "emu8000/Conversions.h"
#include "engine/OutputMeter.h"
#include "monitor/ThreadId.h"

using namespace awe;

namespace {

constexpr double kRate = 44100.0;

std::vector<float> sine(size_t frames, double frequency_Hz, double peak_dBFS) {
  const double amplitude = decibelsToAmplitude(peak_dBFS);
  const double pi = std::acos(-1.0);
  std::vector<float> out(frames);
  for (size_t i = 0; i < frames; ++i) out[i] = static_cast<float>(amplitude * std::sin(2.0 * pi * frequency_Hz * static_cast<double>(i) / kRate));
  return out;
}

// A scratch folder under the build's temp dir, removed at the end.
struct ScratchFolder {
  std::filesystem::path path;
  ScratchFolder() {
    path = std::filesystem::temp_directory_path() / ("awe-meters-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchFolder() { std::filesystem::remove_all(path); }
  void write(const std::string& relative, const std::string& content) const {
    const auto file = path / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << content << "\n";
  }
};

}  // namespace

TEST_CASE("the radix-2 FFT matches a direct DFT", "[meters][spectrum]") {
  std::vector<std::complex<float>> data(64);
  for (size_t i = 0; i < data.size(); ++i) data[i] = {std::sin(0.3f * static_cast<float>(i)) + 0.1f * static_cast<float>(i % 5), 0.0f};
  const std::vector<std::complex<float>> input = data;
  fftRadix2(data);
  const double pi = std::acos(-1.0);
  for (size_t k = 0; k < data.size(); ++k) {
    std::complex<double> sum = 0.0;
    for (size_t n = 0; n < input.size(); ++n) {
      sum += std::complex<double>(input[n]) * std::polar(1.0, -2.0 * pi * static_cast<double>(k * n) / static_cast<double>(input.size()));
    }
    CHECK(std::abs(std::complex<double>(data[k]) - sum) < 1e-3);
  }
  std::vector<std::complex<float>> odd(48);
  CHECK_THROWS_AS(fftRadix2(odd), std::invalid_argument);
}

TEST_CASE("the spectrum of a -12 dBFS tone peaks at the tone's frequency and level", "[meters][spectrum]") {
  Spectrum spectrum;
  SECTION("on a bin's centre: exact level") {
    const double binHz = kRate / 4096.0;
    const std::vector<float> tone = sine(4096, 93.0 * binHz, -12.0);  // 1001.4 Hz
    spectrum.compute(tone.data(), tone.size(), kRate);
    CHECK(spectrum.binWidth_Hz() == Approx(binHz));
    const Spectrum::Peak peak = spectrum.peak();
    CHECK(peak.frequency_Hz == Approx(93.0 * binHz).margin(0.05 * binHz));
    CHECK(peak.level_dBFS == Approx(-12.0).margin(0.1));
    CHECK(spectrum.bins_dBFS()[93] == Approx(-12.0).margin(0.05));
  }
  SECTION("between bins: the frequency refined, the level within the window's 1.42 dB scallop") {
    for (double frequency : {440.0, 997.0, 3150.0, 12345.0}) {
      const std::vector<float> tone = sine(4096, frequency, -12.0);
      spectrum.compute(tone.data(), tone.size(), kRate);
      const Spectrum::Peak peak = spectrum.peak();
      INFO(frequency << " Hz read as " << peak.frequency_Hz << " Hz at " << peak.level_dBFS << " dBFS");
      CHECK(std::fabs(peak.frequency_Hz - frequency) < 0.25 * spectrum.binWidth_Hz());
      CHECK(peak.level_dBFS == Approx(-12.0).margin(1.42));
      // Far from the tone the window leaves little: 100 bins away, more than 80 dB down.
      const auto far = static_cast<size_t>(frequency / spectrum.binWidth_Hz()) + 100;
      if (far < spectrum.bins_dBFS().size()) CHECK(spectrum.bins_dBFS()[far] < -12.0f - 80.0f);
    }
  }
  SECTION("silence reads as the floor") {
    const std::vector<float> quiet(1024, 0.0f);
    spectrum.compute(quiet.data(), quiet.size(), kRate);
    CHECK(spectrum.bins_dBFS().size() == 513);
    for (float bin : spectrum.bins_dBFS()) CHECK(bin == kMeterFloor_dBFS);
  }
}

TEST_CASE("CPU use is read from getrusage and the kernel's per-thread stat lines", "[meters][cpu]") {
  SECTION("a stat line whose thread name holds spaces and parentheses") {
    std::string name;
    uint64_t ticks = 0;
    const std::string line =
        "4242 (awe (audio) 1) S 1 4242 4242 0 -1 4194304 1536 0 0 0 1234 567 0 0 -11 0 12 0 99 0 0 18446744073709551615";
    REQUIRE(parseTaskStat(line, name, ticks));
    CHECK(name == "awe (audio) 1");
    CHECK(ticks == 1234 + 567);
    CHECK_FALSE(parseTaskStat("4242 awe S 1 2", name, ticks));
    CHECK_FALSE(parseTaskStat("4242 (awe) S 1 2 3", name, ticks));
  }
  SECTION("this process: two measurements give figures for every thread, this one included") {
    CpuUsageMeter meter;
    CHECK_FALSE(meter.update(1).valid);
    volatile double sink = 0.0;
    for (int i = 0; i < 2'000'000; ++i) sink = sink + std::sqrt(static_cast<double>(i));  // some CPU time to count
    const CpuUsage& usage = meter.update(1 + CpuUsageMeter::kPeriod_ns);
    REQUIRE(usage.valid);
    CHECK(usage.process_percent >= 0.0);
    CHECK(usage.cores >= 1);
    bool found = false;
    for (const ThreadCpu& t : usage.threads) found = found || t.tid == osThreadId();
    CHECK(found);
  }
}

TEST_CASE("the CPU temperature comes from a CPU sensor, else it is not available", "[meters][temperature]") {
  ScratchFolder sys;
  SECTION("nothing exposed (this machine, containers): not available") {
    CHECK_FALSE(readCpuTemperature(sys.path.string()).available);
    CHECK_FALSE(readCpuTemperature((sys.path / "missing").string()).available);
  }
  SECTION("coretemp: the package reading wins over the hotter core") {
    sys.write("hwmon/hwmon0/name", "nvme");
    sys.write("hwmon/hwmon0/temp1_input", "71000");
    sys.write("hwmon/hwmon1/name", "coretemp");
    sys.write("hwmon/hwmon1/temp1_input", "54000");
    sys.write("hwmon/hwmon1/temp1_label", "Package id 0");
    sys.write("hwmon/hwmon1/temp2_input", "58000");
    sys.write("hwmon/hwmon1/temp2_label", "Core 0");
    const CpuTemperature t = readCpuTemperature(sys.path.string());
    REQUIRE(t.available);
    CHECK(t.celsius == Approx(54.0));
    CHECK(t.sensor == "coretemp Package id 0");
  }
  SECTION("a thermal zone of the CPU package, and the ACPI zone only as the last resort") {
    sys.write("thermal/thermal_zone0/type", "acpitz");
    sys.write("thermal/thermal_zone0/temp", "40000");
    sys.write("thermal/thermal_zone1/type", "x86_pkg_temp");
    sys.write("thermal/thermal_zone1/temp", "47500");
    CpuTemperature t = readCpuTemperature(sys.path.string());
    REQUIRE(t.available);
    CHECK(t.celsius == Approx(47.5));
    CHECK(t.sensor == "thermal x86_pkg_temp");
    std::filesystem::remove_all(sys.path / "thermal/thermal_zone1");
    t = readCpuTemperature(sys.path.string());
    REQUIRE(t.available);
    CHECK(t.sensor == "thermal acpitz");
  }
  SECTION("an absurd reading is no reading") {
    sys.write("hwmon/hwmon0/name", "k10temp");
    sys.write("hwmon/hwmon0/temp1_input", "-273000");
    CHECK_FALSE(readCpuTemperature(sys.path.string()).available);
  }
}
