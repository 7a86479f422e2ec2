// node --test: the SERVED worklet files (assets/audio/*.js, as the browser loads them)
// inside a minimal AudioWorkletGlobalScope: capture framing at several context rates,
// playback of 24 kHz audio, and the barge-in flush as seen from the main thread.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const assets = new URL("../assets/audio/", import.meta.url);
const processors = {};
let loads = 0;

class FakePort {
  constructor() {
    this.sent = [];
    this.onmessage = null;
  }
  postMessage(data) {
    this.sent.push(data);
  }
  deliver(data) {
    this.onmessage({ data });
  }
}
globalThis.AudioWorkletProcessor = class {
  constructor() {
    this.port = new FakePort();
  }
};
globalThis.registerProcessor = (name, cls) => {
  processors[name] = cls;
};

async function load(file, rate, name, processorOptions) {
  globalThis.sampleRate = rate;
  await import(`${fileURLToPath(new URL(file, assets))}?load=${loads++}`);
  return new processors[name]({ processorOptions });
}

const sine = (freq, rate, n, amp = 0.3) => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate));

for (const rate of [48000, 44100]) {
  test(`capture at ${rate} Hz posts 40 ms PCM16 frames at 16 kHz and a level`, async () => {
    const proc = await load("capture-processor.js", rate, "preppal-capture", { targetRate: 16000, frameMs: 40 });
    const input = sine(440, rate, rate); // one second, stereo below
    for (let off = 0; off + 128 <= input.length; off += 128) {
      const block = input.subarray(off, off + 128);
      assert.equal(proc.process([[block, block]], [[]]), true);
    }
    const frames = proc.port.sent.filter((m) => m.type === "frame");
    const levels = proc.port.sent.filter((m) => m.type === "level");
    assert.ok(frames.length >= 24 && frames.length <= 25, `${frames.length} frames in 1 s`);
    assert.ok(frames.every((f) => f.pcm.byteLength === 1280));
    assert.ok(levels.length >= 19 && levels.length <= 20, `${levels.length} level reports`);
    const rms = levels.at(-1).rms;
    assert.ok(Math.abs(rms - 0.3 / Math.SQRT2) < 0.01, `rms ${rms}`);
    proc.port.deliver({ type: "stop" });
    assert.equal(proc.process([[input.subarray(0, 128)]], [[]]), false);
  });
}

test("capture with no input channel (muted track removed) keeps running and sends nothing", async () => {
  const proc = await load("capture-processor.js", 48000, "preppal-capture", {});
  assert.equal(proc.process([[]], [[]]), true);
  assert.equal(proc.port.sent.length, 0);
});

function pcm24k(seconds, amp = 0.3) {
  const n = Math.round(24000 * seconds);
  const buf = new ArrayBuffer(n * 2);
  const view = new DataView(buf);
  for (let i = 0; i < n; i++) view.setInt16(2 * i, Math.round(amp * 32767 * Math.sin((2 * Math.PI * 300 * i) / 24000)), true);
  return buf;
}

function renderQuanta(proc, count) {
  const outs = [];
  for (let q = 0; q < count; q++) {
    const left = new Float32Array(128);
    const right = new Float32Array(128);
    proc.process([], [[left, right]]);
    assert.deepEqual(left, right, "mono copied to every channel");
    outs.push(left);
  }
  return outs;
}

test("playback resamples 24 kHz to the context rate, reports speaking, then stops", async () => {
  const proc = await load("playback-processor.js", 48000, "preppal-playback", { startMs: 100 });
  proc.port.deliver({ type: "audio", pcm: pcm24k(0.5), rate: 24000 });
  const outs = renderQuanta(proc, 400); // ~1.07 s
  const states = proc.port.sent.filter((m) => m.type === "state");
  const last = states.at(-1);
  assert.ok(Math.abs(last.stats.played - 24000) <= 2, `played ${last.stats.played} samples at 48 kHz`);
  assert.ok(states.some((s) => s.speaking && s.level > 0.5), "spoke with a level");
  assert.equal(last.speaking, false, "speaking ends after the audio");
  const peak = Math.max(...outs.map((o) => Math.max(...o)));
  assert.ok(peak > 0.28 && peak < 0.32, `peak ${peak}`);
});

test("barge-in flush drops the queued audio and reports it at once", async () => {
  const proc = await load("playback-processor.js", 44100, "preppal-playback", { startMs: 100 });
  proc.port.deliver({ type: "audio", pcm: pcm24k(3), rate: 24000 }); // 3 s queued
  renderQuanta(proc, 50);
  proc.port.sent.length = 0;
  proc.port.deliver({ type: "flush" });
  const report = proc.port.sent.find((m) => m.type === "state");
  assert.ok(report, "a state report follows the flush immediately");
  assert.equal(report.stats.flushes, 1);
  assert.ok(report.stats.dropped > 44100 * 2.5, `dropped ${report.stats.dropped}`);
  assert.ok(report.bufferedMs < 2);
  const after = renderQuanta(proc, 10);
  assert.ok(after.slice(1).every((o) => o.every((v) => v === 0)), "silent from the next quantum on");
});
