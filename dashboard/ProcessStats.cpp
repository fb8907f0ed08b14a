#include "dashboard/ProcessStats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace awe {
namespace {

namespace fs = std::filesystem;

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

std::string firstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// A sysfs temperature in millidegrees Celsius; false when unreadable or absurd.
bool readMilliCelsius(const fs::path& path, double& celsius) {
  const std::string text = firstLine(path);
  if (text.empty()) return false;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str()) return false;
  celsius = static_cast<double>(value) / 1000.0;
  return celsius > -40.0 && celsius < 150.0;
}

std::vector<fs::path> entries(const fs::path& folder, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().filename().string().rfind(prefix, 0) == 0) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

}  // namespace

bool parseTaskStat(const std::string& line, std::string& name, uint64_t& cpuTicks) {
  const size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  name = line.substr(open + 1, close - open - 1);
  // After the name: state (field 3) ... utime (14), stime (15).
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int index = 3; index <= 15; ++index) {
    if (!(rest >> field)) return false;
    if (index == 14 || index == 15) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(field.c_str(), &end, 10);
      if (end == field.c_str() || *end != '\0') return false;
      (index == 14 ? utime : stime) = v;
    }
  }
  cpuTicks = utime + stime;
  return true;
}

const CpuUsage& CpuUsageMeter::update(int64_t now_ns) {
  if (last_ns_ != 0 && now_ns - last_ns_ < kPeriod_ns) return usage_;
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  const double process_s = seconds(self.ru_utime) + seconds(self.ru_stime);
  static const double ticksPerSecond = static_cast<double>(std::max(1L, sysconf(_SC_CLK_TCK)));

  std::vector<TaskTicks> tasks;
  std::vector<std::string> names;
  for (const fs::path& task : entries("/proc/self/task", "")) {
    std::string name;
    uint64_t ticks = 0;
    const int tid = std::atoi(task.filename().c_str());
    if (tid <= 0 || !parseTaskStat(firstLine(task / "stat"), name, ticks)) continue;
    tasks.push_back({tid, ticks});
    names.push_back(name);
  }

  if (last_ns_ != 0) {
    const double elapsed_s = static_cast<double>(now_ns - last_ns_) * 1e-9;
    usage_.valid = true;
    usage_.process_percent = 100.0 * std::max(0.0, process_s - lastProcess_s_) / elapsed_s;
    usage_.cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    usage_.threads.clear();
    for (size_t i = 0; i < tasks.size(); ++i) {
      const auto before = std::find_if(lastTasks_.begin(), lastTasks_.end(), [&](const TaskTicks& t) { return t.tid == tasks[i].tid; });
      const uint64_t was = before != lastTasks_.end() ? before->ticks : tasks[i].ticks;  // new thread: from now on
      const double used_s = static_cast<double>(tasks[i].ticks - std::min(was, tasks[i].ticks)) / ticksPerSecond;
      usage_.threads.push_back({tasks[i].tid, names[i], 100.0 * used_s / elapsed_s});
    }
    std::stable_sort(usage_.threads.begin(), usage_.threads.end(),
                     [](const ThreadCpu& a, const ThreadCpu& b) { return a.percent > b.percent; });
  }
  last_ns_ = now_ns;
  lastProcess_s_ = process_s;
  lastTasks_ = std::move(tasks);
  return usage_;
}

CpuTemperature readCpuTemperature(const std::string& sysClass) {
  const fs::path root(sysClass);
  CpuTemperature acpi;  // the last resort: a board/ACPI zone, often but not always the CPU's
  // 1. A CPU hwmon driver.
  for (const fs::path& hwmon : entries(root / "hwmon", "hwmon")) {
    const std::string name = firstLine(hwmon / "name");
    const bool cpu = name == "coretemp" || name == "k10temp" || name == "zenpower" || contains(name, "cpu_thermal") ||
                     contains(name, "cpu-thermal") || contains(name, "soc_thermal");
    if (!cpu && name != "acpitz") continue;
    CpuTemperature best;
    bool preferred = false;
    for (const fs::path& input : entries(hwmon, "temp")) {
      const std::string file = input.filename().string();
      if (file.size() < 7 || file.compare(file.size() - 6, 6, "_input") != 0) continue;
      double celsius = 0.0;
      if (!readMilliCelsius(input, celsius)) continue;
      const std::string label = firstLine(hwmon / (file.substr(0, file.size() - 6) + "_label"));
      const bool package = contains(label, "Package") || label == "Tctl" || label == "Tdie";
      if (preferred && !package) continue;
      if ((package && !preferred) || !best.available || celsius > best.celsius) {
        best = {true, celsius, label.empty() ? name : name + " " + label};
        preferred = preferred || package;
      }
    }
    if (!best.available) continue;
    if (cpu) return best;
    if (!acpi.available) acpi = best;
  }
  // 2. A CPU thermal zone.
  for (const fs::path& zone : entries(root / "thermal", "thermal_zone")) {
    const std::string type = firstLine(zone / "type");
    const bool cpu = contains(type, "x86_pkg_temp") || contains(type, "cpu") || contains(type, "soc");
    if (!cpu && type != "acpitz") continue;
    double celsius = 0.0;
    if (!readMilliCelsius(zone / "temp", celsius)) continue;
    if (cpu) return {true, celsius, "thermal " + type};
    if (!acpi.available) acpi = {true, celsius, "thermal acpitz"};
  }
  return acpi;
}

}  // namespace awe
