#include "dashboard/Window.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "dashboard/ControlsPanel.h"
#include "dashboard/Panels.h"
#include "dashboard/Screenshot.h"
#include "dashboard/Shortcuts.h"
#include "monitor/Clock.h"

namespace awe {
namespace {

std::string lastGlfwError;

void onGlfwError(int code, const char* description) {
  lastGlfwError = "GLFW error " + std::to_string(code) + ": " + (description != nullptr ? description : "?");
}

// Files dropped on the window, collected by GLFW's drop callback (called from
// glfwPollEvents on this thread) and handed to the session by drawPlayerWindows().
ControlsState* dropTarget = nullptr;

void onDrop(GLFWwindow*, int count, const char** paths) {
  if (dropTarget != nullptr) collectDroppedFiles(*dropTarget, count, paths);
}

// At most 30 frames per second: the data changes once per audio buffer (~43 times a
// second), and software OpenGL (Xvfb, remote X) costs a lot of CPU per frame.
constexpr auto kFramePeriod = std::chrono::microseconds(33'333);

// One frame's data, read without waiting for the audio thread.
void readFrame(PlayerSession& session, FrameData& frame, std::size_t records) {
  frame.snapshot = session.engine().monitor().snapshot(records);
  frame.statusValid = session.engine().status(frame.status);
  frame.now_ns = frame.snapshot.taken_ns;
}

}  // namespace

WindowOutcome runDashboardWindow(PlayerSession& session, const WindowOptions& options, const std::atomic<bool>& stop) {
  WindowOutcome outcome;

  // ---- setup --------------------------------------------------------------------------------
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((display == nullptr || *display == '\0') && (wayland == nullptr || *wayland == '\0')) {
    outcome.noDisplay = "no display (DISPLAY is not set)";
    return outcome;
  }
  glfwSetErrorCallback(onGlfwError);
  if (glfwInit() == GLFW_FALSE) {
    outcome.noDisplay = "no display: " + (lastGlfwError.empty() ? std::string("glfwInit failed") : lastGlfwError);
    return outcome;
  }
  // OpenGL 3.0 and GLSL 130, as Dear ImGui's example uses on Linux.
  const char* glslVersion = "#version 130";
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  GLFWwindow* window = glfwCreateWindow(options.width, options.height, "awe-player", nullptr, nullptr);
  if (window == nullptr) {
    outcome.noDisplay =
        "no usable display: " + (lastGlfwError.empty() ? std::string("cannot create an OpenGL 3 window") : lastGlfwError);
    glfwTerminate();
    return outcome;
  }
  outcome.opened = true;
  glfwMakeContextCurrent(window);
  glfwSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed: nothing to remember
  applyDashboardStyle();
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init(glslVersion);

  // ---- loop ---------------------------------------------------------------------------------
  DashboardState state;
  state.view = options.monitorView ? DashboardState::View::Monitor : DashboardState::View::Player;
  state.songPathInput = session.songPath();
  state.bankPathInput = session.bankPath();
  state.controls.controlsOpen = options.showControls;
  state.controls.playlistOpen = options.showPlaylist || session.playlist().size() > 1;
  dropTarget = &state.controls;
  glfwSetDropCallback(window, onDrop);
  FrameData frame;
  int framesDrawn = 0;
  auto nextFrame = std::chrono::steady_clock::now();
  while (glfwWindowShouldClose(window) == GLFW_FALSE && !stop.load()) {
    int fbWidth = 0, fbHeight = 0;
    glfwGetFramebufferSize(window, &fbWidth, &fbHeight);
    if (glfwGetWindowAttrib(window, GLFW_ICONIFIED) != 0 || fbWidth == 0 || fbHeight == 0) {
      // Minimised: draw nothing and sleep, waking for events and the quality policy.
      glfwWaitEventsTimeout(static_cast<double>(PlayerSession::kPolicyPeriod_ns) * 1e-9);
      readFrame(session, frame, 0);
      session.update(frame.snapshot, frame.status, frame.statusValid);
      if (options.quitAtEnd && session.songOver()) break;
      continue;
    }
    glfwPollEvents();
    readFrame(session, frame, kPlotRecords);
    session.update(frame.snapshot, frame.status, frame.statusValid);
    if (options.quitAtEnd && session.songOver()) break;

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    drawDashboard(session, frame, state);
    drawPlayerWindows(session, frame, state);
    ImGui::Render();
    glViewport(0, 0, fbWidth, fbHeight);
    glClearColor(0.07f, 0.07f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

    ++framesDrawn;
    if (!options.screenshotPath.empty() && framesDrawn >= options.screenshotFrames) {
      try {
        writeBackBufferPng(options.screenshotPath, fbWidth, fbHeight);
        outcome.screenshot = options.screenshotPath;
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
      break;
    }
    glfwSwapBuffers(window);

    // vsync alone would allow 60 Hz or more (and nothing at all on Xvfb): keep it at 30 Hz.
    nextFrame += kFramePeriod;
    const auto now = std::chrono::steady_clock::now();
    if (nextFrame > now) {
      std::this_thread::sleep_until(nextFrame);
    } else {
      nextFrame = now;
    }
  }

  // ---- cleanup ------------------------------------------------------------------------------
  glfwSetDropCallback(window, nullptr);
  dropTarget = nullptr;
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return outcome;
}

}  // namespace awe
