// node --test: the playback jitter buffer (start threshold, underrun, barge-in flush).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BUFFERING, JitterBuffer, PLAYING } from "./jitter.js";

const Q = 128; // one Web Audio render quantum
const dc = (n, v = 0.5) => new Float32Array(n).fill(v);
function render(jb, quanta) {
  const out = new Float32Array(quanta * Q);
  for (let q = 0; q < quanta; q++) jb.read(out.subarray(q * Q, (q + 1) * Q));
  return out;
}
const maxStep = (x) => x.reduce((m, v, i) => (i ? Math.max(m, Math.abs(v - x[i - 1])) : 0), 0);

test("stays silent until ~100 ms are buffered, then plays everything in order", () => {
  const jb = new JitterBuffer({ startSamples: 4800, fadeSamples: 64 }); // 100 ms at 48 kHz
  const ramp = Float32Array.from({ length: 9600 }, (_, i) => (i % 1000) / 2000);
  jb.push(ramp.subarray(0, 4000));
  assert.equal(Math.max(...render(jb, 2)), 0);
  assert.equal(jb.state, BUFFERING);
  jb.push(ramp.subarray(4000));
  const out = render(jb, 75); // 9600 samples
  assert.equal(jb.state, BUFFERING, "drained at the end");
  for (let i = 64; i < 9600 - 64; i++) assert.equal(out[i], ramp[i], `sample ${i}`);
  assert.equal(jb.stats.played, 9600);
});

test("a short last phrase below the threshold still plays after a quiet period", () => {
  const jb = new JitterBuffer({ startSamples: 4800 });
  jb.push(dc(1000));
  const out = render(jb, 50);
  assert.equal(jb.stats.played, 1000);
  assert.ok(out.slice(0, 4800 - Q).every((v) => v === 0), "waited about 100 ms first");
  assert.ok(out.some((v) => v > 0.4));
});

test("underrun fades to silence instead of clicking, and fades back in", () => {
  const jb = new JitterBuffer({ startSamples: 256, fadeSamples: 64 });
  jb.push(dc(1000));
  const first = render(jb, 10); // 1280 samples: runs dry mid-way
  assert.equal(jb.stats.underruns, 1);
  assert.ok(maxStep(first) < 0.02, `max step ${maxStep(first)}`);
  jb.push(dc(1000));
  const second = render(jb, 10);
  assert.ok(maxStep(second) < 0.02, `max step after resume ${maxStep(second)}`);
  assert.ok(second.some((v) => v === 0.5));
});

test("flush drops queued audio at once, without a pop", () => {
  const jb = new JitterBuffer({ startSamples: 480, fadeSamples: 64 });
  jb.push(dc(48000)); // one second queued
  render(jb, 10);
  assert.equal(jb.state, PLAYING);
  const dropped = jb.flush();
  assert.ok(dropped > 48000 - 1280 - 64 - 1 && dropped <= 48000 - 1280, `dropped ${dropped}`);
  assert.equal(jb.stats.dropped, dropped);
  assert.equal(jb.stats.flushes, 1);
  const after = render(jb, 4);
  assert.ok(after.subarray(64).every((v) => v === 0), "silent within the fade");
  assert.ok(maxStep(after) < 0.02);
  assert.equal(jb.buffered, 0);
  // the next turn starts normally
  jb.push(dc(2000, 0.25));
  const next = render(jb, 20);
  assert.ok(next.some((v) => v === 0.25));
});

test("flush while still buffering drops everything", () => {
  const jb = new JitterBuffer({ startSamples: 4800 });
  jb.push(dc(1000));
  assert.equal(jb.flush(), 1000);
  assert.equal(Math.max(...render(jb, 60)), 0);
});

test("grows for bursts faster than real time and keeps order", () => {
  const jb = new JitterBuffer({ startSamples: 128, fadeSamples: 1 });
  const n = 100000;
  const seq = Float32Array.from({ length: n }, (_, i) => (i % 997) / 997);
  for (let off = 0; off < n; off += 4800) jb.push(seq.subarray(off, off + 4800));
  assert.equal(jb.buffered, n);
  const out = render(jb, Math.ceil(n / Q));
  for (let i = 1; i < n - 1; i++) assert.equal(out[i], seq[i]);
});

test("beyond maxSamples new audio is counted as overflow, not grown forever", () => {
  const jb = new JitterBuffer({ startSamples: 128, maxSamples: 8192 });
  jb.push(dc(10000));
  assert.equal(jb.buffered, 8192);
  assert.equal(jb.stats.overflowed, 10000 - 8192);
});
