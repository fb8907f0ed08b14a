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

template <class V, int Interp, bool Filter, int Sends, bool Wrap>
void renderGroupLanes(LaneGroup& g, const int16_t* samples, int frames, float* acc,
                      int busStride) {  // [audio thread]
  using F = typename V::F;
  using I = typename V::I;
  static_assert(kLanes % V::kWidth == 0, "a group is a whole number of register slices");
  for (int lane0 = 0; lane0 < kLanes; lane0 += V::kWidth) {
    I pos = V::loadI(g.pos + lane0);
    F frac = V::loadF(g.frac + lane0);
    I base = pos;  // position = base + floor(t), frac = t - floor(t)
    F t = frac;
    const F inc = V::loadF(g.inc + lane0);
    F gain = V::loadF(g.gain + lane0);
    const F gainStep = V::loadF(g.gainStep + lane0);
    const F panL = V::loadF(g.panLeft + lane0), panR = V::loadF(g.panRight + lane0);
    const F sendR = V::loadF(g.sendReverb + lane0), sendC = V::loadF(g.sendChorus + lane0);
    const F b0 = V::loadF(g.b0 + lane0), b1 = V::loadF(g.b1 + lane0), b2 = V::loadF(g.b2 + lane0);
    const F a1 = V::loadF(g.a1 + lane0), a2 = V::loadF(g.a2 + lane0);
    F z1 = V::loadF(g.z1 + lane0), z2 = V::loadF(g.z2 + lane0);
    const I limit = V::loadI(g.limit + lane0);
    const I wrap = V::loadI(g.wrap + lane0);
    const I floor = V::loadI(g.floor + lane0);
    const I endClamp = V::loadI(g.endClamp + lane0);

    float* busL = acc + kBusLeft * busStride * kLanes + lane0;
    float* busR = acc + kBusRight * busStride * kLanes + lane0;
    float* busRev = acc + kBusReverb * busStride * kLanes + lane0;
    float* busCho = acc + kBusChorus * busStride * kLanes + lane0;

    // Sample s's interpolated point into points[s - from], and the position moved on;
    // LoopAware: the loop-aware taps and position steps, else the plain ones (the same
    // operations where no lane is near its loop's ends, so the same bits).
    alignas(64) F points[kControlBlockFrames];
    int from = 0;
    auto interpolate = [&](int s, auto loopAwareTag) __attribute__((always_inline)) {
      constexpr bool LoopAware = decltype(loopAwareTag)::value;
      F x;
      if (Interp == 2) {
        F sm1, s0, s1, s2;
        if (LoopAware) {
          taps4Wrapped<V>(samples, pos, limit, wrap, floor, sm1, s0, s1, s2);
        } else {
          V::taps4(samples, pos, sm1, s0, s1, s2);
        }
        x = catmullRom<V>(sm1, s0, s1, s2, frac);
      } else if (Interp == 1) {
        F s0, s1;
        if (LoopAware) {
          s0 = V::toFloat(V::gather16(samples, pos));
          s1 = tapWrappedLanes<V>(samples, pos, 1, limit, wrap, floor);
        } else {
          const I g0 = V::gather32(samples, pos);
          s0 = V::toFloat(V::lo16(g0));
          s1 = V::toFloat(V::hi16(g0));
        }
        x = V::madd(frac, V::sub(s1, s0), s0);
      } else {
        x = V::toFloat(V::gather16(samples, pos));
      }
      if (LoopAware) x = V::keep(x, V::cmpgtI(limit, pos));  // one-shot lanes past their end are silent
      points[s - from] = x;

      advancePosition<V>(t, inc, base, pos, frac);
      if (LoopAware) {
        const I back = V::andI(V::cmpgtI(pos, V::subI(limit, V::setI(1))), wrap);
        pos = V::subI(pos, back);
        base = V::subI(base, back);
        // A one-shot lane past its end stays there: freeze its position.
        const I clamped = V::minI(pos, endClamp);
        base = V::subI(base, V::subI(pos, clamped));
        pos = clamped;
      }
    };
    // Sample s's point through the filter, with its gain, into the buses.
    auto filterIntoBuses = [&](int s) __attribute__((always_inline)) {
      F y = Filter ? biquad<V>(points[s - from], b0, b1, b2, a1, a2, z1, z2) : points[s - from];
      // The ramp lands on the block's target gain at its last sample.
      gain = V::add(gain, gainStep);
      y = V::mul(y, gain);

      float* l = busL + s * kLanes;
      float* r = busR + s * kLanes;
      V::storeF(l, V::madd(y, panL, V::loadF(l)));
      V::storeF(r, V::madd(y, panR, V::loadF(r)));
      if (Sends >= kSendsReverb) {
        float* rv = busRev + s * kLanes;
        V::storeF(rv, V::madd(y, sendR, V::loadF(rv)));
      }
      if (Sends == kSendsBoth) {
        float* ch = busCho + s * kLanes;
        V::storeF(ch, V::madd(y, sendC, V::loadF(ch)));
      }
    };
    using Plain = std::integral_constant<bool, false>;
    using LoopAware = std::integral_constant<bool, true>;
    // Two passes over each stretch of up to kControlBlockFrames samples, as
    // renderGroupsPlainLanes makes them: the interpolation, then the filter and the buses.
    for (; from < frames; from += kControlBlockFrames) {
      const int to = std::min(frames, from + kControlBlockFrames);
      if (!Wrap) {
        for (int s = from; s < to; ++s) interpolate(s, Plain{});
      } else {
        // Most samples of a loop-aware group are far from every lane's loop ends: those run
        // the plain body, and the loop-aware one only near an end. A slice whose lanes stay
        // near (a loop of a few points) soon runs the rest of the stretch loop-aware.
        bool lastRunEmpty = false;
        for (int s = from; s < to;) {
          const int run = plainRunLanes<V>(pos, base, t, inc, limit, floor, endClamp, to - s);
          for (const int end = s + run; s < end; ++s) interpolate(s, Plain{});
          const int aware = run == 0 && lastRunEmpty ? to - s : std::min(kLoopAwareRun, to - s);
          lastRunEmpty = run == 0;
          for (const int end = s + aware; s < end; ++s) interpolate(s, LoopAware{});
        }
      }
      for (int s = from; s < to; ++s) filterIntoBuses(s);
    }
    V::storeI(g.pos + lane0, pos);
    V::storeF(g.frac + lane0, frac);
    V::storeF(g.gain + lane0, gain);
    V::storeF(g.z1 + lane0, z1);
    V::storeF(g.z2 + lane0, z2);
  }
}

// One register slice (V::kWidth lanes from lane0) of a group on the plain path, in
// registers: interpolate() then filter() is the loop body of renderGroupLanes without its
// loop handling, the same operations on the same values, so it gives the same bits.
template <class V, int Interp, bool Filter>
struct PlainSlice {
  using F = typename V::F;
  using I = typename V::I;
  I pos, base;
  F frac, t, inc, gain, gainStep;
  F b0, b1, b2, a1, a2, z1, z2;

  PlainSlice() noexcept = default;
  PlainSlice(const LaneGroup& g, int lane0) noexcept  // [audio thread]
      : pos(V::loadI(g.pos + lane0)), base(pos), frac(V::loadF(g.frac + lane0)), t(frac),
        inc(V::loadF(g.inc + lane0)), gain(V::loadF(g.gain + lane0)), gainStep(V::loadF(g.gainStep + lane0)),
        b0(V::loadF(g.b0 + lane0)), b1(V::loadF(g.b1 + lane0)), b2(V::loadF(g.b2 + lane0)),
        a1(V::loadF(g.a1 + lane0)), a2(V::loadF(g.a2 + lane0)),
        z1(V::loadF(g.z1 + lane0)), z2(V::loadF(g.z2 + lane0)) {}

  // This sample's interpolated point, and the position moved on to the next.
  inline __attribute__((always_inline)) F interpolate(const int16_t* samples) noexcept {  // [audio thread]
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

  // That point through the filter, with its gain.
  inline __attribute__((always_inline)) F filter(F x) noexcept {  // [audio thread]
    F y = Filter ? biquad<V>(x, b0, b1, b2, a1, a2, z1, z2) : x;
    gain = V::add(gain, gainStep);
    return V::mul(y, gain);
  }

  void store(LaneGroup& g, int lane0) const noexcept {  // [audio thread]
    V::storeI(g.pos + lane0, pos);
    V::storeF(g.frac + lane0, frac);
    V::storeF(g.gain + lane0, gain);
    V::storeF(g.z1 + lane0, z1);
    V::storeF(g.z2 + lane0, z2);
  }
};

// `Groups` groups on the plain path at once, every register slice of each side by side:
// their filters' recursions (a chain of dependent multiply-adds from sample to sample)
// overlap instead of following one another. A bus lane adds the groups in order, as
// renderGroupLanes called on each in turn would: the same sums, to the bit.
template <class V, int Interp, bool Filter, int Sends, int Groups>
void renderGroupsPlainLanes(LaneGroup* const (&groupsIn)[Groups], const int16_t* samples, int frames, float* acc,
                            int busStride) {  // [audio thread]
  // The group pointers held here: read through the caller's array, they would be read
  // again after every bus store (the compiler cannot tell the two apart).
  LaneGroup* groups[Groups];
  for (int k = 0; k < Groups; ++k) groups[k] = groupsIn[k];
  using F = typename V::F;
  constexpr int kSlices = kLanes / V::kWidth;
  static_assert(kLanes % V::kWidth == 0, "a group is a whole number of register slices");
  PlainSlice<V, Interp, Filter> slices[Groups][kSlices] = {};
  for (int k = 0; k < Groups; ++k) {
    for (int c = 0; c < kSlices; ++c) slices[k][c] = PlainSlice<V, Interp, Filter>(*groups[k], c * V::kWidth);
  }
  // Two passes over each stretch of up to kControlBlockFrames samples: first every slice's
  // interpolation (its only recursion the position's), then the filters, gains and bus
  // sums. Interleaved in one pass, both passes' state would not fit the register file, and
  // the compiler spilled the filter state: its recursion waited on a reload every sample.
  // Each value goes through the same operations, so the bits are the same.
  alignas(64) F points[kControlBlockFrames][Groups][kSlices];
  for (int from = 0; from < frames; from += kControlBlockFrames) {
    const int n = std::min(kControlBlockFrames, frames - from);
    for (int s = 0; s < n; ++s) {
      for (int c = 0; c < kSlices; ++c) {
        for (int k = 0; k < Groups; ++k) points[s][k][c] = slices[k][c].interpolate(samples);
      }
    }
    for (int s = from; s < from + n; ++s) {
      for (int c = 0; c < kSlices; ++c) {
        const int lane0 = c * V::kWidth;
        F y[Groups];
        for (int k = 0; k < Groups; ++k) y[k] = slices[k][c].filter(points[s - from][k][c]);
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
  }
  for (int k = 0; k < Groups; ++k) {
    for (int c = 0; c < kSlices; ++c) slices[k][c].store(*groups[k], c * V::kWidth);
  }
}

// The two-group kernel of a kernel set built on renderGroupsPlainLanes.
template <class V, int Interp, bool Filter, int Sends>
void renderGroupPairLanes(LaneGroup& first, LaneGroup& second, const int16_t* samples, int frames, float* acc,
                          int busStride) {  // [audio thread]
  LaneGroup* const groups[2] = {&first, &second};
  renderGroupsPlainLanes<V, Interp, Filter, Sends, 2>(groups, samples, frames, acc, busStride);
}

}  // namespace
}  // namespace awe
