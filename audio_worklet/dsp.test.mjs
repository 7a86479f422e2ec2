// node --test: resampling, PCM16 conversion, framing and the meter level.
import assert from "node:assert/strict";
import { test } from "node:test";
import { floatToPcm16, meterLevel, pcm16ToFloat, PcmFramer, rms, StreamResampler } from "./dsp.js";

const sine = (freq, rate, seconds, amp = 0.5) =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));

function runChunked(rs, input, sizes) {
  const parts = [];
  let off = 0;
  let k = 0;
  while (off < input.length) {
    const n = Math.min(sizes[k++ % sizes.length], input.length - off);
    parts.push(Float32Array.from(rs.process(input.subarray(off, off + n))));
    off += n;
  }
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Amplitude of `freq` in x (single-bin DFT), robust to phase and the filter's small delay.
function toneAmplitude(x, freq, rate) {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * Math.cos((2 * Math.PI * freq * i) / rate);
    im += x[i] * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

for (const inRate of [48000, 44100, 32000, 22050]) {
  test(`${inRate} Hz → 16 kHz keeps the length and a 440 Hz tone`, () => {
    const input = sine(440, inRate, 1.0);
    const out = runChunked(new StreamResampler(inRate, 16000), input, [128]);
    assert.ok(Math.abs(out.length - 16000) <= 1, `got ${out.length} samples`);
    const amp = toneAmplitude(out.subarray(200), 440, 16000);
    assert.ok(Math.abs(amp - 0.5) < 0.02, `amplitude ${amp}`);
  });
}

test("downsampling removes content above the new Nyquist (no aliasing)", () => {
  // 11 kHz at 48 kHz would fold to 5 kHz at 16 kHz without the low-pass
  const out = runChunked(new StreamResampler(48000, 16000), sine(11000, 48000, 0.5), [128]);
  const alias = toneAmplitude(out.subarray(100), 5000, 16000);
  assert.ok(alias < 0.01, `alias amplitude ${alias}`);
  assert.ok(rms(out.subarray(100)) < 0.01);
});

test("speech band survives downsampling (3 kHz at 44.1 kHz)", () => {
  const out = runChunked(new StreamResampler(44100, 16000), sine(3000, 44100, 0.5), [128]);
  const amp = toneAmplitude(out.subarray(100), 3000, 16000);
  assert.ok(amp > 0.45 && amp < 0.55, `amplitude ${amp}`);
});

test("24 kHz → 48 kHz and 44.1 kHz upsampling keeps length and tone", () => {
  for (const outRate of [48000, 44100]) {
    const out = runChunked(new StreamResampler(24000, outRate), sine(500, 24000, 1.0), [480, 960, 77]);
    assert.ok(Math.abs(out.length - outRate) <= 1, `got ${out.length}`);
    const amp = toneAmplitude(out, 500, outRate);
    assert.ok(Math.abs(amp - 0.5) < 0.02, `amplitude ${amp}`);
  }
});

test("output does not depend on how the input is cut into blocks", () => {
  const input = sine(700, 44100, 0.3);
  const whole = runChunked(new StreamResampler(44100, 16000), input, [input.length]);
  const pieces = runChunked(new StreamResampler(44100, 16000), input, [1, 128, 7, 333, 2]);
  assert.equal(pieces.length, whole.length);
  for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(whole[i] - pieces[i]) < 1e-6, `sample ${i}`);
});

test("same rate passes samples through", () => {
  const input = sine(300, 16000, 0.1);
  const out = runChunked(new StreamResampler(16000, 16000), input, [128]);
  assert.deepEqual(Array.from(out), Array.from(input));
});

test("PCM16 is little-endian, clipped and symmetric", () => {
  const bytes = new Uint8Array(floatToPcm16(Float32Array.from([0, 1, -1, 2, -2, 0.5, 256 / 32767, NaN])));
  const words = [];
  for (let i = 0; i < bytes.length; i += 2) words.push(bytes[i] | (bytes[i + 1] << 8));
  assert.deepEqual(words, [0x0000, 0x7fff, 0x8000, 0x7fff, 0x8000, 0x4000, 0x0100, 0x8000]);
});

test("PCM16 round trip is within one step, also from an odd byte offset", () => {
  const input = sine(1000, 16000, 0.05, 0.9);
  const pcm = new Uint8Array(floatToPcm16(input));
  const shifted = new Uint8Array(pcm.length + 2);
  shifted.set(pcm, 1);
  const back = pcm16ToFloat(shifted.subarray(1, 1 + pcm.length));
  assert.equal(back.length, input.length);
  for (let i = 0; i < input.length; i++) assert.ok(Math.abs(back[i] - input[i]) <= 1 / 32767);
  assert.equal(pcm16ToFloat(new Uint8Array(5)).length, 2, "a trailing odd byte is ignored");
});

test("framer emits fixed frames and carries the remainder", () => {
  const framer = new PcmFramer(640); // 40 ms at 16 kHz
  const ramp = Float32Array.from({ length: 1000 }, (_, i) => i / 32767);
  const first = framer.push(ramp);
  assert.equal(first.length, 1);
  assert.equal(first[0].byteLength, 1280);
  assert.equal(framer.push(ramp.subarray(0, 279)).length, 0);
  const second = framer.push(ramp.subarray(0, 1));
  assert.equal(second.length, 1);
  const view = new DataView(second[0]);
  assert.equal(view.getInt16(0, true), 640, "second frame starts where the first stopped");
  assert.equal(view.getInt16(2 * 359, true), 999);
  assert.equal(view.getInt16(2 * 360, true), 0, "then the next push");
  assert.notEqual(first[0], second[0], "frames are separate buffers (transferable)");
});

test("meter level maps dBFS to 0..1", () => {
  assert.equal(meterLevel(0), 0);
  assert.equal(meterLevel(1), 1);
  assert.ok(Math.abs(meterLevel(0.001) - 0) < 1e-9); // -60 dBFS
  assert.ok(Math.abs(meterLevel(0.0316) - 0.5) < 0.01); // -30 dBFS
  assert.ok(Math.abs(rms(Float32Array.from([0.5, -0.5])) - 0.5) < 1e-9);
});
