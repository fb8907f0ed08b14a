#pragma once
// Fixed capacities and defaults of the synth, in one place (sfizz style). Everything the
// audio thread needs is sized from these before it starts.
#include <cstddef>
#include <cstdint>

namespace awe {

constexpr double kDefaultSampleRate = 44100.0;  // output rate of every tool unless --rate says otherwise
// The EMU8000's own, fixed rate: every register time (envelope, LFO delay, effect delay
// lines) and the pitch ceiling count samples at this rate, whatever the output rate.
constexpr double kChipRate = 44100.0;
// The one default of every tool (player, render, bench): the EMU8000's 32 oscillators, so a
// song steals voices as it did on the card, the same in a render as in the player.
// --polyphony (up to kMaxPolyphony) lifts it for modern banks and stress.
constexpr int kDefaultPolyphony = 32;
constexpr int kMaxPolyphony = 65536;        // upper bound for stress runs
constexpr int kMidiChannels = 16;
constexpr int kDrumChannel = 9;             // MIDI channel 10
constexpr uint16_t kDrumBank = 128;

// Envelopes, LFOs, pitch and filter coefficients are updated once per control block;
// the voice kernel ramps gain linearly inside it. 32 samples = 0.726 ms at 44.1 kHz, the
// EMU8000's envelope-delay unit, so stage corners are placed within one block.
constexpr int kControlBlockFrames = 32;
// The synth renders up to this many frames of a render call (no MIDI event inside: the
// engine cuts its calls at events) group by group: each group's control blocks in turn,
// while its voices are in this core's cache, so thousands of voices cross from the outer
// cache once per span instead of once per block. The sums are those of block by block.
constexpr int kRenderSpanFrames = 4 * kControlBlockFrames;

// Voices are processed in groups of this many lanes (SoA, one SIMD register per field).
constexpr int kLanes = 8;
// The unit of work handed to a render thread, and of the mix order: the voices of a chunk
// sum together, then the chunks in order (Synth's renderSpan), whatever the thread count.
// Each chunk's lane sums are folded to four buses once per span, and the chunks' buses added
// on the audio thread: 16 groups (128 voices, about 25 us per span) halve that against 8
// (10,000 voices: 0.98 of the time) and still leave 8 chunks to share out at 1,000 voices;
// a hand-out costs tens of ns.
constexpr int kGroupsPerChunk = 16;
constexpr int kVoicesPerChunk = kGroupsPerChunk * kLanes;
// --threads: the audio thread and up to this many minus one voice workers.
constexpr int kMaxRenderThreads = 8;

constexpr int kMaxModulatorsPerVoice = 64;  // SF2 defaults + instrument + preset modulators

// Guard samples around the bank's sample block so interpolation taps never leave it.
// The tail guard also covers a finished one-shot voice overshooting its end within one
// control block at the highest allowed pitch ratio.
constexpr double kMaxPitchRatio = 64.0;     // hard cap on the playback increment
constexpr int kSampleGuardFront = 8;
constexpr int kSampleGuardBack = static_cast<int>(kControlBlockFrames * kMaxPitchRatio) + 16;

// Voices fade out this fast when cut by an exclusive class or "all sound off".
constexpr double kFastReleaseSeconds = 0.005;
// A voice whose volume envelope falls below this is finished (EMU8000: -96 dB floor).
constexpr double kVoiceOffAttenuation_dB = 96.0;

}  // namespace awe
