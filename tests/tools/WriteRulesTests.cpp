// The rules for files a tool writes (issue 17) and awe-render's audio formats (issue 14):
// a failed or interrupted write leaves the old file whole, no output over an input, and
// every format libsndfile writes here renders and reads back at the right length and level.
// Everything is written under the build folder.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/BuiltinFiles.h"
#include "engine/MidiFile.h"
#include "engine/WavWriter.h"
#include "monitor/report/OutputFile.h"
#include "support/Analysis.h"
#include "support/ToolRun.h"

namespace fs = std::filesystem;
using namespace awe;

namespace {

using test::readWholeFile;
std::string freshFolder(const std::string& name) { return test::freshFolder("write-rules-tests", name); }

void writePlain(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Files in `folder` other than the named ones (a temporary file left behind shows here).
std::vector<std::string> strayFiles(const std::string& folder, const std::vector<std::string>& expected) {
  std::vector<std::string> stray;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (std::find(expected.begin(), expected.end(), name) == expected.end()) stray.push_back(name);
  }
  return stray;
}

struct Process {
  pid_t pid = -1;
  std::string outPath, errPath;
};

// Starts a tool with stdout and stderr in files. fileSizeLimit > 0: RLIMIT_FSIZE in the
// child with SIGXFSZ ignored, so a write past it fails with EFBIG as a full disk would.
Process start(const std::vector<std::string>& args, const std::string& folder, rlim_t fileSizeLimit = 0) {
  static int counter = 0;
  Process p;
  p.outPath = folder + "/stdout-" + std::to_string(++counter) + ".txt";
  p.errPath = folder + "/stderr-" + std::to_string(counter) + ".txt";
  p.pid = fork();
  if (p.pid == 0) {
    const int out = ::open(p.outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(p.errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    if (fileSizeLimit > 0) {
      signal(SIGXFSZ, SIG_IGN);  // an ignored signal stays ignored across exec
      const rlimit limit{fileSizeLimit, fileSizeLimit};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return p;
}

struct Finished {
  int exitCode = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

Finished wait(const Process& p) {
  int status = 0;
  waitpid(p.pid, &status, 0);
  Finished f;
  if (WIFEXITED(status)) f.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) f.signal = WTERMSIG(status);
  f.out = readWholeFile(p.outPath);
  f.err = readWholeFile(p.errPath);
  fs::remove(p.outPath);
  fs::remove(p.errPath);
  return f;
}

Finished runTool(const std::vector<std::string>& args, const std::string& folder, rlim_t fileSizeLimit = 0) {
  return wait(start(args, folder, fileSizeLimit));
}

std::string tool(const char* name) { return test::toolPath(name); }

// A song of one piano note held for `seconds` (a slow tempo and one tick per quarter
// reach hours in a few bytes, as a damaged delta time does).
void writeLongSong(const std::string& path, double seconds) {
  MidiFileWriter w(1);
  const int t = w.addTrack("long");
  w.tempo(t, 0, 4.0);  // 15 s per quarter = per tick
  w.noteOn(t, 0, 0, 60, 100);
  w.noteOff(t, static_cast<uint64_t>(std::ceil(seconds / 15.0)), 0, 60);
  w.writeFile(path, 1);
}

// A short song: a chord for a second.
void writeShortSong(const std::string& path) {
  MidiFileWriter w(480);
  const int t = w.addTrack("chord");
  w.tempo(t, 0, 120.0);
  for (const int key : {60, 64, 67}) w.noteOn(t, 0, 0, key, 100);
  for (const int key : {60, 64, 67}) w.noteOff(t, 960, 0, key);
  w.writeFile(path, 1);
}

double levelDb(const AudioFileData& audio) {
  return test::toDecibels(test::rms(audio.left, 0, audio.left.size()));
}

}  // namespace

// ---- the facility (monitor/report/OutputFile.h) -------------------------------------------------

TEST_CASE("writeFileAtomically replaces a file whole and leaves no temporary file", "[output-file]") {
  const std::string folder = freshFolder("atomic");
  const std::string path = folder + "/report.json";
  writePlain(path, "old");
  ::chmod(path.c_str(), 0640);
  writeFileAtomically(path, std::string(100000, 'n'));
  CHECK(readWholeFile(path) == std::string(100000, 'n'));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);  // the old file's mode is kept
  CHECK(strayFiles(folder, {"report.json"}).empty());

  // A symlink stays a link; the file it points to is replaced.
  fs::create_symlink("report.json", folder + "/link.json");
  writeFileAtomically(folder + "/link.json", "through the link");
  CHECK(fs::is_symlink(folder + "/link.json"));
  CHECK(readWholeFile(path) == "through the link");

  // A folder is not a file.
  CHECK_THROWS_WITH(writeFileAtomically(folder, "x"), Catch::Contains("is a folder"));
}

TEST_CASE("a write that fails (file too large, as a full disk) keeps the old file and says what was lost",
          "[output-file]") {
  const std::string folder = freshFolder("fails");
  const std::string path = folder + "/baseline.json";
  const std::string old = "{\"old\": true}\n";
  writePlain(path, old);
  // In a child: the limit applies to the whole process.
  int pipeFds[2];
  REQUIRE(pipe(pipeFds) == 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipeFds[0]);
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{64 * 1024, 64 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::string message = "no error";
    try {
      writeFileAtomically(path, std::string(1024 * 1024, 'x'));
    } catch (const OutputFileError& e) {
      message = e.what();
    }
    (void)!::write(pipeFds[1], message.data(), message.size());
    _exit(0);
  }
  close(pipeFds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, static_cast<size_t>(n));
  close(pipeFds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  INFO(message);
  CHECK(message.find(path + ": writing failed after 64.0 KiB of 1.00 MiB: File too large") != std::string::npos);
  CHECK(message.find("the old file is kept unchanged") != std::string::npos);
  CHECK(readWholeFile(path) == old);
  CHECK(strayFiles(folder, {"baseline.json"}).empty());
}

TEST_CASE("refuseOutputsOverInputs refuses an output that is an input by inode or by path", "[output-file]") {
  const std::string folder = freshFolder("same");
  const std::string song = folder + "/song.mid";
  writePlain(song, "MThd");
  fs::create_hard_link(song, folder + "/hard.mid");
  fs::create_symlink("song.mid", folder + "/soft.mid");
  CHECK(sameFile(song, folder + "/hard.mid"));
  CHECK(sameFile(song, folder + "/soft.mid"));
  CHECK(sameFile(song, folder + "/../same/./song.mid"));
  CHECK(sameFile(folder + "/new.wav", folder + "/./new.wav"));  // neither exists yet
  CHECK_FALSE(sameFile(song, folder + "/other.mid"));
  CHECK_THROWS_WITH(refuseOutputsOverInputs({{folder + "/hard.mid", "the output (-o)"}}, {{song, "the song"}}),
                    Catch::Contains("refusing to write the output (-o) over the song"));
  CHECK_THROWS_WITH(refuseOutputsOverInputs({{folder + "/a.json", "--json"}, {folder + "/./a.json", "--trace"}}, {}),
                    Catch::Contains("named for both --json and --trace"));
  CHECK_NOTHROW(refuseOutputsOverInputs({{"-", "--json"}, {"-", "the output"}, {"", "--csv"}}, {{song, "the song"}}));
}

TEST_CASE("an audio file abandoned before close leaves the old file", "[output-file]") {
  const std::string folder = freshFolder("abandon");
  const std::string path = folder + "/out.wav";
  writePlain(path, "old audio");
  {
    AudioFileWriter writer(path, 44100.0, SampleFormat::Pcm16);
    std::vector<float> silence(4096, 0.0f);
    writer.write(silence.data(), silence.data(), silence.size());
  }  // no close(): an exception or a stop on the way
  CHECK(readWholeFile(path) == "old audio");
  CHECK(strayFiles(folder, {"out.wav"}).empty());
}

// ---- awe-render ---------------------------------------------------------------------------

TEST_CASE("awe-render refuses to write over its song or bank", "[render-tool]") {
  const std::string folder = freshFolder("render-over-input");
  const std::string song = folder + "/song.mid";
  writeShortSong(song);
  const std::string before = readWholeFile(song);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--format", "wav"}}) {
    std::vector<std::string> args{tool("awe-render"), song, "-o", song};
    args.insert(args.end(), extra.begin(), extra.end());
    const Finished f = runTool(args, folder);
    INFO(f.err);
    CHECK(f.exitCode == 4);
    CHECK(f.err.find("refusing to write the output (-o) over the song") != std::string::npos);
    CHECK(readWholeFile(song) == before);
  }
  // The bank through another name of the same file.
  const std::string bank = folder + "/bank.sf2";
  fs::copy_file(builtinBankPath(), bank);
  fs::create_symlink("bank.sf2", folder + "/bank-link.wav");
  const std::string bankBefore = readWholeFile(bank);
  const Finished f = runTool({tool("awe-render"), song, "--sf2", bank, "-o", folder + "/bank-link.wav"}, folder);
  INFO(f.err);
  CHECK(f.exitCode == 4);
  CHECK(f.err.find("over the bank (--sf2)") != std::string::npos);
  CHECK(readWholeFile(bank) == bankBefore);
}

TEST_CASE("awe-render stopped by SIGINT leaves the old output byte for byte", "[render-tool]") {
  const std::string folder = freshFolder("render-interrupted");
  const std::string song = folder + "/long.mid";
  writeLongSong(song, 1800.0);  // half an hour (318 MB): the test stops it after 4 MB
  const std::string out = folder + "/out.wav";
  const std::string old = "RIFF: the user's earlier render";
  writePlain(out, old);

  for (const bool keepPartial : {false, true}) {
    DYNAMIC_SECTION((keepPartial ? "--keep-partial" : "default")) {
      std::vector<std::string> args{tool("awe-render"), song, "-o", out, "-q"};
      if (keepPartial) args.push_back("--keep-partial");
      const Process p = start(args, folder);
      // Wait until the render has written a few MB under its temporary name, then stop it.
      bool writing = false;
      for (int i = 0; i < 6000 && !writing; ++i) {
        for (const auto& entry : fs::directory_iterator(folder)) {
          const std::string name = entry.path().filename().string();
          if (name.rfind(".out.wav.tmp-", 0) == 0 && entry.file_size() > 4 * 1024 * 1024) writing = true;
        }
        if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      REQUIRE(writing);
      kill(p.pid, SIGINT);
      const Finished f = wait(p);
      INFO(f.err);
      CHECK(f.signal == SIGINT);  // it ends by the signal, so a calling script stops too
      CHECK(readWholeFile(out) == old);
      CHECK(f.err.find("interrupted (SIGINT, Ctrl-C) at ") != std::string::npos);
      CHECK(f.err.find(out + " was left as it was") != std::string::npos);
      if (keepPartial) {
        const std::string partial = folder + "/out.partial.wav";
        CHECK(f.err.find("the partial render is in " + partial) != std::string::npos);
        // A whole WAV file: its header agrees with its data.
        const AudioFileData audio = readAudioFile(partial);
        CHECK(audio.left.size() > 44100);
        CHECK(fs::file_size(partial) == 44 + audio.left.size() * 4);
        CHECK(strayFiles(folder, {"long.mid", "out.wav", "out.partial.wav"}).empty());
      } else {
        CHECK(f.err.find("nothing written") != std::string::npos);
        CHECK(strayFiles(folder, {"long.mid", "out.wav"}).empty());
      }
    }
  }
}

TEST_CASE("awe-render on a full disk keeps the old file and says what was lost", "[render-tool]") {
  const std::string folder = freshFolder("render-full");
  const std::string song = folder + "/song.mid";
  writeShortSong(song);
  const std::string out = folder + "/out.wav";
  writePlain(out, "old");
  const Finished f = runTool({tool("awe-render"), song, "-o", out, "-q"}, folder, 100 * 1024);
  INFO(f.err);
  CHECK(f.exitCode == 4);
  CHECK(f.err.find(out + ": writing failed after 0:00.") != std::string::npos);
  CHECK(f.err.find(" of audio: File too large; the old file is kept unchanged") != std::string::npos);
  CHECK(f.err.find("the old file is kept unchanged") != std::string::npos);
  CHECK(readWholeFile(out) == "old");
  CHECK(strayFiles(folder, {"song.mid", "out.wav"}).empty());
}

TEST_CASE("awe-render --max-length cuts a long song and says so; a render the disk cannot hold is refused",
          "[render-tool]") {
  const std::string folder = freshFolder("render-max-length");
  const std::string song = folder + "/long.mid";
  writeLongSong(song, 600.0);
  const std::string out = folder + "/cut.wav";
  const Finished f = runTool({tool("awe-render"), song, "-o", out, "--max-length", "2.5", "-q"}, folder);
  INFO(f.err);
  REQUIRE(f.exitCode == 0);
  CHECK(f.err.find("is 10:00.0 long; rendering only the first 0:02.5 (--max-length)") != std::string::npos);
  CHECK(f.err.find("stopped at --max-length 0:02.5") != std::string::npos);
  CHECK(readAudioFile(out).left.size() == 110250);  // 2.5 s at 44.1 kHz, exactly

  // 100,000 hours of audio (a damaged delta time) with the cap lifted: no disk holds 63 TB.
  const std::string huge = folder + "/huge.mid";
  writeLongSong(huge, 100000 * 3600.0);
  const Finished g = runTool({tool("awe-render"), huge, "-o", folder + "/huge.wav", "--max-length", "100000:00:00"}, folder);
  INFO(g.err);
  CHECK(g.exitCode == 4);
  CHECK(g.err.find("the render needs up to") != std::string::npos);
  CHECK(g.err.find("free; nothing was written") != std::string::npos);
  CHECK_FALSE(fs::exists(folder + "/huge.wav"));
}

TEST_CASE("awe-render writes every format libsndfile has here, by extension or --format; reads back at length and level",
          "[render-tool][formats]") {
  const std::string folder = freshFolder("render-formats");
  const std::string song = folder + "/song.mid";
  writeShortSong(song);
  const std::string reference = folder + "/reference.wav";
  REQUIRE(runTool({tool("awe-render"), song, "-o", reference, "-q", "--sample-format", "float"}, folder).exitCode == 0);
  const AudioFileData ref = readAudioFile(reference);
  const double refLevel_dB = levelDb(ref);
  const double refLength_s = static_cast<double>(ref.left.size()) / ref.sampleRate;
  REQUIRE(refLength_s > 1.0);

  struct Case {
    AudioContainer container;
    std::string file;
    std::vector<std::string> extra;
  };
  const std::vector<Case> cases = {
      {AudioContainer::Wav, "a.wav", {}},           {AudioContainer::Flac, "a.flac", {}},
      {AudioContainer::Aiff, "a.aiff", {}},         {AudioContainer::OggVorbis, "a.ogg", {}},
      {AudioContainer::Opus, "a.opus", {}},         {AudioContainer::Mp3, "a.mp3", {}},
      {AudioContainer::Flac, "named", {"--format", "flac"}},  // no extension: --format decides
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.file) {
      const std::string path = folder + "/" + c.file;
      std::vector<std::string> args{tool("awe-render"), song, "-o", path, "-q", "--sample-format", "pcm24"};
      args.insert(args.end(), c.extra.begin(), c.extra.end());
      const Finished f = runTool(args, folder);
      INFO(f.err);
      if (!containerAvailable(c.container)) {
        CHECK(f.exitCode == 4);
        CHECK(f.err.find("cannot write") != std::string::npos);
        continue;
      }
      REQUIRE(f.exitCode == 0);
      const AudioFileData audio = readAudioFile(path);
      const double length_s = static_cast<double>(audio.left.size()) / audio.sampleRate;
      const double level_dB = levelDb(audio);
      INFO(c.file << ": " << length_s << " s at " << audio.sampleRate << " Hz, " << level_dB << " dB RMS (reference "
                  << refLength_s << " s, " << refLevel_dB << " dB)");
      if (containerIsLossy(c.container)) {
        // Codecs pad to their frame size; Opus renders at 48 kHz (its only rate of ours).
        CHECK(std::fabs(length_s - refLength_s) < 0.1);
        CHECK(std::fabs(level_dB - refLevel_dB) < 0.5);
        if (c.container == AudioContainer::Opus) CHECK(audio.sampleRate == 48000.0);
      } else {
        CHECK(audio.left.size() == ref.left.size());
        CHECK(std::fabs(level_dB - refLevel_dB) < 0.01);  // 24-bit PCM
      }
    }
  }
}

TEST_CASE("awe-render refuses an unknown extension and streams WAV to standard output with -o -", "[render-tool][formats]") {
  const std::string folder = freshFolder("render-stdout");
  const std::string song = folder + "/song.mid";
  writeShortSong(song);
  const Finished bad = runTool({tool("awe-render"), song, "-o", folder + "/x.xyz"}, folder);
  CHECK(bad.exitCode == 4);
  CHECK(bad.err.find("unknown file extension") != std::string::npos);
  CHECK_FALSE(fs::exists(folder + "/x.xyz"));

  // A pipe: the header says "length unknown", the samples follow.
  FILE* pipe = popen((tool("awe-render") + " " + song + " -o - -q 2>" + folder + "/err.txt").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string bytes;
  char buffer[65536];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) bytes.append(buffer, n);
  const int status = pclose(pipe);
  CHECK(WEXITSTATUS(status) == 0);
  REQUIRE(bytes.size() > 44);
  CHECK(bytes.substr(0, 4) == "RIFF");
  CHECK(bytes.substr(8, 8) == "WAVEfmt ");
  CHECK(bytes.substr(36, 4) == "data");
  CHECK((bytes.size() - 44) % 4 == 0);
  // The same samples as a file render, and the summary on stderr, not in the audio.
  const std::string file = folder + "/file.wav";
  REQUIRE(runTool({tool("awe-render"), song, "-o", file, "-q"}, folder).exitCode == 0);
  const std::string fileBytes = readWholeFile(file);
  CHECK(bytes.size() == fileBytes.size());
  CHECK(bytes.substr(44) == fileBytes.substr(fileBytes.size() - (bytes.size() - 44)));
  CHECK(readWholeFile(folder + "/err.txt").find("standard output: ") != std::string::npos);
}
