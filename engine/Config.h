#pragma once
// Defaults and fixed capacities of the engine, in one place (as emu8000/Config.h holds the
// synth's). The sample rate default is the synth's kDefaultSampleRate; everything the audio
// thread uses is sized from these (or from EngineSettings made from them) before it starts.
#include <cstddef>
#include <cstdint>

#include "emu8000/Config.h"  // kDefaultSampleRate, kDefaultPolyphony

namespace awe {

// Frames per audio buffer unless --frames (or a JACK server) says otherwise: 23.2 ms at
// 44.1 kHz, the design's budget.
constexpr uint32_t kDefaultBufferFrames = 1024;

// Queue capacities (EngineSettings defaults). A full queue drops and counts; it never waits.
constexpr std::size_t kDefaultMidiQueueCapacity = 4096;     // live MIDI events, MIDI thread -> audio
constexpr std::size_t kDefaultCommandQueueCapacity = 1024;  // commands, control -> audio
constexpr std::size_t kDefaultMaxLiveEventsPerBuffer = 1024;  // more wait for the next buffer

// Banks and sequencers the audio thread hands back to the control thread to be freed. A
// few swaps per buffer at the most; a full queue keeps them in kUnreturnedSlots until the
// next buffer.
constexpr std::size_t kReturnedQueueCapacity = 64;
constexpr std::size_t kUnreturnedSlots = 8;

// SCHED_FIFO priority of the threads awe starts itself for audio (the paced clock's audio
// thread, the voice workers) where the system allows it; the JACK server and RtAudio set their own.
constexpr int kAudioThreadPriority = 70;

// The channel meters and keyboards (Synth::channelSounding, gathered as the voices render)
// are for eyes, and the player redraws at 60 Hz (16.7 ms): below this many frames per buffer
// they are gathered once per this many frames (5.8 ms at 44.1 kHz), not every buffer.
constexpr std::size_t kChannelScanInterval_frames = 256;

}  // namespace awe
