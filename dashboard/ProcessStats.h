#pragma once
// What the machine says about this process: its CPU use (getrusage for the process, the
// kernel's per-thread counters in /proc/self/task/*/stat), and the CPU temperature where a
// hwmon or thermal-zone sensor exposes one. [main thread: reads /proc and /sys]
#include <cstdint>
#include <string>
#include <vector>

namespace awe {

struct ThreadCpu {
  int tid = 0;
  std::string name;      // the kernel's comm (set by pthread_setname_np)
  double percent = 0.0;  // of one core
};

struct CpuUsage {
  bool valid = false;           // two measurements taken
  double process_percent = 0.0; // user + system time of every thread, % of one core
  int cores = 1;                // online CPUs (so 100 % x cores is the whole machine)
  std::vector<ThreadCpu> threads;  // busiest first; empty where /proc has no task list
};

class CpuUsageMeter {
 public:
  static constexpr int64_t kPeriod_ns = 500'000'000;
  // Measures again when kPeriod_ns passed since the last time; returns the latest figures.
  const CpuUsage& update(int64_t now_ns);
  const CpuUsage& usage() const { return usage_; }

 private:
  struct TaskTicks {
    int tid;
    uint64_t ticks;
  };
  int64_t last_ns_ = 0;
  double lastProcess_s_ = 0.0;
  std::vector<TaskTicks> lastTasks_;
  CpuUsage usage_;
};

// One line of /proc/<pid>/task/<tid>/stat: the thread's name (between the first '(' and
// the last ')', so names holding spaces or parentheses are read right) and its user +
// system time in clock ticks. False when the line does not have those fields.
bool parseTaskStat(const std::string& line, std::string& name, uint64_t& cpuTicks);

struct CpuTemperature {
  bool available = false;
  double celsius = 0.0;
  std::string sensor;  // where it came from, e.g. "coretemp Package id 0" or "thermal x86_pkg_temp"
};

// The CPU's temperature from `sysClass` (normally /sys/class): a CPU hwmon driver
// (coretemp, k10temp, zenpower, cpu_thermal) first (its package/Tctl reading, else its
// hottest), then a CPU thermal zone (x86_pkg_temp, cpu*, soc*), then the ACPI zone.
// available = false when there is none (virtual machines, containers).
CpuTemperature readCpuTemperature(const std::string& sysClass = "/sys/class");

}  // namespace awe
