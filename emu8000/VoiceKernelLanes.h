#pragma once
// The voice kernel's per-sample body, written once for any register width: a kernel file
// supplies `V`, a struct of its instruction set's vector operations on V::kWidth lanes
// (kWidth divides kLanes), and the body walks the group's lanes in slices of that width.
// The AVX2 kernel (VoiceKernelLanes8.h, one 8-lane slice) and the SSE2 kernel
// (VoiceKernelSse2.cpp, two 4-lane slices) are this body. Included only by kernel files,
// each compiled for its own instruction set; everything here has internal linkage.
//
// What V holds (F: float vector, I: int32 vector):
//   loadF/storeF, loadI/storeI (aligned), setF, setI;
//   add, sub, mul, div on F; madd(a, b, c) = a * b + c; nmadd(a, b, c) = c - a * b (fused where
//   the instruction set has it); addI, subI, andI, orI, cmpgtI (all ones where a > b), minI;
//   keep(x, mask): x where mask is all ones, 0 elsewhere; select(mask, a, b): a where mask
//   is all ones, b elsewhere; any(mask): whether some lane's mask is set; toFloat (int32 -> float);
//   split(t, whole, wholeF): floor(t) for t >= 0 as int32 and as float;
//   lo16/hi16: the sign-extended low/high int16 of each int32;
//   gather32(samples, index): the four bytes at samples[index] (index low, index + 1 high);
//   gather16(samples, index): samples[index], sign-extended;
//   taps4(samples, pos, sm1, s0, s1, s2): the points at pos - 1 .. pos + 2 as floats.
#include <algorithm>
#include <type_traits>

#include "emu8000/VoiceKernel.h"

namespace awe {
namespace {

template <class V>
typename V::F tapWrappedLanes(const int16_t* samples, typename V::I pos, int k, typename V::I limit,
                              typename V::I wrap, typename V::I floor) {  // [audio thread]
  typename V::I t = V::addI(pos, V::setI(k));
  if (k < 0) {
    t = V::addI(t, V::andI(V::cmpgtI(floor, t), wrap));
  } else if (k > 0) {
    t = V::subI(t, V::andI(V::cmpgtI(t, V::subI(limit, V::setI(1))), wrap));
  }
  return V::toFloat(V::gather16(samples, t));
}

// The four cubic taps of lanes that may be near their loop's ends: points pos - 1 .. pos + 2,
// where a point at or past the limit is read one loop length back and a point before the
// floor one loop length on (as tapWrappedLanes reads them). A lane needs at most one of
// the two moves unless its loop is shorter than four points, so the points come from two
// runs of four: at pos, and at pos moved by the loop length where the lane needs it.
template <class V>
inline __attribute__((always_inline)) void taps4Wrapped(const int16_t* samples, typename V::I pos,
                                                         typename V::I limit, typename V::I wrap, typename V::I floor,
                                                         typename V::F& sm1, typename V::F& s0, typename V::F& s1,
                                                         typename V::F& s2) {  // [audio thread]
  using I = typename V::I;
  const I lastInLoop = V::subI(limit, V::setI(1));
  const I pastEnd2 = V::cmpgtI(V::addI(pos, V::setI(2)), lastInLoop);  // point pos + 2 wraps back
  const I beforeFloor = V::cmpgtI(floor, V::subI(pos, V::setI(1)));   // point pos - 1 wraps on
  if (V::any(V::andI(pastEnd2, beforeFloor))) {  // a loop under four points: point by point
    sm1 = tapWrappedLanes<V>(samples, pos, -1, limit, wrap, floor);
    s0 = V::toFloat(V::gather16(samples, pos));
    s1 = tapWrappedLanes<V>(samples, pos, 1, limit, wrap, floor);
    s2 = tapWrappedLanes<V>(samples, pos, 2, limit, wrap, floor);
    return;
  }
  V::taps4(samples, pos, sm1, s0, s1, s2);
  if (!V::any(V::orI(pastEnd2, beforeFloor))) return;
  const I moved = V::addI(V::subI(pos, V::andI(pastEnd2, wrap)), V::andI(beforeFloor, wrap));
  typename V::F msm1, ms0, ms1, ms2;
  V::taps4(samples, moved, msm1, ms0, ms1, ms2);
  const I pastEnd1 = V::cmpgtI(V::addI(pos, V::setI(1)), lastInLoop);  // point pos + 1 wraps back
  sm1 = V::select(beforeFloor, msm1, sm1);
  s1 = V::select(pastEnd1, ms1, s1);
  s2 = V::select(pastEnd2, ms2, s2);
}

// 4-point Catmull-Rom (cubic Hermite) in Horner form, at `frac` between s0 and s1.
template <class V>
inline __attribute__((always_inline)) typename V::F catmullRom(typename V::F sm1, typename V::F s0, typename V::F s1,
                                                                typename V::F s2, typename V::F frac) {  // [audio thread]
  using F = typename V::F;
  const F half = V::setF(0.5f), onePointFive = V::setF(1.5f);
  const F two = V::setF(2.0f), twoPointFive = V::setF(2.5f);
  const F c1 = V::mul(half, V::sub(s1, sm1));
  const F c2 = V::nmadd(half, s2, V::madd(two, s1, V::nmadd(twoPointFive, s0, sm1)));
  const F c3 = V::madd(half, V::sub(s2, sm1), V::mul(onePointFive, V::sub(s0, s1)));
  return V::madd(V::madd(V::madd(c3, frac, c2), frac, c1), frac, s0);
}

// One sample through the biquad (transposed direct form II), its state in z1, z2.
template <class V>
inline __attribute__((always_inline)) typename V::F biquad(typename V::F x, typename V::F b0, typename V::F b1,
                                                            typename V::F b2, typename V::F a1, typename V::F a2,
                                                            typename V::F& z1, typename V::F& z2) {  // [audio thread]
  const typename V::F y = V::madd(b0, x, z1);
  z1 = V::nmadd(a1, y, V::madd(b1, x, z2));
  z2 = V::nmadd(a2, y, V::mul(b2, x));
  return y;
}

// The next sample's position: t runs from the block's starting fraction in steps of inc,
// so the only chain carried from sample to sample is one add (no floor in the
// loop-carried path); position = base + floor(t), frac = t - floor(t).
template <class V>
inline __attribute__((always_inline)) void advancePosition(typename V::F& t, typename V::F inc, typename V::I base,
                                                           typename V::I& pos, typename V::F& frac) {  // [audio thread]
  t = V::add(t, inc);
  typename V::I whole;
  typename V::F wholeF;
  V::split(t, whole, wholeF);
  pos = V::addI(base, whole);
  frac = V::sub(t, wholeF);
}

// Samples a loop-aware run takes on the loop-aware body before it looks again for a plain run.
constexpr int kLoopAwareRun = 4;

// How many of the next samples (at most maxRun) the slice can render on the plain body
// with the loop-aware one's result: every lane's taps (pos - 1 .. pos + 2) inside
// [floor, limit) and its position at most endClamp, up to and including the position the
// last of them steps to. Positions only grow on the plain body (base fixed, t + inc each
// sample), so the bound is on the run's final position: base + floor(t + k inc) <= last.
// The point of margin covers t's rounding over a block (under 0.01 point).
template <class V>
int plainRunLanes(typename V::I pos, typename V::I base, typename V::F t, typename V::F inc, typename V::I limit,
                  typename V::I floor, typename V::I endClamp, int maxRun) {  // [audio thread]
  using F = typename V::F;
  using I = typename V::I;
  if (V::any(V::cmpgtI(floor, V::subI(pos, V::setI(1))))) return 0;  // point pos - 1 is before the loop
  const I last = V::minI(V::subI(limit, V::setI(3)), endClamp);
  const F room = V::sub(V::sub(V::toFloat(V::subI(last, base)), t), V::setF(1.0f));
  alignas(64) float steps[V::kWidth];
  V::storeF(steps, V::div(room, inc));
  float fewest = static_cast<float>(maxRun);
  for (int k = 0; k < V::kWidth; ++k) {
    if (!(steps[k] >= 0.0f)) return 0;  // NaN (no room, no increment) too
    fewest = std::min(fewest, steps[k]);
  }
  return static_cast<int>(fewest);
}

// The loop fields of a register slice (V::kWidth lanes from lane0), which only the
// loop-aware path reads.
template <class V>
struct SliceLoop {
  typename V::I limit, wrap, floor, endClamp;

  SliceLoop(const LaneGroup& g, int lane0) noexcept  // [audio thread]
      : limit(V::loadI(g.limit + lane0)), wrap(V::loadI(g.wrap + lane0)), floor(V::loadI(g.floor + lane0)),
        endClamp(V::loadI(g.endClamp + lane0)) {}
};

// Where a register slice plays and how it moves on, in registers: position = base +
// floor(t), frac = t - floor(t), with t stepping by inc from the fraction the kernel call
// started at (see advancePosition).
template <class V>
struct SlicePosition {
  using F = typename V::F;
  using I = typename V::I;
  I pos, base;
  F frac, t, inc;

  SlicePosition() noexcept = default;
  SlicePosition(const LaneGroup& g, int lane0) noexcept  // [audio thread]
      : pos(V::loadI(g.pos + lane0)), base(pos), frac(V::loadF(g.frac + lane0)), t(frac),
        inc(V::loadF(g.inc + lane0)) {}

  // t afresh from the fraction, as a kernel call starts from the stored position: a
  // block's loop-aware part, after its plain part, steps as a call of its own would.
  void restart() noexcept {  // [audio thread]
    base = pos;
    t = frac;
  }

  // This sample's interpolated point, and the position moved on, on the plain path: every
  // lane's taps inside its loop.
  template <int Interp>
  inline __attribute__((always_inline)) F plainPoint(const int16_t* samples) noexcept {  // [audio thread]
    F x;
    if (Interp == 2) {
      F sm1, s0, s1, s2;
      V::taps4(samples, pos, sm1, s0, s1, s2);
      x = catmullRom<V>(sm1, s0, s1, s2, frac);
    } else if (Interp == 1) {
      const I g0 = V::gather32(samples, pos);
      const F s0 = V::toFloat(V::lo16(g0));
      const F s1 = V::toFloat(V::hi16(g0));
      x = V::madd(frac, V::sub(s1, s0), s0);
    } else {
      x = V::toFloat(V::gather16(samples, pos));
    }
    advancePosition<V>(t, inc, base, pos, frac);
    return x;
  }

  // The same on the loop-aware path: taps past the loop's end read from its start, the
  // position wraps, and a one-shot lane past its sample's end is silent and stays there.
  // Where no lane is near its loop's ends, the same operations as plainPoint's.
  template <int Interp>
  inline __attribute__((always_inline)) F loopAwarePoint(const int16_t* samples,
                                                         const SliceLoop<V>& loop) noexcept {  // [audio thread]
    F x;
    if (Interp == 2) {
      F sm1, s0, s1, s2;
      taps4Wrapped<V>(samples, pos, loop.limit, loop.wrap, loop.floor, sm1, s0, s1, s2);
      x = catmullRom<V>(sm1, s0, s1, s2, frac);
    } else if (Interp == 1) {
      const F s0 = V::toFloat(V::gather16(samples, pos));
      const F s1 = tapWrappedLanes<V>(samples, pos, 1, loop.limit, loop.wrap, loop.floor);
      x = V::madd(frac, V::sub(s1, s0), s0);
    } else {
      x = V::toFloat(V::gather16(samples, pos));
    }
    x = V::keep(x, V::cmpgtI(loop.limit, pos));
    advancePosition<V>(t, inc, base, pos, frac);
    const I back = V::andI(V::cmpgtI(pos, V::subI(loop.limit, V::setI(1))), loop.wrap);
    pos = V::subI(pos, back);
    base = V::subI(base, back);
    const I clamped = V::minI(pos, loop.endClamp);
    base = V::subI(base, V::subI(pos, clamped));
    pos = clamped;
    return x;
  }

  // `count` samples' points on the loop-aware path into out[0], out[stride], ...: most of
  // them are far from every lane's loop ends and run the plain body, and the loop-aware one
  // runs only near an end. A slice whose lanes stay near (a loop of a few points) soon runs
  // the rest loop-aware.
  template <int Interp>
  inline __attribute__((always_inline)) void loopAwarePoints(const int16_t* samples, const SliceLoop<V>& loop,
                                                             F* out, int stride, int count) noexcept {  // [audio thread]
    bool lastRunEmpty = false;
    for (int s = 0; s < count;) {
      const int run = plainRunLanes<V>(pos, base, t, inc, loop.limit, loop.floor, loop.endClamp, count - s);
      for (const int end = s + run; s < end; ++s) out[s * stride] = plainPoint<Interp>(samples);
      const int aware = run == 0 && lastRunEmpty ? count - s : std::min(kLoopAwareRun, count - s);
      lastRunEmpty = run == 0;
      for (const int end = s + aware; s < end; ++s) out[s * stride] = loopAwarePoint<Interp>(samples, loop);
    }
  }

  void store(LaneGroup& g, int lane0) const noexcept {  // [audio thread]
    V::storeI(g.pos + lane0, pos);
    V::storeF(g.frac + lane0, frac);
  }
};

// A register slice's gain ramp and low-pass, in registers.
template <class V, bool Filter>
struct SliceFilter {
  using F = typename V::F;
  F gain, gainStep;
  F b0, b1, b2, a1, a2, z1, z2;

  SliceFilter() noexcept = default;
  SliceFilter(const LaneGroup& g, int lane0) noexcept  // [audio thread]
      : gain(V::loadF(g.gain + lane0)), gainStep(V::loadF(g.gainStep + lane0)),
        b0(V::loadF(g.b0 + lane0)), b1(V::loadF(g.b1 + lane0)), b2(V::loadF(g.b2 + lane0)),
        a1(V::loadF(g.a1 + lane0)), a2(V::loadF(g.a2 + lane0)),
        z1(V::loadF(g.z1 + lane0)), z2(V::loadF(g.z2 + lane0)) {}

  // A point through the filter, with its gain: the ramp lands on the block's target gain
  // at its last sample.
  inline __attribute__((always_inline)) F apply(F x) noexcept {  // [audio thread]
    F y = Filter ? biquad<V>(x, b0, b1, b2, a1, a2, z1, z2) : x;
    gain = V::add(gain, gainStep);
    return V::mul(y, gain);
  }

  void store(LaneGroup& g, int lane0) const noexcept {  // [audio thread]
    V::storeF(g.gain + lane0, gain);
    V::storeF(g.z1 + lane0, z1);
    V::storeF(g.z2 + lane0, z2);
  }
};

// `frames` samples (at most kControlBlockFrames) of `Groups` groups, added to the buses.
// Split: group k takes its first plain[k] samples on the plain path and the rest on the
// loop-aware path; else every sample on the plain path. The result has the bits of one
// kernel call per group and part, group after group: each lane's values go through the
// same operations, and a bus lane adds the groups in order.
//
// Two passes over the block: first every slice's interpolation (its only recursion the
// position's), then the filters, gains and bus sums. Interleaved in one pass, both passes'
// state would not fit the register file, and the compiler spilled the filter state: its
// recursion waited on a reload every sample. Two groups side by side overlap their
// filters' recursions (a chain of dependent multiply-adds from sample to sample).
template <class V, int Interp, bool Filter, int Sends, int Groups, bool Split>
void renderGroupsLanes(LaneGroup* const (&groupsIn)[Groups], const int (&plain)[Groups], const int16_t* samples,
                       int frames, float* acc, int busStride) {  // [audio thread]
  // The group pointers held here: read through the caller's array, they would be read
  // again after every bus store (the compiler cannot tell the two apart).
  LaneGroup* groups[Groups];
  for (int k = 0; k < Groups; ++k) groups[k] = groupsIn[k];
  using F = typename V::F;
  constexpr int kSlices = kLanes / V::kWidth;
  static_assert(kLanes % V::kWidth == 0, "a group is a whole number of register slices");
  SlicePosition<V> at[Groups][kSlices];
  SliceFilter<V, Filter> filters[Groups][kSlices];
  for (int k = 0; k < Groups; ++k) {
    for (int c = 0; c < kSlices; ++c) {
      at[k][c] = SlicePosition<V>(*groups[k], c * V::kWidth);
      filters[k][c] = SliceFilter<V, Filter>(*groups[k], c * V::kWidth);
    }
  }
  alignas(64) F points[kControlBlockFrames][Groups][kSlices];
  // The samples every group takes on the plain path, side by side; then each group's own.
  int common = frames;
  for (int k = 0; Split && k < Groups; ++k) common = std::min(common, plain[k]);
  for (int s = 0; s < common; ++s) {
    for (int c = 0; c < kSlices; ++c) {
      for (int k = 0; k < Groups; ++k) points[s][k][c] = at[k][c].template plainPoint<Interp>(samples);
    }
  }
  if (Split) {
    for (int k = 0; k < Groups; ++k) {
      const int plainFrames = std::min(plain[k], frames);
      for (int c = 0; c < kSlices; ++c) {
        SlicePosition<V>& p = at[k][c];
        for (int s = common; s < plainFrames; ++s) points[s][k][c] = p.template plainPoint<Interp>(samples);
        if (plainFrames == frames) continue;
        p.restart();
        p.template loopAwarePoints<Interp>(samples, SliceLoop<V>(*groups[k], c * V::kWidth),
                                           &points[plainFrames][k][c], Groups * kSlices, frames - plainFrames);
      }
    }
  }
  for (int s = 0; s < frames; ++s) {
    for (int c = 0; c < kSlices; ++c) {
      const int lane0 = c * V::kWidth;
      F y[Groups];
      for (int k = 0; k < Groups; ++k) y[k] = filters[k][c].apply(points[s][k][c]);
      float* l = acc + (kBusLeft * busStride + s) * kLanes + lane0;
      float* r = acc + (kBusRight * busStride + s) * kLanes + lane0;
      F sumL = V::loadF(l), sumR = V::loadF(r);
      for (int k = 0; k < Groups; ++k) {
        sumL = V::madd(y[k], V::loadF(groups[k]->panLeft + lane0), sumL);
        sumR = V::madd(y[k], V::loadF(groups[k]->panRight + lane0), sumR);
      }
      V::storeF(l, sumL);
      V::storeF(r, sumR);
      if (Sends >= kSendsReverb) {
        float* rv = acc + (kBusReverb * busStride + s) * kLanes + lane0;
        F sum = V::loadF(rv);
        for (int k = 0; k < Groups; ++k) sum = V::madd(y[k], V::loadF(groups[k]->sendReverb + lane0), sum);
        V::storeF(rv, sum);
      }
      if (Sends == kSendsBoth) {
        float* ch = acc + (kBusChorus * busStride + s) * kLanes + lane0;
        F sum = V::loadF(ch);
        for (int k = 0; k < Groups; ++k) sum = V::madd(y[k], V::loadF(groups[k]->sendChorus + lane0), sum);
        V::storeF(ch, sum);
      }
    }
  }
  for (int k = 0; k < Groups; ++k) {
    for (int c = 0; c < kSlices; ++c) {
      at[k][c].store(*groups[k], c * V::kWidth);
      filters[k][c].store(*groups[k], c * V::kWidth);
    }
  }
}

// The kernels of a kernel set built on renderGroupsLanes: one group on the plain path
// (Wrap false) or the loop-aware path, two groups on the plain path, and two groups each
// split into a plain and a loop-aware part.
template <class V, int Interp, bool Filter, int Sends, bool Wrap>
void renderGroupLanes(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                      int busStride) {  // [audio thread]
  LaneGroup* const groups[1] = {&g};
  const int plain[1] = {0};
  renderGroupsLanes<V, Interp, Filter, Sends, 1, Wrap>(groups, plain, samples, frames, acc, busStride);
}

template <class V, int Interp, bool Filter, int Sends>
void renderGroupPairLanes(LaneGroup& first, LaneGroup& second, const int16_t* samples, int frames, float* acc,
                          int busStride) {  // [audio thread]
  LaneGroup* const groups[2] = {&first, &second};
  const int plain[2] = {frames, frames};
  renderGroupsLanes<V, Interp, Filter, Sends, 2, false>(groups, plain, samples, frames, acc, busStride);
}

template <class V, int Interp, bool Filter, int Sends>
void renderGroupPairSplitLanes(LaneGroup& first, int firstPlain, LaneGroup& second, int secondPlain,
                               const int16_t* samples, int frames, float* acc, int busStride) {  // [audio thread]
  LaneGroup* const groups[2] = {&first, &second};
  const int plain[2] = {firstPlain, secondPlain};
  renderGroupsLanes<V, Interp, Filter, Sends, 2, true>(groups, plain, samples, frames, acc, busStride);
}

}  // namespace
}  // namespace awe
